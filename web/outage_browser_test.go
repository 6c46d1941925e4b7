package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/postgres/postgrestest"
)

// TestDatabaseOutageUnderOpenPages stops the database under an open chat page and an open
// console, in a real browser. While it is down the resident sends two messages and the
// clinician clicks a handoff. The chat page must show one "reconnecting" state and at most
// one crisis notice however many resends fail; the console must show that the database is
// unreachable and must not sign the clinician out. Once the database is back both messages
// are stored exactly once, the notice goes, and the clinician is still signed in.
func TestDatabaseOutageUnderOpenPages(t *testing.T) {
	h := newHarness(t, harnessOptions{site: func(o *Options) { o.DutyRenew = 300 * time.Millisecond }})
	ctx := context.Background()
	if _, err := h.accounts.Create(ctx, "dr.lee", "Dr Lee", "correct horse battery staple 42", []string{"oncall"}); err != nil {
		t.Fatal(err)
	}
	console := newBrowser(t)
	resident, cancel := chromedp.NewContext(console)
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
	waitFor(t, 10*time.Second, func() bool { on, err := h.accounts.OnDuty(ctx); return err == nil && len(on) == 1 })
	startChat(t, resident, h.http.URL)
	do(t, resident, "raise a red flag",
		chromedp.SendKeys(css("#text"), "i keep thinking about ending my life, i have the pills saved up"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css(".msg.system.handoff")),
	)
	waitJS(t, console, `document.querySelector("#handoffs li button")`)
	shownBefore := eval[int](t, resident, `document.querySelectorAll('#log > li').length`)
	crisisBefore := eval[int](t, resident, `document.querySelectorAll('#log > li.crisis').length`)

	postgrestest.SetConnections(t, h.db.URL, false) // the database goes away
	down := time.Now()
	do(t, resident, "send two messages while the database is down",
		chromedp.SendKeys(css("#text"), "are you still there?"),
		chromedp.Click(css("#send")),
		chromedp.SendKeys(css("#text"), "my partner is home now"),
		chromedp.Click(css("#send")),
	)
	do(t, console, "click the handoff while the database is down", chromedp.Click(css("#handoffs li button")))
	waitJS(t, console, `document.getElementById("conn").dataset.state === "db-down"`)
	// Several resends fail meanwhile (1s, 2s, 4s… with jitter).
	for time.Since(down) < 12*time.Second {
		if path := eval[string](t, console, `location.pathname`); path != "/console/" {
			t.Fatalf("the console left for %s while the database was down: a server error treated as a logout", path)
		}
		time.Sleep(500 * time.Millisecond)
	}
	added := eval[int](t, resident, `document.querySelectorAll('#log > li:not(.unsent)').length`) - shownBefore
	crisis := eval[int](t, resident, `document.querySelectorAll('#log > li.crisis').length`) - crisisBefore
	if added > 1 || crisis > 1 {
		t.Errorf("during the outage the chat page added %d notices (%d crisis blocks); want at most one", added, crisis)
	}
	if s := text(t, resident, "#status"); !strings.Contains(strings.ToLower(s), "reconnecting") {
		t.Errorf("the chat page should say it is reconnecting, says %q", s)
	}
	if n := eval[int](t, resident, `document.querySelectorAll('#log > li.unsent').length`); n != 2 {
		t.Errorf("%d unsent messages kept on the page, want 2", n)
	}

	postgrestest.SetConnections(t, h.db.URL, true) // it comes back
	waitJSWithin(t, resident, 45*time.Second, `document.querySelectorAll('#log > li.unsent').length === 0`)
	waitJSWithin(t, resident, 5*time.Second, `document.querySelectorAll('#log > li.outage').length === 0`)
	var stored int
	if err := h.db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE author = 'resident' AND body IN ('are you still there?', 'my partner is home now')`).Scan(&stored); err != nil || stored != 2 {
		t.Errorf("%d of the two messages stored (%v), want each exactly once", stored, err)
	}
	waitJSWithin(t, console, 15*time.Second, `document.getElementById("conn").dataset.state === "ok"`)
	do(t, console, "reload the console after recovery", chromedp.Reload(), chromedp.WaitVisible(css("#duty")))
	if path := eval[string](t, console, `location.pathname`); path != "/console/" {
		t.Errorf("after recovery the clinician is at %s, want still signed in at /console/", path)
	}
}
