package web

import (
	"context"
	"net/http"
	"nightfloat/clinician"
	"strings"
	"testing"
	"time"
)

// TestDutyEndsWithPresence: a clinician ticks On duty, a resident raises a red flag and is
// told a clinician is being connected; then the clinician signs out, or closes the
// console. The resident must be told the truth (nobody is on duty, with the round-the-clock
// options) within seconds, not after the 5-minute unattended wait.
func TestDutyEndsWithPresence(t *testing.T) {
	for _, tt := range []struct {
		name   string
		leave  func(t *testing.T, h *harness, doc *consoleClient, csrf string)
		within time.Duration
	}{
		{"signing out", func(t *testing.T, h *harness, doc *consoleClient, csrf string) {
			req, _ := http.NewRequest("POST", h.http.URL+"/console/logout", nil)
			req.Header.Set("Cookie", sessionCookie+"="+doc.token)
			req.Header.Set("Origin", h.http.URL)
			req.Header.Set(csrfHeader, csrf)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: HTTP %d", resp.StatusCode)
			}
		}, 3 * time.Second},
		{"closing the console", func(t *testing.T, h *harness, doc *consoleClient, csrf string) {
			doc.ws.Close()
		}, 3 * time.Second}, // a 1s grace here; 20s by default
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{
				accountOpts: clinician.AccountOptions{DutyGrace: time.Second},
				site:        func(o *Options) { o.DutyRenew = 200 * time.Millisecond },
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go h.svc.RunHandoffWatch(ctx, 200*time.Millisecond)
			doc := h.newClinician(t, "oncall1")
			doc.onDuty()
			_, s, err := h.accounts.SessionFor(ctx, doc.token)
			if err != nil {
				t.Fatal(err)
			}
			res := h.dial(t, nil)
			_, got := residentRedFlag(t, res)
			if f := got[len(got)-1]; f["unattended"] == true {
				t.Fatalf("a clinician is on duty, yet the resident was told nobody is: %v", f)
			}
			// Still on duty after several grace periods while the console is open.
			time.Sleep(2500 * time.Millisecond)
			if on, err := h.accounts.OnDuty(ctx); err != nil || len(on) != 1 {
				t.Fatalf("an open console must keep its clinician on duty: %v, %v", on, err)
			}

			left := time.Now()
			tt.leave(t, h, doc, s.CSRF)
			told := res.until(func(f frame) bool { return f.str("type") == "handoff" && f["unattended"] == true })
			if took := time.Since(left); took > tt.within {
				t.Errorf("the resident was told after %v, want within %v", took, tt.within)
			}
			var notice frame
			for _, f := range told {
				if f.str("kind") == "crisis" {
					notice = f
				}
			}
			if notice == nil || !strings.Contains(notice.str("text"), "No clinician is on duty") || !strings.Contains(notice.str("text"), "988") {
				t.Fatalf("want the honest notice with crisis options, got %v", told)
			}
			if on, err := h.accounts.OnDuty(ctx); err != nil || len(on) != 0 {
				t.Errorf("still on duty after leaving: %v, %v", on, err)
			}
		})
	}
}
