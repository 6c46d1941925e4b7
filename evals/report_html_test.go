package evals

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"nightfloat/internal/browsertest"

	"nightfloat/safety"
)

func newReportBrowser(t *testing.T) context.Context { return browsertest.New(t, browsertest.Desktop) }

// The HTML report opens in a real browser with its charts drawn, lists the misses, and
// fetches nothing: it is one self-contained file.
func TestSafetyHTMLReportInBrowser(t *testing.T) {
	dir := t.TempDir()
	baseline := filepath.Join(dir, "baseline.json")
	if code, _, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--format", "json", "--out", baseline); code != 0 {
		t.Fatalf("baseline: %s", stderr)
	}
	next := func() (Assessor, error) {
		return &tagAssessor{version: "tags-2", override: map[string]safety.Level{"I can't go on like this #urgent": safety.None}}, nil
	}
	report := filepath.Join(dir, "report.html")
	code, _, stderr := runCmd(t, next, "--cases", "testdata/safety/counts.jsonl", "--cases", "testdata/safety/split",
		"--compare", baseline, "--min-recall", "1", "--format", "html", "--out", report)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (recall below 1): %s", code, stderr)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<script", "http://", "https://", "<link", "@import", "url("} {
		// The only http:// allowed is the SVG namespace, which is never fetched.
		if strings.Contains(strings.ReplaceAll(string(raw), `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("report contains %q: it must be self-contained", banned)
		}
	}

	ctx := newReportBrowser(t)
	var mu sync.Mutex
	var requests []string
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable network events: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listen: %v", err)
	}
	url := "file://" + report
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	title := js[string](t, ctx, `document.title`)
	recallRows := js[int](t, ctx, `document.querySelectorAll("svg#recall-chart-main g.row").length`)
	recallBars := js[int](t, ctx, `document.querySelectorAll("svg#recall-chart-main rect.bar").length`)
	whiskers := js[int](t, ctx, `document.querySelectorAll("svg#recall-chart-main line.whisker").length`)
	confusionCells := js[int](t, ctx, `document.querySelectorAll("svg#confusion-main rect.cell").length`)
	histBars := js[int](t, ctx, `document.querySelectorAll("svg#latency-main rect.hbar").length`)
	missRow := js[int](t, ctx, `document.querySelectorAll("table#misses-main tr.miss").length`)
	missIDs := js[[]string](t, ctx, `[...document.querySelectorAll("table#misses-main tr.miss")].map(r => r.dataset.id)`)
	holdoutMissIDs := js[[]string](t, ctx, `[...document.querySelectorAll("table#misses-holdout tr.miss")].map(r => r.dataset.id)`)
	newMisses := js[[]string](t, ctx, `[...document.querySelectorAll("#compare-table tr.new-miss td:nth-child(2)")].map(td => td.textContent)`)
	gate := js[string](t, ctx, `document.getElementById("gate").textContent`)
	recallText := js[string](t, ctx, `document.getElementById("recall-main").textContent`)
	// The bars are laid out: the distress bar (3/3 correct) is drawn full width.
	barWidth := js[float64](t, ctx, `document.querySelector('svg#recall-chart-main g.row[data-category="distress"] rect.bar').getBBox().width`)
	holdoutCharts := js[int](t, ctx, `document.querySelectorAll("#split-holdout svg.chart").length`)
	if holdoutCharts != 3 {
		t.Errorf("holdout section has %d charts, want 3", holdoutCharts)
	}
	if !strings.Contains(title, "tags-2") {
		t.Errorf("title %q", title)
	}
	// Categories of the main split: suicidal_ideation, suicide_plan_or_intent, self_harm,
	// distress, uncategorised.
	if recallRows != 5 || recallBars != 5 || whiskers != 15 {
		t.Errorf("recall chart: %d rows, %d bars, %d whisker lines; want 5, 5, 15", recallRows, recallBars, whiskers)
	}
	if barWidth < plotW-1 || barWidth > plotW+1 {
		t.Errorf("distress bar is %.1f wide, want %d (recall 1)", barWidth, plotW)
	}
	if confusionCells != 8 {
		t.Errorf("confusion matrix has %d cells, want 8", confusionCells)
	}
	if histBars == 0 {
		t.Error("latency histogram has no bars")
	}
	wantMain := []string{"esc-1", "esc-4", "esc-6", "neg-2", "esc-3"}
	if !reflect.DeepEqual(missIDs, wantMain) || missRow != len(wantMain) {
		t.Errorf("misses table lists %v, want %v", missIDs, wantMain)
	}
	if !reflect.DeepEqual(holdoutMissIDs, []string{"h-esc-1"}) {
		t.Errorf("holdout misses %v", holdoutMissIDs)
	}
	if !reflect.DeepEqual(newMisses, []string{"esc-1"}) {
		t.Errorf("compare: new misses %v, want [esc-1]", newMisses)
	}
	if !strings.Contains(gate, "FAIL") || !strings.Contains(gate, "recall") {
		t.Errorf("gate banner %q", gate)
	}
	if strings.TrimSpace(recallText) != "0.571" {
		t.Errorf("recall card %q, want 0.571 (4/7)", recallText)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Fatal("no requests seen at all: the network listener is not working")
	}
	for _, u := range requests {
		if u != url {
			t.Errorf("the report made a request to %s", u)
		}
	}
}

// js evaluates expr in the page and decodes its value, failing the test on an error.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
