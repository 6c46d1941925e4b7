package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat/review"
)

// resolvedHandoff has a resident raise a red flag, and an on-call clinician (username)
// claim it, write and resolve it with a note, over the real websockets.
func (h *harness) resolvedHandoff(t *testing.T, username string) {
	t.Helper()
	residentRedFlag(t, h.dial(t, nil))
	c := h.newClinician(t, username)
	var id int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT id FROM handoffs WHERE status = 'waiting'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c.send(map[string]any{"type": "claim", "handoff_id": id})
	c.send(map[string]any{"type": "say", "handoff_id": id, "client_id": "c1", "text": "Hi, I'm " + c.name + ", a person. Are you safe right now?"})
	c.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "note": "Safety plan made; follow-up with " + c.name + " booked"})
	c.until(func(f frame) bool {
		item, _ := f["item"].(map[string]any)
		return f.str("type") == "handoff" && item["status"] == "resolved"
	})
}

// TestConsolePagesFit opens the review queue, a reviewed handoff, the dashboard and the
// audit log at a phone's and a laptop's size, and checks by geometry that no table is
// wider than its container (at 1280 px and on a phone), no cell spills, nothing [hidden]
// shows, and that the review transcript keeps no template whitespace, shows the crisis
// numbers and the handoff's disposition and note, and the charts' text is readable.
func TestConsolePagesFit(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.resolvedHandoff(t, "lee")
	for i := range 3 {
		h.chat(t, "nurse", fmt.Sprintf("tips for sleeping after nights, take %d?", i))
	}
	if res := h.sample(t, review.SamplingOptions{RandomRate: 1}); res.Queued[review.ReasonHandoff] != 1 {
		t.Fatalf("sampled %+v", res.Queued)
	}
	if _, err := h.accounts.Create(context.Background(), "sup", "Dr Sup", consolePassword, []string{"reviewer", "admin"}); err != nil {
		t.Fatal(err)
	}
	var item int64
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT item_id FROM review_samples WHERE reason = 'handoff'`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "sup", consolePassword)

			do(t, b, "open the queue", chromedp.Navigate(h.http.URL+"/console/review"), chromedp.WaitVisible(css("#queue")))
			checkLayout(t, b, "review queue")
			if got := text(t, b, "#queue"); strings.Contains(got, "handoffs: 4") {
				t.Errorf("the queue miscounts handoffs: %q", got)
			}
			screenshot(t, b, "review-queue-"+v.name)

			do(t, b, "open the handoff", chromedp.Navigate(fmt.Sprintf("%s/console/review/items/%d", h.http.URL, item)), chromedp.WaitVisible(css("#transcript")))
			checkLayout(t, b, "review item")
			if got := text(t, b, "#reasons"); !strings.Contains(got, "handoffs: 1") {
				t.Errorf("the handoff reason says %q, want one handoff", got)
			}
			if got := text(t, b, "#handoffs"); !strings.Contains(got, "safety_plan_made") || !strings.Contains(got, "follow-up") || !strings.Contains(got, "on-call clinician") || strings.Contains(got, "Dr Lee") {
				t.Errorf("the handoff summary says %q: want the disposition, the note, the claimer's role and no name", got)
			}
			if got := text(t, b, "#transcript li.system.kind-handoff .body"); !strings.Contains(got, "988") || !strings.Contains(got, "1-888-409-0141") {
				t.Errorf("the reviewer cannot see the numbers the resident was given: %q", got)
			}
			if got := strings.ToLower(text(t, b, "#transcript li.clinician")); !strings.Contains(got, "on call") || strings.Contains(got, "dr lee") {
				t.Errorf("the clinician's turn should show the role and hide the name: %q", got)
			}
			// No gap from template whitespace: a turn is as tall as what it holds.
			if gaps := eval[string](t, b, `[...document.querySelectorAll('#transcript > li')].map(li => {
				const inner = [...li.children].reduce((s, c) => s + c.getBoundingClientRect().height, 0);
				return li.getBoundingClientRect().height - inner > 40 ? li.dataset.seq + ":" + Math.round(li.getBoundingClientRect().height - inner) : "";
			}).filter(Boolean).join(" ")`); gaps != "" {
				t.Errorf("turns with blank space (seq:px): %s", gaps)
			}
			screenshot(t, b, "review-item-"+v.name)

			for _, days := range []int{14, 30} {
				do(t, b, "open the dashboard", chromedp.Navigate(fmt.Sprintf("%s/console/dashboard?days=%d", h.http.URL, days)), chromedp.WaitVisible(css("#days")))
				checkLayout(t, b, fmt.Sprintf("dashboard, %d days", days))
				if small := eval[float64](t, b, `Math.min(...[...document.querySelectorAll('.chart svg text')].map(e => parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a))`); small < 10.5 {
					t.Errorf("dashboard, %d days: chart text is drawn %.1f px high, too small to read", days, small)
				}
			}
			screenshot(t, b, "dashboard-"+v.name)

			do(t, b, "open the audit log", chromedp.Navigate(h.http.URL+"/console/audit"), chromedp.WaitVisible(css("#audit")))
			checkLayout(t, b, "audit log")
			screenshot(t, b, "audit-"+v.name)
		})
	}
}
