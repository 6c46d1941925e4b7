package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat/selfhelp"
)

// phone is the phone size of the layout kit (390×844).
var phone = layoutSizes[0]

// next presses the form's forward button and waits for the step (or view) after it.
func next(t *testing.T, b context.Context, wantStep string) {
	t.Helper()
	tap(t, b, "#form-card .form-next")
	if wantStep != "" {
		waitJS(t, b, `(document.querySelector('#form-card .form-step') || {}).textContent === `+jsString(wantStep))
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// storedForms reads the conversation's kept forms of a kind, as JSON.
func storedForms(t *testing.T, h *harness, kind selfhelp.Kind) []string {
	t.Helper()
	rows, err := h.db.Pool.Query(t.Context(), `SELECT answers::text FROM selfhelp_forms WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestSafetyPlanOnAPhone fills in a safety plan from the crisis bar, one step at a time,
// at a phone's size; reloads and finds it kept; and then types a red flag into a plan
// entry, which hands the conversation to a clinician like a message: the AI stops and the
// handoff notice with crisis resources appears.
func TestSafetyPlanOnAPhone(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := browserAt(t, phone)
	startChat(t, b, h.http.URL)
	waitShown(t, b, "#plan-btn")

	// The plan, one tap from the crisis bar.
	tap(t, b, "#crisis #plan-btn")
	waitShown(t, b, "#form-card .form-intro")
	screenshot(t, b, "plan-intro-phone")
	next(t, b, "Warning signs")
	do(t, b, "write a warning sign",
		chromedp.SendKeys(css("#form-card .entry-text"), "Replaying a case in bed for hours"),
	)
	screenshot(t, b, "plan-step1-phone")
	next(t, b, "Things I can do on my own")
	tap(t, b, "#form-card .example")
	if got := eval[string](t, b, `document.querySelector('#form-card .entry-text').value`); got != "A hot shower" {
		t.Errorf("tapping an example filled in %q", got)
	}
	for _, step := range []string{"People and places that take my mind off things", "People I can tell when it's hard",
		"Professionals and crisis lines", "Making my surroundings safer", "My reasons to keep going"} {
		next(t, b, step)
	}
	do(t, b, "write a reason", chromedp.SendKeys(css("#form-card .entry-text"), "My dog"))
	next(t, b, "")
	waitJS(t, b, `document.querySelector('#form-card .form-view') && document.querySelector('#form-card .form-view').textContent.includes('My dog')`)
	screenshot(t, b, "plan-view-phone")
	plans := storedForms(t, h, selfhelp.KindSafetyPlan)
	if len(plans) != 1 || !strings.Contains(plans[0], "Replaying a case") || !strings.Contains(plans[0], "A hot shower") || !strings.Contains(plans[0], "My dog") {
		t.Fatalf("kept plans: %v", plans)
	}

	// A reload: the plan is still there, one tap away.
	do(t, b, "reload", chromedp.Reload(), chromedp.WaitVisible(css("#plan-btn")))
	// The plan comes back with the conversation's replay; until then the button would start a new one.
	waitJS(t, b, `document.querySelector('.msg [data-form^="safety_plan"]') !== null`)
	tap(t, b, "#plan-btn")
	waitShown(t, b, "#form-card .form-view")
	if got := text(t, b, "#form-card .form-view"); !strings.Contains(got, "My dog") || !strings.Contains(got, "Replaying a case") {
		t.Errorf("after a reload the plan shows %q", got)
	}
	tap(t, b, "#form-card .form-close")

	// A red flag typed into the plan hands off.
	tap(t, b, "#plan-btn")
	waitShown(t, b, "#form-card .form-edit")
	tap(t, b, "#form-card .form-edit")
	waitShown(t, b, "#form-card .entry-text")
	inputs := eval[int](t, b, `document.querySelectorAll('#form-card .entry-text').length`)
	do(t, b, "type a red flag into a new entry",
		chromedp.SendKeys(css("#form-card .entry-text.new"), "I keep thinking about killing myself and I have a plan"),
	)
	if inputs < 2 {
		t.Fatalf("the warning signs step offers no empty entry for a new line (%d boxes)", inputs)
	}
	tap(t, b, "#form-card .form-next")
	do(t, b, "wait for the handoff", chromedp.WaitVisible(css(".msg.system.handoff")))
	if got := text(t, b, ".msg.system.handoff .body"); !strings.Contains(got, "988") || !strings.Contains(got, "clinician") {
		t.Errorf("the handoff notice: %q", got)
	}
	waitJS(t, b, `document.getElementById('status').textContent.includes('clinician')`)
	var open int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM handoffs WHERE status = 'waiting'`).Scan(&open); err != nil || open != 1 {
		t.Errorf("open handoffs after a red flag in the plan: %d (%v)", open, err)
	}
	if n := eval[int](t, b, `document.querySelectorAll('.msg.assistant').length`); n != 0 {
		t.Errorf("the AI answered (%d replies)", n)
	}
	checkLayout(t, b, "after a red flag in the plan", "aside#crisis.crisis")
	screenshot(t, b, "plan-red-flag-phone")
}

// TestThoughtRecordOnAPhone fills in a thought record from the + menu at a phone's size,
// through its rating step, and finds it kept, with a link to the guide that explains it.
func TestThoughtRecordOnAPhone(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := browserAt(t, phone)
	startChat(t, b, h.http.URL)
	// A thought record from the + menu.
	do(t, b, "start a thought record",
		chromedp.Click(css("#tools-btn")),
		chromedp.WaitVisible(css(`#tools button[data-form="thought_record"]`)),
		chromedp.Click(css(`#tools button[data-form="thought_record"]`)),
		chromedp.WaitVisible(css("#form-card .form-guide")),
	)
	if href := eval[string](t, b, `document.querySelector('#form-card .form-guide').getAttribute('href')`); href != "/guides/thought-records" {
		t.Errorf("the thought record links to %q for its explanation", href)
	}
	next(t, b, "What happened")
	do(t, b, "what happened", chromedp.SendKeys(css("#form-card textarea"), "My attending corrected my plan on rounds"))
	next(t, b, "The thought")
	do(t, b, "the thought", chromedp.SendKeys(css("#form-card textarea"), "Everyone can see I don't know what I'm doing"))
	next(t, b, "The feeling")
	do(t, b, "the feeling", chromedp.SendKeys(css("#form-card textarea"), "Ashamed"))
	next(t, b, "How strong")
	do(t, b, "rate it", chromedp.SetValue(css("#form-card .rating-range"), "70"))
	eval[bool](t, b, `(document.querySelector('#form-card .rating-range').dispatchEvent(new Event('input')), true)`)
	screenshot(t, b, "thought-record-rating-phone")
	for _, step := range []string{"What fits the thought", "What doesn't fit", "A fairer way to see it"} {
		next(t, b, step)
	}
	do(t, b, "a fairer thought", chromedp.SendKeys(css("#form-card textarea"), "I got one part wrong and was corrected; that is how residents learn"))
	next(t, b, "How strong now")
	next(t, b, "")
	waitJS(t, b, `document.getElementById('form-card').hidden`)
	waitJS(t, b, `[...document.querySelectorAll('.msg.resident.form')].some(m => m.textContent.includes('thought record'))`)
	records := storedForms(t, h, selfhelp.KindThoughtRecord)
	if len(records) != 1 || !strings.Contains(records[0], `"intensity": 70`) || !strings.Contains(records[0], "fairer") && !strings.Contains(records[0], "residents learn") {
		t.Fatalf("kept thought records: %v", records)
	}

}
