package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat/assistant"
	"nightfloat/clinician"
)

// TestScreenInBrowser fills in all three questionnaires at a phone's size, as a resident
// would: from the chat's header to the screening page of the same conversation, one tap per
// answer (skipping the PHQ-9's unscored last question), the results in plain words, and
// back to the conversation, where the results are and where the counsellor's reply then
// arrives, marked as a counsellor's, with the next step's number tappable.
func TestScreenInBrowser(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := newBrowser(t)
	startChat(t, b, h.http.URL)
	if !visible(t, b, "#screen-link") {
		t.Fatal("the chat's header has no way to the wellbeing questionnaire")
	}
	do(t, b, "open the questionnaire from the chat", chromedp.Click(css("#screen-link")), chromedp.WaitVisible(css("#begin")))
	if visible(t, b, "#role-box") {
		t.Error("the screening page asks for a role although the conversation exists")
	}
	do(t, b, "start", chromedp.Click(css("#begin")))
	for i, a := range []int{2, 1, 2, 1, 0, 1, 0, 0, 0} { // PHQ-9: 7, mild; item 9 "Not at all"
		answerQuestion(t, b, fmt.Sprintf("phq9_%d", i+1), a)
	}
	answerQuestion(t, b, "phq9_difficulty", -1)
	for i := 1; i <= 7; i++ { // GAD-7: 14, moderate
		answerQuestion(t, b, fmt.Sprintf("gad7_%d", i), 2)
	}
	answerQuestion(t, b, "burnout_1", 2) // 3: burnout
	waitJS(t, b, `document.querySelectorAll('#result-list li.result:not(.pending)').length === 3`)
	got := text(t, b, "#result-list")
	for _, want := range []string{"7 out of 27 · mild", "14 out of 21 · moderate", "3 on a scale of 1 to 5 · burnout", "talking it through with a professional"} {
		if !strings.Contains(got, want) {
			t.Errorf("results lack %q: %q", want, got)
		}
	}
	checkLayout(t, b, "results", "aside#crisis.crisis")

	ctx := context.Background()
	var convID string
	var total int
	var answers string
	if err := h.db.Pool.QueryRow(ctx, `SELECT conversation_id::text, total, answers::text FROM screens WHERE instrument = 'phq9'`).Scan(&convID, &total, &answers); err != nil {
		t.Fatal(err)
	}
	if total != 7 || strings.Contains(answers, "difficulty") {
		t.Errorf("stored PHQ-9: total %d, answers %s", total, answers)
	}
	var n int
	if err := h.db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT conversation_id) FROM screens`).Scan(&n, new(int)); err != nil || n != 3 {
		t.Fatalf("%d screens stored (%v)", n, err)
	}

	do(t, b, "go to the conversation", chromedp.Click(css("#to-chat")), chromedp.WaitVisible(css(".msg.system.disclosure")))
	waitJS(t, b, `[...document.querySelectorAll('.msg.system')].filter(m => m.textContent.includes('A counsellor')).length === 3`)

	// The counsellor replies; the open chat shows it live, as a counsellor's message.
	cases, err := h.svc.ScreensAwaiting(ctx)
	if err != nil || len(cases) != 1 || cases[0].ConversationID != convID {
		t.Fatalf("waiting cases %+v, %v", cases, err)
	}
	cara := h.signIn(t, "cara", clinician.RoleCounsellor)
	if _, err := h.svc.ReplyToScreen(ctx, assistant.Clinician{ID: cara.c.ID, Actor: cara.c.Actor()}, cases[0].Pressing.ID,
		"Hi, I'm a counsellor with the programme. Thank you for checking in — would a call this week help?", "physician_support_line"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, `document.querySelector('.msg.clinician.counsellor')`)
	if who := text(t, b, ".msg.clinician.counsellor .who"); !strings.Contains(strings.ToLower(who), "counsellor") {
		t.Errorf("the reply is labelled %q", who)
	}
	if !visible(t, b, `.msg.clinician.counsellor a[href="tel:+18884090141"]`) {
		t.Error("the Physician Support Line's number in the reply is not tappable")
	}
	checkLayout(t, b, "the chat with the counsellor's reply", "aside#crisis.crisis")
	screenshot(t, b, "screen-reply-in-chat-phone")
}

// TestScreenItem9InBrowser: a resident with no conversation yet answers PHQ-9 item 9 above
// "Not at all" at a phone's size. The results say at once that a clinician is being
// connected, with the crisis numbers tappable, and the conversation the page started shows
// the handoff.
func TestScreenItem9InBrowser(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := newBrowser(t)
	do(t, b, "open the questionnaire", chromedp.Navigate(h.http.URL+"/screen"), chromedp.WaitVisible(css("#begin")))
	do(t, b, "choose the PHQ-9 as a nurse",
		chromedp.Click(css(`#choose input[value="gad7"]`)),
		chromedp.Click(css(`#choose input[value="burnout"]`)),
		chromedp.SetValue(css("#role"), "nurse"),
		chromedp.Click(css("#begin")),
	)
	for i := 1; i <= 8; i++ {
		answerQuestion(t, b, fmt.Sprintf("phq9_%d", i), 0)
	}
	answerQuestion(t, b, "phq9_9", 1)
	answerQuestion(t, b, "phq9_difficulty", 1)
	waitJS(t, b, `document.querySelector('#result-list li.result.handoff')`)
	if got := text(t, b, "#result-list li.result.handoff"); !strings.Contains(got, "connecting you with a clinician") {
		t.Errorf("the handoff result says %q", got)
	}
	if !visible(t, b, `#result-list li.handoff a[href="tel:988"]`) {
		t.Error("the crisis numbers under the handoff result are not tappable")
	}
	checkLayout(t, b, "item-9 results", "aside#crisis.crisis")
	screenshot(t, b, "screen-item9-phone")
	var role, mode string
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT c.role, c.mode FROM conversations c JOIN screens s ON s.conversation_id = c.id`).Scan(&role, &mode); err != nil {
		t.Fatal(err)
	}
	if role != "nurse" || mode != "human" {
		t.Errorf("conversation %s in mode %s, want nurse in human", role, mode)
	}
	do(t, b, "go to the conversation", chromedp.Click(css("#to-chat")), chromedp.WaitVisible(css(".msg.system.handoff")))
	waitJS(t, b, `document.getElementById('ai-note').textContent.includes('Waiting for a clinician')`)
}
