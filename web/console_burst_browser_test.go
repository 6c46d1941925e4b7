package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat/assistant"
	"nightfloat/internal/browsertest"
)

// TestConsoleShowsABurstAsOne: six red flags from one address give three ordinary handoffs
// and a burst of three. At phone and desktop size the console lists four entries, the burst
// as one, visible, inside the window and overlapping nothing; inside it each handoff still
// opens and can be claimed.
func TestConsoleShowsABurstAsOne(t *testing.T) {
	for _, size := range [][2]int{{390, 844}, {1280, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			if _, err := h.accounts.Create(context.Background(), "dr.lee", "Dr Lee", "correct horse battery staple 42", []string{"oncall"}); err != nil {
				t.Fatal(err)
			}
			flood := 3
			for i := 0; i < assistant.FloodOpenHandoffs+flood; i++ {
				res := h.dial(t, nil)
				residentRedFlag(t, res)
			}
			console := browsertest.New(t, size)
			do(t, console, "log in",
				chromedp.Navigate(h.http.URL+"/console/login"),
				chromedp.WaitVisible(css("#username")),
				chromedp.SendKeys(css("#username"), "dr.lee"),
				chromedp.SendKeys(css("#password"), "correct horse battery staple 42"),
				chromedp.Click(css("#login-submit")),
				chromedp.WaitVisible(css("#handoffs li.burst summary")),
			)
			if n := eval[int](t, console, `document.querySelectorAll('#handoffs > li').length`); n != assistant.FloodOpenHandoffs+1 {
				t.Errorf("%d entries in the list, want %d (the burst as one)", n, assistant.FloodOpenHandoffs+1)
			}
			summary := text(t, console, "#handoffs li.burst summary")
			if !strings.Contains(summary, fmt.Sprintf("%d handoffs", flood)) || !strings.Contains(summary, "crisis resources") {
				t.Errorf("burst summary %q", summary)
			}
			// Geometry: each entry is visible, inside the window's width, and no two overlap.
			bad := eval[string](t, console, `(() => {
				const rs = [...document.querySelectorAll('#handoffs > li')].map(li => li.getBoundingClientRect());
				for (const [i, r] of rs.entries()) {
					if (r.width < 40 || r.height < 16) return "entry " + i + " is not visible";
					if (r.left < 0 || r.right > window.innerWidth + 0.5) return "entry " + i + " leaves the window";
					for (const s of rs.slice(i + 1)) if (r.top < s.bottom - 0.5 && s.top < r.bottom - 0.5) return "entry " + i + " overlaps another";
				}
				return "";
			})()`)
			if bad != "" {
				t.Error(bad)
			}
			do(t, console, "open the burst and one of its handoffs",
				chromedp.Click(css("#handoffs li.burst summary")),
				chromedp.WaitVisible(css("#handoffs li.burst li button")),
				chromedp.Click(css("#handoffs li.burst li button")),
				chromedp.WaitVisible(css("#claim")),
				chromedp.Click(css("#claim")),
			)
			waitJS(t, console, `document.querySelector('#handoffs li.burst') && document.querySelector('#handoffs li.burst').textContent.includes('claimed by Dr Lee')`)
			// The list is redrawn on every change; the burst the clinician opened stays open.
			if !eval[bool](t, console, `document.querySelector('#handoffs li.burst details').open`) {
				t.Error("the burst closed itself when the list was redrawn")
			}
		})
	}
}
