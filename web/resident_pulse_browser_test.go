package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPulseAndReportInTheChat: in a browser at a phone's and a laptop's size, a resident
// taps this week's check-in once, then writes a report to leadership, sees the redacted
// text that will be shared, and sends exactly that; the chat keeps its layout.
func TestPulseAndReportInTheChat(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			b := browserAt(t, v)
			startChat(t, b, h.http.URL)
			do(t, b, "wait for the pulse", chromedp.WaitVisible(css("#pulse-choices button[data-score='2']")))
			checkLayout(t, b, "chat with the pulse", "aside#crisis.crisis")
			screenshot(t, b, "chat-pulse-"+v.name)
			do(t, b, "check in", chromedp.SetValue(css("#pulse-topic"), "sleep"), chromedp.Click(css("#pulse-choices button[data-score='2']")))
			waitJS(t, b, `document.getElementById('pulse-status').textContent.includes('Thanks')`)
			if visible(t, b, "#pulse-choices") {
				t.Error("the pulse still offers a second check-in this week")
			}

			do(t, b, "write a report",
				chromedp.Click(css("#tell-open")),
				chromedp.WaitVisible(css("#tell-text")),
				chromedp.SetValue(css("#tell-kind"), "duty_hours"),
				chromedp.SendKeys(css("#tell-text"), "Told to log 70 hours when we worked 90; ask jo@example.org"),
				chromedp.Click(css("#tell-preview")),
				chromedp.WaitVisible(css("#tell-shared")),
			)
			shared := text(t, b, "#tell-shared")
			if strings.Contains(shared, "jo@example.org") || !strings.Contains(shared, "70 hours") {
				t.Fatalf("the preview shares %q", shared)
			}
			if r := measure(t, b); r.PageOverflow > 1 {
				t.Errorf("the report dialog is %.0f px wider than the screen", r.PageOverflow)
			}
			screenshot(t, b, "chat-report-"+v.name)
			do(t, b, "send it", chromedp.Click(css("#tell-send")))
			waitJS(t, b, `document.getElementById('tell-result').textContent.includes('Sent')`)

			var body string
			var score int
			ctx := context.Background()
			if err := h.db.Pool.QueryRow(ctx, `SELECT body FROM leadership_reports`).Scan(&body); err != nil || body != shared {
				t.Errorf("stored %q (%v), want exactly the preview %q", body, err, shared)
			}
			if err := h.db.Pool.QueryRow(ctx, `SELECT score FROM pulse_checkins WHERE topic = 'sleep'`).Scan(&score); err != nil || score != 2 {
				t.Errorf("check-in %d (%v), want 2 about sleep", score, err)
			}
		})
	}
}
