package web

import (
	"fmt"
	"net/http"
	"nightfloat"
	"strconv"
	"time"

	"nightfloat/insights"
)

// The supervisor dashboard (roles reviewer and admin): aggregate counts per UTC day, drawn
// as SVG on the server. It holds no per-resident data, and every count from 1 to 4 is
// shown as "<5" (insights.Cell), in the tables and in the charts, whose suppressed bars are
// not drawn at all so that their height cannot give the count away.

type dashboardData struct {
	Name, CSRF string
	Roles      []string
	D          insights.Dashboard
	Days       int
	Charts     []svgChart
	Rows       []dashRow
	Kappa      string
	KappaNote  string
	Page       string // the page in the console's navigation
	// Handoffs by category: a column per category and a row per day, newest first, so
	// that a long window adds rows rather than columns.
	CategoryNames []string
	CategoryDays  []categoryDay
}

type categoryDay struct {
	Day    string
	Counts []insights.Cell
}

type dashRow struct {
	Day      string
	Stats    insights.DayStats
	P50, P90 string
}

type svgChart struct {
	ID, Title     string
	Width, Height int
	Bars          []svgBar
	Labels        []svgText
	Legend        []svgLegend
	BaseY, Left   int
	MaxLabel      string // the value the top of the plot stands for
	MaxY          int
}

type svgBar struct {
	X, Y, W, H int
	Class      string
	Stub       bool   // a suppressed count: a dashed stub, not a bar
	Title      string // the cell as shown ("<5" when suppressed), on hover and to screen readers
	Value      string // the same above the bar, when it fits
	VX, VY     int
}

type svgText struct {
	X, Y int
	Text string
}

type svgLegend struct {
	X     int // position in the legend
	Class string
	Text  string
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	days := 14
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && v >= 1 && v <= 92 {
		days = v
	}
	d, err := insights.LoadDashboard(r.Context(), s.pool, insights.DashboardOptions{Days: days})
	if err != nil {
		s.logger.Error("dashboard", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The dashboard is unavailable right now.")
		return
	}
	if s.audit != nil {
		if err := s.audit.Record(r.Context(), c.Actor(), "dashboard.view", "", map[string]any{"days": days}); err != nil {
			s.logger.Error("audit dashboard.view", "error", err)
		}
	}
	data := dashboardData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, D: d, Days: days, Page: "dashboard"}
	for i := len(d.Days) - 1; i >= 0; i-- {
		st := d.Days[i]
		data.Rows = append(data.Rows, dashRow{Day: st.Day.Format("2006-01-02"), Stats: st, P50: dur(st.ClaimP50), P90: dur(st.ClaimP90)})
	}
	for _, c := range d.Categories {
		data.CategoryNames = append(data.CategoryNames, c.Category)
	}
	for i := len(d.Days) - 1; i >= 0 && len(d.Categories) > 0; i-- {
		row := categoryDay{Day: d.Days[i].Day.Format("2006-01-02")}
		for _, c := range d.Categories {
			row.Counts = append(row.Counts, c.Counts[i])
		}
		data.CategoryDays = append(data.CategoryDays, row)
	}
	type series struct {
		class, name string
		get         func(insights.DayStats) insights.Cell
	}
	chart := func(id, title string, ss ...series) svgChart {
		return barChart(id, title, d.Days, func(st insights.DayStats) []insights.Cell {
			out := make([]insights.Cell, len(ss))
			for i, s := range ss {
				out[i] = s.get(st)
			}
			return out
		}, func() []svgLegend {
			var l []svgLegend
			for i, s := range ss {
				l = append(l, svgLegend{X: i, Class: s.class, Text: s.name})
			}
			return l
		}())
	}
	data.Charts = []svgChart{
		chart("chart-conversations", "Conversations started", series{"", "conversations", func(s insights.DayStats) insights.Cell { return s.Conversations }}),
		chart("chart-handoffs", "Handoffs by level",
			series{"urgent", "urgent", func(s insights.DayStats) insights.Cell { return s.HandoffsUrgent }},
			series{"emergency", "emergency", func(s insights.DayStats) insights.Cell { return s.HandoffsEmergency }}),
		chart("chart-reviews", "Reviews and what they found",
			series{"", "reviews", func(s insights.DayStats) insights.Cell { return s.Reviews }},
			series{"missed", "missed escalations", func(s insights.DayStats) insights.Cell { return s.Missed }},
			series{"over", "over-escalations", func(s insights.DayStats) insights.Cell { return s.OverEscalated }}),
		chart("chart-backlog", "Review backlog at day's end", series{"", "items waiting", func(s insights.DayStats) insights.Cell { return s.Backlog }}),
	}
	switch {
	case d.AgreementShown():
		data.Kappa = fmt.Sprintf("%.2f", d.Agreement.Kappa)
		data.KappaNote = fmt.Sprintf("over %s double-reviewed items (observed agreement %.0f%%)", insights.Cell(d.Agreement.N), d.Agreement.Observed*100)
	case d.Agreement.N > 0:
		data.Kappa = "—"
		data.KappaNote = fmt.Sprintf("%s double-reviewed items: too few to compute agreement", insights.Cell(d.Agreement.N))
	default:
		data.Kappa = "—"
		data.KappaNote = "no double-reviewed items in this window"
	}
	s.render(w, "dashboard.html", data)
}

