package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/assistant"
)

// smallTargets lists the visible buttons and fields inside sel shorter than 44 CSS pixels
// (the size a tired thumb can hit), and text fields whose font is under 16 px (a phone
// zooms the page into those).
func smallTargets(tb testing.TB, ctx context.Context, sel string) []string {
	tb.Helper()
	return eval[[]string](tb, ctx, `(() => {
	  const out = [];
	  for (const e of document.querySelectorAll(`+strconv.Quote(sel)+` + " :is(button, input, textarea, select, a.form-guide)")) {
	    if (!e.checkVisibility()) continue;
	    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
	    const name = e.tagName.toLowerCase() + "." + e.className + " " + JSON.stringify((e.textContent || e.value || "").slice(0, 30));
	    if (r.height < 43.5 && e.type !== "radio" && e.type !== "checkbox") out.push(name + " is " + r.height.toFixed(0) + "px tall");
	    const typed = e.tagName === "TEXTAREA" || (e.tagName === "INPUT" && ["text", "number", "search", "datetime-local"].includes(e.type));
	    if (typed && parseFloat(s.fontSize) < 16) out.push(name + " has a " + s.fontSize + " font");
	  }
	  return out;
	})()`)
}

// fitsWidth reports whether the element matching sel lies within the viewport's width.
func fitsWidth(tb testing.TB, ctx context.Context, sel string) bool {
	tb.Helper()
	return eval[bool](tb, ctx, `(() => { const r = document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect();
		return r.left >= 0 && r.right <= window.innerWidth + 0.5; })()`)
}

// checkForm measures the open form card: the page's layout rules, the card within the
// screen's width, and big enough tap targets and fields.
func checkForm(t *testing.T, b context.Context, page string) {
	t.Helper()
	checkLayout(t, b, page, "aside#crisis.crisis")
	if !fitsWidth(t, b, "#form-card") {
		t.Errorf("%s: the form card is wider than the screen", page)
	}
	if small := smallTargets(t, b, "#form-card"); len(small) > 0 {
		t.Errorf("%s: too small to use on a phone at night: %v", page, small)
	}
}

// TestFormsLayout opens the safety plan, a list step, the plan as kept, the + menu and a
// thought record's rating step at a phone's and a laptop's size, and a due check-in with
// its two answers, and measures what the resident sees.
func TestFormsLayout(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{push: true})
			b := browserAt(t, v)
			startChat(t, b, h.http.URL)
			if !visible(t, b, "#crisis #plan-btn") {
				t.Error("the safety plan is not one tap away in the crisis bar")
			}
			do(t, b, "open the plan", chromedp.Click(css("#plan-btn")), chromedp.WaitVisible(css("#form-card .form-intro")))
			checkForm(t, b, "plan intro")
			next(t, b, "Warning signs")
			do(t, b, "write two entries",
				chromedp.SendKeys(css("#form-card .entry-text.new"), "Not answering friends' texts\n"),
				chromedp.SendKeys(css("#form-card .entry-text.new"), "Skipping meals after nights"),
			)
			checkForm(t, b, "plan, a list step")
			screenshot(t, b, "plan-step-"+v.name)
			for _, step := range []string{"Things I can do on my own", "People and places that take my mind off things", "People I can tell when it's hard",
				"Professionals and crisis lines", "Making my surroundings safer", "My reasons to keep going"} {
				next(t, b, step)
			}
			next(t, b, "")
			do(t, b, "wait for the plan as kept", chromedp.WaitVisible(css("#form-card .form-view")))
			checkForm(t, b, "the plan as kept")
			screenshot(t, b, "plan-view-"+v.name)
			do(t, b, "close it", chromedp.Click(css("#form-card .form-close")))

			do(t, b, "open the menu", chromedp.Click(css("#tools-btn")), chromedp.WaitVisible(css("#tools")))
			checkLayout(t, b, "the + menu", "aside#crisis.crisis")
			if small := smallTargets(t, b, "#tools"); len(small) > 0 {
				t.Errorf("the + menu: %v", small)
			}
			if !visible(t, b, "#push-btn") {
				t.Error("with push keys set, the menu offers no notifications")
			}
			screenshot(t, b, "tools-"+v.name)
			do(t, b, "start a thought record", chromedp.Click(css(`#tools button[data-form="thought_record"]`)), chromedp.WaitVisible(css("#form-card .form-intro")))
			next(t, b, "What happened")
			do(t, b, "what happened", chromedp.SendKeys(css("#form-card textarea"), "Corrected on rounds"))
			for _, step := range []string{"The thought", "The feeling", "How strong"} {
				next(t, b, step)
			}
			checkForm(t, b, "a rating step")
			do(t, b, "close it", chromedp.Click(css("#form-card .form-close")))

			// A check-in that has come due, with its two answers.
			doc := h.newClinician(t, "lee")
			doc.onDuty()
			var conv, handoff string
			do(t, b, "raise a red flag", chromedp.SendKeys(css("#text"), redFlag), chromedp.Click(css("#send")), chromedp.WaitVisible(css(".msg.system.handoff")))
			if err := h.db.Pool.QueryRow(t.Context(), `SELECT conversation_id::text, id::text FROM handoffs WHERE status = 'waiting'`).Scan(&conv, &handoff); err != nil {
				t.Fatal(err)
			}
			id, _ := strconv.ParseInt(handoff, 10, 64)
			doc.send(map[string]any{"type": "claim", "handoff_id": id})
			due := time.Now().Add(time.Second)
			doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "checkin_at": due.UTC().Format(time.RFC3339Nano)})
			do(t, b, "the check-in is scheduled", chromedp.WaitVisible(css(".msg.system.checkin .checkin-when")))
			if !visible(t, b, ".msg.system.checkin .push-toggle") {
				t.Error("the scheduled check-in offers no notification")
			}
			time.Sleep(time.Until(due) + 200*time.Millisecond)
			do(t, b, "come back", chromedp.Reload(), chromedp.WaitVisible(css(".checkin-actions button")))
			checkLayout(t, b, "a due check-in", "aside#crisis.crisis")
			if small := smallTargets(t, b, ".checkin-actions"); len(small) > 0 {
				t.Errorf("the check-in's answers: %v", small)
			}
			screenshot(t, b, "checkin-"+v.name)
			do(t, b, "answer I'm OK", chromedp.Click(css(`.checkin-actions button[data-answer="ok"]`)), chromedp.WaitVisible(css(".checkin-done")))
			var answer string
			if err := h.db.Pool.QueryRow(t.Context(), `SELECT coalesce(answer, '') FROM checkins WHERE conversation_id = $1`, conv).Scan(&answer); err != nil || answer != "ok" {
				t.Errorf("the answer stored: %q (%v)", answer, err)
			}
		})
	}
}

