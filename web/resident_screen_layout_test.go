package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// answerQuestion waits for question to be the one shown on the screening page and taps
// its option at index (0 for the first); index -1 skips it.
func answerQuestion(t *testing.T, b context.Context, question string, index int) {
	t.Helper()
	waitJS(t, b, `(() => { const q = document.querySelector('fieldset.question:not([hidden])'); return q && q.dataset.question === "`+question+`"; })()`)
	if index < 0 {
		do(t, b, "skip "+question, chromedp.Click(css("fieldset.question:not([hidden]) .skip")))
		return
	}
	do(t, b, fmt.Sprintf("answer %s with option %d", question, index),
		chromedp.Click(css(fmt.Sprintf("fieldset.question:not([hidden]) label.option:nth-of-type(%d)", index+1))))
}

// tapTargets measures the answers of the question on screen: the smallest height, and the
// smallest width as a share of the question's width.
type tapTargets struct {
	MinHeight float64 `json:"min_height"`
	MinShare  float64 `json:"min_share"`
	Count     int     `json:"count"`
}

const tapTargetsJS = `(() => {
  const q = document.querySelector('fieldset.question:not([hidden])');
  const w = q.getBoundingClientRect().width;
  const opts = [...q.querySelectorAll('label.option')].map(o => o.getBoundingClientRect());
  return {min_height: Math.min(...opts.map(r => r.height)), min_share: Math.min(...opts.map(r => r.width / w)), count: opts.length};
})()`

// TestScreenPageFits opens the screening page at a phone's and a laptop's size and measures
// what a tired resident sees: the crisis banner one tap away (the only sticky element),
// nothing [hidden] shown, nothing wider than the screen, one question at a time whose
// answers are whole-width targets at least 44 px tall, the progress, and the results with
// the counsellor's promise and the way back to the conversation.
func TestScreenPageFits(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			b := browserAt(t, v)
			do(t, b, "open the screening page", chromedp.Navigate(h.http.URL+"/screen"), chromedp.WaitVisible(css("#begin")))
			checkLayout(t, b, "screening intro", "aside#crisis.crisis")
			if !visible(t, b, `#crisis a[href="tel:988"]`) || !visible(t, b, "#role-box") || !visible(t, b, "#chat-link") {
				t.Error("the intro lacks the crisis numbers, the role (no conversation yet) or the way back to the chat")
			}
			if n := eval[int](t, b, `document.querySelectorAll('#choose input:checked').length`); n != 3 {
				t.Errorf("%d questionnaires chosen by default, want all 3", n)
			}
			screenshot(t, b, "screen-intro-"+v.name)

			do(t, b, "start", chromedp.Click(css("#begin")))
			waitJS(t, b, `document.querySelector('fieldset.question:not([hidden])')`)
			checkLayout(t, b, "a question", "aside#crisis.crisis")
			if n := eval[int](t, b, `document.querySelectorAll('fieldset.question:not([hidden])').length`); n != 1 {
				t.Errorf("%d questions shown at once, want 1", n)
			}
			if got := text(t, b, "#progress-text"); !strings.Contains(got, "question 1 of 10") || !strings.Contains(got, "PHQ-9") {
				t.Errorf("progress says %q", got)
			}
			tt := eval[tapTargets](t, b, tapTargetsJS)
			if tt.Count != 4 || tt.MinHeight < 44 || tt.MinShare < 0.9 {
				t.Errorf("answers: %+v; want 4 whole-width answers at least 44 px tall", tt)
			}
			if !visible(t, b, `#crisis a[href="tel:988"]`) {
				t.Error("the crisis numbers are not on screen during the questions")
			}
			screenshot(t, b, "screen-question-"+v.name)

			// The burnout question alone, then its result.
			eval[bool](t, b, `(localStorage.removeItem("nightfloat.screen"), true)`)
			do(t, b, "back to the intro", chromedp.Reload(), chromedp.WaitVisible(css("#begin")))
			do(t, b, "choose burnout only", chromedp.Click(css(`#choose input[value="phq9"]`)), chromedp.Click(css(`#choose input[value="gad7"]`)),
				chromedp.Click(css("#begin")))
			answerQuestion(t, b, "burnout_1", 3)
			waitJS(t, b, `document.querySelectorAll('#result-list li.result:not(.pending)').length === 1`)
			checkLayout(t, b, "results", "aside#crisis.crisis")
			if got := text(t, b, "#result-list"); !strings.Contains(got, "4 on a scale of 1 to 5") || !strings.Contains(got, "burnout") {
				t.Errorf("result says %q", got)
			}
			if !visible(t, b, "#counsellor-note") || !visible(t, b, "#to-chat") {
				t.Error("the results lack the counsellor's promise or the way to the conversation")
			}
			screenshot(t, b, "screen-results-"+v.name)
		})
	}
}