func dur(d *time.Duration) string {
	if d == nil {
		return "—"
	}
	return d.Round(time.Second).String()
}

// Chart geometry in SVG user units. The charts are laid out two to a row at 1280 px, so a
// unit is drawn at about one CSS pixel and the 12-unit text reads as 12 px.
const (
	chartW, chartH                           = 480, 200
	chartLeft, chartTop, chartBottom, chartR = 34, 16, 24, 6
	chartLabelW                              = 56 // room a "12-07" day label needs at the phone's larger text
	chartValueW                              = 20 // narrowest bar that carries its value above it
)

// barChart draws grouped bars, one group per day, with the largest value marked on the
// axis. Suppressed cells get no bar, only a short dashed stub (with "<5" above it when the
// bar is wide enough), so that their height cannot give the count away.
func barChart(id, title string, days []insights.DayStats, values func(insights.DayStats) []insights.Cell, legend []svgLegend) svgChart {
	c := svgChart{ID: id, Title: title, Width: chartW, Height: chartH, Legend: legend, BaseY: chartH - chartBottom, Left: chartLeft}
	maxV := insights.Cell(insights.MinCell)
	for _, d := range days {
		for _, v := range values(d) {
			if !v.Suppressed() && v > maxV {
				maxV = v
			}
		}
	}
	c.MaxLabel, c.MaxY = maxV.String(), chartTop
	plotH := float64(chartH - chartTop - chartBottom)
	groupW := (chartW - chartLeft - chartR) / max(len(days), 1)
	step := max(1, (chartLabelW+groupW-1)/max(groupW, 1))
	for i, d := range days {
		vals := values(d)
		barW := max((groupW-2)/max(len(vals), 1), 2)
		x0 := chartLeft + i*groupW + 1
		for j, v := range vals {
			x := x0 + j*barW
			b := svgBar{X: x, W: max(barW-1, 1), Class: legend[j].Class, VX: x + barW/2, Title: v.String()}
			switch {
			case v.Suppressed():
				b.Stub = true
				b.H = 6
			case v > 0:
				b.H = max(int(float64(v)/float64(maxV)*plotH), 1)
			}
			b.Y = c.BaseY - b.H
			b.VY = b.Y - 3
			if v != 0 && barW >= chartValueW {
				b.Value = v.String()
			}
			c.Bars = append(c.Bars, b)
		}
		if (len(days)-1-i)%step == 0 { // the latest day is always labelled
			c.Labels = append(c.Labels, svgText{X: x0 + groupW/2 - 1, Y: chartH - chartBottom + 16, Text: d.Day.Format("01-02")})
		}
	}
	return c
}
