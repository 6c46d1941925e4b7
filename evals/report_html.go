package evals

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

//go:embed templates/safety_report.html.tmpl
var reportTemplates embed.FS

var safetyHTML = template.Must(template.New("safety_report.html.tmpl").Funcs(template.FuncMap{
	"rate":   func(r Rate) string { return strings.TrimSpace(fmtRate(r)) },
	"ci":     fmtCI,
	"pct":    func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"ms":     func(f float64) string { return fmt.Sprintf("%.3f ms", f) },
	"ms1":    func(f float64) string { return fmt.Sprintf("%.1f ms", f) },
	"f1":     func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"fg":     func(f float64) string { return fmt.Sprintf("%g", f) },
	"deref":  func(f *float64) float64 { return *f },
	"derefi": func(n *int) int { return *n },
}).ParseFS(reportTemplates, "templates/safety_report.html.tmpl"))

// WriteHTML writes the report as one self-contained HTML page: inline CSS and inline
// SVG charts, no scripts and nothing fetched (its Content-Security-Policy forbids it),
// so it can be attached to a release ticket and opened anywhere.
func (r *SafetyReport) WriteHTML(w io.Writer) error {
	v := htmlView{R: r, Main: newSplitView(r)}
	if r.Holdout != nil {
		h := newSplitView(r.Holdout)
		v.Holdout = &h
	}
	var b bytes.Buffer
	if err := safetyHTML.Execute(&b, v); err != nil {
		return fmt.Errorf("safety report: html: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

type htmlView struct {
	R       *SafetyReport
	Main    splitView
	Holdout *splitView
}

// splitView is one split with its charts laid out (SVG coordinates computed here, so
// the template only places elements).
type splitView struct {
	R         *SafetyReport
	ID        string
	Recall    barChart
	Confusion confusionChart
	Latency   histogramChart
}

func newSplitView(r *SafetyReport) splitView {
	return splitView{R: r, ID: r.Split, Recall: recallChart(r), Confusion: confusionView(r), Latency: histogramView(r.Histogram)}
}

// Chart geometry.
const (
	chartW     = 760
	labelW     = 200
	plotW      = 460
	rowH       = 26
	chartTop   = 28
	chartBelow = 30
)

type barChart struct {
	W, H  int
	Ticks []tick
	Rows  []barRow
}

type tick struct {
	X     float64
	Label string
}

type barRow struct {
	Name         string
	Y, YMid      float64
	X0, BarW     float64
	Lo, Hi       float64 // whisker x positions
	Label        string
	LabelX       float64
	Title        string
	Imperfect    bool
	Total, Right int
}

func recallChart(r *SafetyReport) barChart {
	cats := r.Categories()
	c := barChart{W: chartW, H: chartTop + len(cats)*rowH + chartBelow}
	x := func(v float64) float64 { return labelW + v*plotW }
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.Ticks = append(c.Ticks, tick{X: x(t), Label: fmt.Sprintf("%g", t)})
	}
	for i, k := range cats {
		cs := r.ByCategory[k]
		rec := float64(cs.Recall)
		if !cs.Recall.Defined() {
			rec = 0
		}
		y := float64(chartTop + i*rowH)
		c.Rows = append(c.Rows, barRow{
			Name: k, Y: y + 4, YMid: y + rowH/2.0,
			X0: x(0), BarW: math.Max(0, x(rec)-x(0)),
			Lo: x(float64(cs.CI95[0])), Hi: x(float64(cs.CI95[1])),
			Label:  fmt.Sprintf("%s  (%d/%d)", fmtRate(cs.Recall), cs.Correct, cs.Total),
			LabelX: x(1) + 10,
			Title: fmt.Sprintf("%s: %d of %d correct, recall %s, 95%% CI %s", k, cs.Correct, cs.Total,
				fmtRate(cs.Recall), fmtCI(cs.CI95)),
			Imperfect: cs.Correct < cs.Total, Total: cs.Total, Right: cs.Correct,
		})
	}
	return c
}

type confusionChart struct {
	W, H  int
	Cols  []tick
	Cells []confusionCell
	Rows  []tick // X holds the row's y
}

type confusionCell struct {
	X, Y, W, H   float64
	TX, TY       float64
	Count        int
	Opacity      float64
	Correct      bool
	Label, Level string
}

func confusionView(r *SafetyReport) confusionChart {
	levels := []string{"none", "concern", "urgent", "emergency"}
	labels := []string{Escalate, NoEscalate}
	const cellW, cellH, left, top = 110.0, 56.0, 130.0, 40.0
	c := confusionChart{W: int(left + cellW*4 + 10), H: int(top + cellH*2 + 10)}
	max := 1
	for _, l := range labels {
		for _, lv := range levels {
			if n := r.Confusion[l][lv]; n > max {
				max = n
			}
		}
	}
	for j, lv := range levels {
		c.Cols = append(c.Cols, tick{X: left + cellW*float64(j) + cellW/2, Label: lv})
	}
	for i, l := range labels {
		c.Rows = append(c.Rows, tick{X: top + cellH*float64(i) + cellH/2, Label: l})
		for j, lv := range levels {
			n := r.Confusion[l][lv]
			handoff := lv == "urgent" || lv == "emergency"
			x, y := left+cellW*float64(j), top+cellH*float64(i)
			op := 0.0
			if n > 0 {
				op = 0.15 + 0.85*float64(n)/float64(max)
			}
			c.Cells = append(c.Cells, confusionCell{X: x, Y: y, W: cellW - 4, H: cellH - 4, TX: x + cellW/2 - 2, TY: y + cellH/2 + 3,
				Count: n, Opacity: op, Correct: handoff == (l == Escalate), Label: l, Level: lv})
		}
	}
	return c
}

type histogramChart struct {
	W, H    int
	Bars    []histBar
	BaseY   float64
	MaxText string
}

type histBar struct {
	X, Y, W, H float64
	Count      int
	Label      string
	Title      string
}

func histogramView(bins []HistogramBin) histogramChart {
	const left, top, plotH = 40.0, 20.0, 160.0
	c := histogramChart{W: chartW, H: int(top + plotH + 50), BaseY: top + plotH}
	if len(bins) == 0 {
		return c
	}
	max := 1
	for _, b := range bins {
		if b.Count > max {
			max = b.Count
		}
	}
	c.MaxText = fmt.Sprint(max)
	bw := (chartW - left - 20) / float64(len(bins))
	for i, b := range bins {
		h := plotH * float64(b.Count) / float64(max)
		c.Bars = append(c.Bars, histBar{
			X: left + bw*float64(i) + 1, Y: top + plotH - h, W: bw - 2, H: h, Count: b.Count,
			Label: fmtMS(b.FromMS),
			Title: fmt.Sprintf("%d cases took %s to %s", b.Count, fmtMS(b.FromMS), fmtMS(b.ToMS)),
		})
	}
	return c
}

func fmtMS(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1:
		return fmt.Sprintf("%gµs", math.Round(v*1000*10)/10)
	case v < 1000:
		return fmt.Sprintf("%gms", math.Round(v*10)/10)
	}
	return fmt.Sprintf("%gs", math.Round(v/100)/10)
}
