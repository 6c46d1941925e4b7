package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const consolePassword = "correct horse battery staple 42"

// TestConsoleActionsFollowTheHandoff opens a handoff in the console at a phone's and a
// laptop's size and checks, by what is on screen, that only the actions that fit its state
// show (Claim while it waits; Send and Resolve once claimed; nothing after the resolve),
// that the list says who has it once claimed, that a refused message shows its error
// under the form and keeps the text, and that nothing overlaps or spills.
func TestConsoleActionsFollowTheHandoff(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			if _, err := h.accounts.Create(context.Background(), "dr.lee", "Dr Lee", consolePassword, []string{"oncall"}); err != nil {
				t.Fatal(err)
			}
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "dr.lee", consolePassword)
			waitJS(t, b, `document.getElementById("conn").textContent === "Connected"`)
			do(t, b, "go on duty", chromedp.WaitVisible(css("#duty")), chromedp.Click(css("#duty")))
			waitJS(t, b, `document.getElementById("duty").checked`)
			residentRedFlag(t, h.dial(t, nil))

			do(t, b, "open the handoff", chromedp.WaitVisible(css("#handoffs li button")), chromedp.Click(css("#handoffs li button")))
			waitJS(t, b, `document.querySelectorAll('#transcript li').length > 0`)
			actions := func(state string, claim, say, resolve bool) {
				t.Helper()
				for _, a := range []struct {
					sel  string
					want bool
				}{{"#claim", claim}, {"#say", say}, {"#say-text", say}, {"#resolve", resolve}, {"#resolve button", resolve}} {
					if got := visible(t, b, a.sel); got != a.want {
						t.Errorf("%s: %s visible %v, want %v", state, a.sel, got, a.want)
					}
				}
				checkLayout(t, b, "console, "+state)
			}
			actions("waiting", true, false, false)
			if note := text(t, b, "#state-note"); !strings.Contains(note, "Claim") {
				t.Errorf("waiting: the state note does not say what to do: %q", note)
			}

			do(t, b, "claim", chromedp.Click(css("#claim")))
			waitJS(t, b, `!document.getElementById('say').hidden`)
			actions("claimed", false, true, true)
			meta := text(t, b, "#handoffs li .meta")
			if !strings.Contains(meta, "claimed by you") || strings.Contains(meta, "waiting") || strings.Contains(meta, "no one has joined") {
				t.Errorf("after the claim the list says %q", meta)
			}
			screenshot(t, b, "console-"+v.name)

			// A message the server refuses: the error shows under the form, in view even when
			// the form was at the bottom of the screen, and the text stays.
			eval[bool](t, b, `(document.getElementById('say-text').value = 'x'.repeat(8001), window.scrollTo(0, 0), true)`)
			do(t, b, "send a message that is too long", chromedp.Click(css("#say button")))
			waitJS(t, b, `!document.getElementById('say-error').hidden`)
			if got := text(t, b, "#say-error"); !strings.Contains(got, "8000") {
				t.Errorf("the error under the form says %q", got)
			}
			if !eval[bool](t, b, `(() => { const f = document.getElementById('say').getBoundingClientRect(), e = document.getElementById('say-error').getBoundingClientRect();
				return e.top >= f.top && e.bottom <= f.bottom + 1 && e.top >= 0 && e.bottom <= window.innerHeight; })()`) {
				t.Error("the error is not next to the form it is about, in view")
			}
			if n := eval[int](t, b, `document.getElementById('say-text').value.length`); n != 8001 {
				t.Errorf("the refused text was not kept: %d characters left", n)
			}
			eval[bool](t, b, `(document.getElementById('say-text').value = '', true)`)
			do(t, b, "write to the resident", chromedp.SendKeys(css("#say-text"), "Hi, I'm a clinician, a person."), chromedp.Click(css("#say button")))
			waitJS(t, b, `document.getElementById('say-text').value === '' && document.getElementById('say-error').hidden`)

			do(t, b, "resolve",
				chromedp.SetValue(css("#disposition"), "safety_plan_made"),
				chromedp.SendKeys(css("#note"), "safety plan"),
				chromedp.Click(css("#resolve button")),
			)
			waitJS(t, b, `document.getElementById('state-note').textContent.includes('Resolved')`)
			actions("resolved", false, false, false)
		})
	}
}

// TestConsoleNavigationByRole: every console page links the pages the account's roles
// open, and no others; an account without the on-call role lands on links.
func TestConsoleNavigationByRole(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	links := map[string]string{"handoffs": `href="/console/"`, "review": `href="/console/review"`, "dashboard": `href="/console/dashboard"`, "audit": `href="/console/audit"`,
		"screens":    `href="/console/screens"`,
		"leadership": `href="/console/leadership"`}
	for _, tc := range []struct {
		user  string
		roles []string
		pages []string // pages this account opens
		want  []string // links in the navigation
	}{
		{"oncall", []string{"oncall"}, []string{"/console/"}, []string{"handoffs"}},
		{"reviewer", []string{"reviewer"}, []string{"/console/", "/console/review", "/console/dashboard"}, []string{"review", "dashboard"}},
		{"admin", []string{"admin"}, []string{"/console/", "/console/dashboard", "/console/audit"}, []string{"dashboard", "audit"}},
		{"counsellor", []string{"counsellor"}, []string{"/console/", "/console/screens"}, []string{"screens"}},
		{"leadership", []string{"leadership"}, []string{"/console/", "/console/leadership"}, []string{"leadership"}},
		{"everyone", []string{"oncall", "reviewer", "admin", "counsellor", "leadership"}, []string{"/console/", "/console/review", "/console/dashboard", "/console/audit", "/console/screens", "/console/leadership"},
			[]string{"handoffs", "review", "dashboard", "audit", "screens", "leadership"}},
	} {
		t.Run(tc.user, func(t *testing.T) {
			_, token := h.session(t, tc.user, tc.roles...)
			for _, page := range tc.pages {
				code, body := h.consoleGet(t, page, token)
				if code != http.StatusOK {
					t.Fatalf("%s: %d", page, code)
				}
				i := strings.Index(body, `id="console-nav"`)
				if i < 0 {
					t.Fatalf("%s has no navigation", page)
				}
				nav := body[i : i+strings.Index(body[i:], "</nav>")]
				for name, href := range links {
					want := strings.Contains(strings.Join(tc.want, " "), name)
					if got := strings.Contains(nav, href); got != want {
						t.Errorf("%s: link to %s shown %v, want %v", page, name, got, want)
					}
				}
			}
			_, landing := h.consoleGet(t, "/console/", token)
			if !slices.Contains(tc.roles, "oncall") && !strings.Contains(landing, `id="landing"`) {
				t.Error("an account without the on-call role lands on a page without links")
			}
		})
	}
}
