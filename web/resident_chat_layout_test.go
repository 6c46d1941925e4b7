package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// concernMessage is distress without a red flag: the reply ends with people to reach.
const concernMessage = "I've been so burnt out and sad lately, I cry in the car after every shift"

// TestChatLayout follows a conversation through a reply with resources, a handoff that
// nobody on duty answers at first, a clinician's messages and a resolve, at a phone's and a
// laptop's size, and measures what the resident sees: no message over another, only the
// crisis banner sticky, nothing [hidden] on screen, the feedback form closed until asked
// for, a one-line resource note under a reply with tappable numbers, and on a phone a
// header, banner and composer that leave the conversation most of the screen.
func TestChatLayout(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			b := browserAt(t, v)
			startChat(t, b, h.http.URL)
			do(t, b, "start a conversation",
				chromedp.SendKeys(css("#text"), concernMessage),
				chromedp.Click(css("#send")),
				chromedp.WaitVisible(css(".msg.assistant .reach")),
			)
			waitJS(t, b, `!document.querySelector('.msg.streaming')`)
			checkLayout(t, b, "after a reply", "aside#crisis.crisis")
			screenshot(t, b, "chat-reply-"+v.name)

			// The reply's resources: one short line with tappable numbers, the rest folded.
			if !visible(t, b, `.msg.assistant .reach a[href="tel:988"]`) || !visible(t, b, `.msg.assistant .reach a[href="sms:988"]`) {
				t.Error("the reply's first resource has no tappable call and text links for 988")
			}
			if visible(t, b, ".msg.assistant .reach ul") {
				t.Error("the reply shows the whole resource list before it is asked for")
			}
			if hgt := height(t, b, ".msg.assistant .reach"); hgt > 90 {
				t.Errorf("the folded resource note is %.0f px tall, want one or two lines", hgt)
			}
			do(t, b, "open the list", chromedp.Click(css(".msg.assistant .reach-more")))
			if !visible(t, b, ".msg.assistant .reach ul") || !visible(t, b, `.msg.assistant .reach ul a[href="tel:+18884090141"]`) {
				t.Error("More ways to reach a person does not open the list with tappable numbers")
			}

			// The feedback form is closed until "Not right?" is pressed.
			if visible(t, b, ".msg.assistant .feedback form") {
				t.Error("the feedback form is open under the reply before anyone asked for it")
			}
			do(t, b, "press Not right?", chromedp.Click(css(".msg.assistant .feedback .link")))
			if !visible(t, b, ".msg.assistant .feedback form") || !visible(t, b, `.msg.assistant .feedback button[value="harmful"]`) {
				t.Error("Not right? does not open the feedback form")
			}
			do(t, b, "press Not right? again", chromedp.Click(css(".msg.assistant .feedback .link")))
			if visible(t, b, ".msg.assistant .feedback form") {
				t.Error("Not right? does not close the feedback form")
			}

			// A red flag with nobody on duty, then a clinician joins, writes and resolves.
			do(t, b, "raise a red flag",
				chromedp.SendKeys(css("#text"), redFlag),
				chromedp.Click(css("#send")),
				chromedp.WaitVisible(css(".msg.system.handoff")),
			)
			lee := h.newClinician(t, "lee")
			lee.onDuty()
			var handoff int64
			if err := h.db.Pool.QueryRow(t.Context(), `SELECT id FROM handoffs`).Scan(&handoff); err != nil {
				t.Fatal(err)
			}
			lee.send(map[string]any{"type": "claim", "handoff_id": handoff})
			for i, say := range []string{"Hi, I'm a clinician on call tonight, a person. Are you somewhere safe right now?",
				"Thank you for telling me. You can also call me back on 555-0100 at any time tonight."} {
				lee.send(map[string]any{"type": "say", "handoff_id": handoff, "client_id": fmt.Sprintf("c%d", i), "text": say})
			}
			waitJS(t, b, `document.querySelectorAll('.msg.clinician').length === 2`)
			do(t, b, "answer", chromedp.SendKeys(css("#text"), "yes, I'm at home"), chromedp.Click(css("#send")))
			waitJS(t, b, `[...document.querySelectorAll('.msg.resident:not(.unsent)')].length === 3`)
			lee.send(map[string]any{"type": "resolve", "handoff_id": handoff, "disposition": "safety_plan_made", "note": "plan made"})
			waitJS(t, b, `document.getElementById('status').textContent.includes('closed')`)

			checkLayout(t, b, "after a handoff and resolve", "aside#crisis.crisis")
			if !visible(t, b, ".msg.clinician a.tel") {
				t.Error("the number in the clinician's message is not a link")
			}
			if got := text(t, b, ".msg.system.handoff .body"); !strings.Contains(got, "988") {
				t.Errorf("the handoff notice lost its resources: %q", got)
			}
			if !visible(t, b, `.msg.system.handoff .reach-list a[href="tel:988"]`) {
				t.Error("the handoff notice's numbers are not tappable")
			}
			if v.phone {
				chrome := height(t, b, "header.top") + height(t, b, "#crisis") + height(t, b, "footer.composer")
				t.Logf("header, banner and composer: %.0f of %d px", chrome, v.h)
				if chrome > 0.32*float64(v.h) {
					t.Errorf("header, banner and composer take %.0f of %d px", chrome, v.h)
				}
			}
			screenshot(t, b, "chat-"+v.name)
		})
	}
}