// TestConsoleFollowupLayout shows the console's follow-up at a phone's and a laptop's
// size: the resolve form's check-in choice and the safety-plan action during a claimed
// handoff, the resident's plan beside the transcript, and an unanswered check-in.
func TestConsoleFollowupLayout(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{svcOptions: assistant.Options{CheckinGrace: time.Millisecond}})
			if _, err := h.accounts.Create(context.Background(), "dr.lee", "Dr Lee", consolePassword, []string{"oncall"}); err != nil {
				t.Fatal(err)
			}
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "dr.lee", consolePassword)
			do(t, b, "go on duty", chromedp.WaitVisible(css("#duty")), chromedp.Click(css("#duty")))
			waitJS(t, b, `document.getElementById("duty").checked`)
			res := h.dial(t, nil)
			residentRedFlag(t, res)
			do(t, b, "open and claim",
				chromedp.WaitVisible(css("#handoffs li button")), chromedp.Click(css("#handoffs li button")),
				chromedp.WaitVisible(css("#claim")), chromedp.Click(css("#claim")),
				chromedp.WaitVisible(css("#offer-plan")),
			)
			do(t, b, "start a safety plan with the resident", chromedp.Click(css("#offer-plan")))
			res.until(func(f frame) bool { return f.str("kind") == "form" && f.str("author") == "clinician" })
			res.send(map[string]any{"type": "form_save", "client_id": "p1", "kind": "safety_plan", "answers": calmPlan})
			do(t, b, "the plan shows beside the transcript", chromedp.WaitVisible(css("#resident-forms")), chromedp.Click(css("#resident-forms summary")))
			waitJS(t, b, `document.getElementById('forms-view').textContent.includes('My dog')`)
			checkLayout(t, b, "console with the resident's plan")
			if !visible(t, b, "#checkin-days") || !visible(t, b, "#checkin-at") {
				t.Error("the resolve form offers no check-in")
			}
			screenshot(t, b, "console-followup-"+v.name)

			do(t, b, "resolve with a check-in in a day",
				chromedp.Click(css(`input[name="checkin"][value="days"]`)),
				chromedp.Click(css("#resolve button")),
			)
			waitJS(t, b, `document.getElementById('state-note').textContent.includes('Resolved')`)
			if _, err := h.db.Pool.Exec(t.Context(), `UPDATE checkins SET due_at = now() - interval '1 minute'`); err != nil {
				t.Fatal(err)
			}
			do(t, b, "reload", chromedp.Reload(), chromedp.WaitVisible(css("#checkins li")))
			checkLayout(t, b, "console with an unanswered check-in")
			screenshot(t, b, "console-checkins-"+v.name)
			do(t, b, "close it", chromedp.Click(css("#checkins li .checkin-buttons button:last-child")))
			waitJS(t, b, `document.querySelectorAll('#checkins li').length === 0 && !document.getElementById('no-checkins').hidden`)
		})
	}
}
