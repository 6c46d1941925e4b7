package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/review"
)

const xssPayload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> exams are crushing me`

// A reviewer works the queue in a real browser: log in, open the queue, claim the sampled
// conversation, rate it and submit; the dashboard then counts the review. The resident's
// message carries markup, which must show as text and never run.
func TestReviewInBrowser(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	xss := h.chat(t, "resident", xssPayload)
	var others []string
	for i := range 4 {
		others = append(others, h.chat(t, "nurse", fmt.Sprintf("tips for sleeping after nights, take %d?", i)).id)
	}
	// Every conversation is queued, by the random sample or (if the output check withheld
	// its reply) for that reason.
	if res := h.sample(t, review.SamplingOptions{RandomRate: 1}); res.Total() != 5 {
		t.Fatalf("sampled %+v", res.Queued)
	}
	// Four reviews already given today by a colleague: the dashboard shows "<5".
	seed := h.signIn(t, "rev-seed", "reviewer")
	q := review.NewQueue(h.db.Pool, h.audit, review.QueueOptions{SecondShare: -1})
	for _, conv := range others {
		var id int64
		if err := h.db.Pool.QueryRow(ctx, `SELECT id FROM review_items WHERE conversation_id = $1`, conv).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Claim(ctx, seed.c, id); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Submit(ctx, seed.c, id, review.Rubric{Escalation: review.EscalationNA, Accuracy: 4, Grounding: 4, Empathy: 4, RoleFit: 4}); err != nil {
			t.Fatal(err)
		}
	}
	var itemID int64
	if err := h.db.Pool.QueryRow(ctx, `SELECT id FROM review_items WHERE conversation_id = $1`, xss.id).Scan(&itemID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.accounts.Create(ctx, "rev-b", "Dr Browser", reviewPassword, []string{"reviewer"}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")
	reviewsCell := fmt.Sprintf(`#days tr[data-day="%s"] td.reviews`, today)

	b := newBrowser(t)
	do(t, b, "log in and look at the dashboard",
		chromedp.Navigate(h.http.URL+"/console/review"), // sent to the login page
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), "rev-b"),
		chromedp.SendKeys(css("#password"), reviewPassword),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("header.console-top")),
		chromedp.Navigate(h.http.URL+"/console/dashboard"),
		chromedp.WaitVisible(css("#days")),
	)
	if got := text(t, b, reviewsCell); got != "<5" {
		t.Fatalf("before: today's reviews cell %q, want <5", got)
	}
	item := fmt.Sprintf(`#queue tr[data-item="%d"] a.open-item`, itemID)
	do(t, b, "open the queue and the sampled conversation",
		chromedp.Navigate(h.http.URL+"/console/review"),
		chromedp.WaitVisible(css(item)),
		chromedp.Click(css(item)),
		chromedp.WaitVisible(css("#transcript")),
	)
	shown := text(t, b, "#transcript li.resident .body")
	if !strings.Contains(shown, `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`) {
		t.Errorf("the resident's markup is not shown literally: %q", shown)
	}
	if n := eval[int](t, b, `document.querySelectorAll("#transcript img, #transcript script").length`); n != 0 {
		t.Errorf("the transcript holds %d live img/script elements", n)
	}
	do(t, b, "claim",
		chromedp.Click(css("#claim")),
		chromedp.WaitVisible(css("#submit")),
	)
	if got := text(t, b, "#notice"); !strings.Contains(got, "Claimed") {
		t.Errorf("notice after claim: %q", got)
	}
	do(t, b, "rate and submit",
		chromedp.SetValue(css("#escalation"), "appropriate"),
		chromedp.SetValue(css("#score-accuracy"), "4"),
		chromedp.SetValue(css("#score-grounding"), "3"),
		chromedp.SetValue(css("#score-empathy"), "5"),
		chromedp.SetValue(css("#score-role_fit"), "4"),
		chromedp.SendKeys(css("#note"), "validating, but should name the exam resources"),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(".review-card")),
	)
	card := text(t, b, ".review-card")
	for _, want := range []string{"appropriate", "accuracy 4", "grounding 3", "empathy 5", "role fit 4", "should name the exam resources", "Dr Browser"} {
		if !strings.Contains(card, want) {
			t.Errorf("review card lacks %q: %q", want, card)
		}
	}
	do(t, b, "dashboard after the review",
		chromedp.Navigate(h.http.URL+"/console/dashboard"),
		chromedp.WaitVisible(css("#days")),
	)
	if got := text(t, b, reviewsCell); got != "5" {
		t.Errorf("after: today's reviews cell %q, want 5", got)
	}
	if got := eval[string](t, b, `[...document.querySelectorAll("#chart-reviews svg rect.bar title")].map(e => e.textContent).join(",")`); got != "5" {
		t.Errorf("reviews chart draws bars %q, want today's 5 reviews", got)
	}
	html := eval[string](t, b, `document.documentElement.outerHTML`)
	for _, bad := range []string{"__xss", "onerror", "exams are crushing", xss.id} {
		if strings.Contains(html, bad) {
			t.Errorf("the dashboard shows %q", bad)
		}
	}
	if n := eval[int](t, b, `document.scripts.length`); n != 0 {
		t.Errorf("the dashboard loads %d scripts", n)
	}
	if ran := eval[bool](t, b, `window.__xss !== undefined`); ran {
		t.Error("script from a resident's message ran")
	}
	// Back on the item: the review is shown and still nothing ran there either.
	do(t, b, "reopen the item", chromedp.Navigate(fmt.Sprintf("%s/console/review/items/%d", h.http.URL, itemID)), chromedp.WaitVisible(css("#transcript")))
	if ran := eval[bool](t, b, `window.__xss !== undefined`); ran {
		t.Error("script from a resident's message ran on the item page")
	}
}
