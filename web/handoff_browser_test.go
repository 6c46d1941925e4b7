package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// xssProbe is markup that runs script if it is ever inserted as HTML.
const xssProbe = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`

// TestHandoffInTheBrowser follows a red flag through both pages: the resident's chat and
// an on-call clinician's console, in two tabs of one headless Chromium.
func TestHandoffInTheBrowser(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if _, err := h.accounts.Create(context.Background(), "dr.lee", "Dr Lee", "correct horse battery staple 42", []string{"oncall"}); err != nil {
		t.Fatal(err)
	}
	console := newBrowser(t)
	resident, cancel := chromedp.NewContext(console) // a second tab in the same browser
	defer cancel()

	do(t, console, "log in and go on duty",
		chromedp.Navigate(h.http.URL+"/console/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), "dr.lee"),
		chromedp.SendKeys(css("#password"), "correct horse battery staple 42"),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("#duty")),
		chromedp.Click(css("#duty")),
	)
	waitJS(t, console, `document.getElementById("duty").checked`)

	startChat(t, resident, h.http.URL)
	do(t, resident, "raise a red flag",
		chromedp.SendKeys(css("#text"), "i keep thinking about ending my life, i have the pills saved up "+xssProbe),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css(".msg.system.handoff")),
	)
	if n := eval[int](t, resident, `document.querySelectorAll('.msg.assistant').length`); n != 0 {
		t.Fatalf("the AI replied to a red flag (%d replies)", n)
	}
	if got := text(t, resident, ".msg.system.handoff .body"); !strings.Contains(got, "988") {
		t.Errorf("the handoff notice lacks crisis resources: %q", got)
	}

	alert := waitText(t, console, "#alert")
	if !strings.Contains(strings.ToLower(alert), "handoff waiting") {
		t.Errorf("no visible alert on the console: %q", alert)
	}
	do(t, console, "open the handoff",
		chromedp.Click(css("#handoffs li button")),
		chromedp.WaitVisible(css("#claim")),
	)
	// Stored XSS: the resident's markup reaches the console as text, and nothing runs.
	waitJS(t, console, `[...document.querySelectorAll('#transcript li')].some(li => li.textContent.includes('<img src=x onerror='))`)
	if eval[bool](t, console, `window.__xss !== undefined`) || eval[bool](t, resident, `window.__xss !== undefined`) {
		t.Fatal("markup in a resident's message ran as script")
	}
	do(t, console, "claim the handoff",
		chromedp.Click(css("#claim")),
		chromedp.WaitVisible(css("#say-text")),
		chromedp.SendKeys(css("#say-text"), "Hi, I'm Dr Lee, a person. Are you somewhere safe right now?"),
		chromedp.Click(css("#say button")),
	)
	do(t, resident, "see the clinician", chromedp.WaitVisible(css(".msg.clinician")))
	if got := text(t, resident, ".msg.clinician .body"); !strings.Contains(got, "Dr Lee") {
		t.Errorf("the clinician's message did not reach the resident: %q", got)
	}
	if who := text(t, resident, ".msg.clinician .who"); !strings.Contains(strings.ToLower(who), "a person") {
		t.Errorf("the page must say plainly that a clinician, not the AI, is writing: %q", who)
	}
	if note := text(t, resident, "#ai-note"); !strings.Contains(note, "clinician") {
		t.Errorf("the header should show a clinician is writing: %q", note)
	}

	do(t, resident, "answer",
		chromedp.SendKeys(css("#text"), "yes I'm at home with my partner"),
		chromedp.Click(css("#send")),
	)
	waitJS(t, console, `[...document.querySelectorAll('#transcript li')].some(li => li.textContent.includes('home with my partner'))`)

	do(t, console, "resolve",
		chromedp.SetValue(css("#disposition"), "safety_plan_made"),
		chromedp.SendKeys(css("#note"), "safety plan, follow-up with programme counselling"),
		chromedp.Click(css("#resolve button")),
	)
	waitJS(t, resident, `document.getElementById('status').textContent.includes('closed')`)
	var open int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM handoffs WHERE status <> 'resolved'`).Scan(&open); err != nil || open != 0 {
		t.Errorf("the handoff is still open: %d (%v)", open, err)
	}
}
