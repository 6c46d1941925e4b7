package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// recordStreaming notes in window.__streamed whether a reply was ever shown while still
// streaming, before its final version replaced it.
const recordStreaming = `
window.__streamed = false;
new MutationObserver(() => { if (document.querySelector('.msg.streaming')) window.__streamed = true; })
  .observe(document.getElementById('log'), {childList: true, subtree: true, characterData: true});
true`

func TestChatPageInABrowser(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := newBrowser(t)

	do(t, ctx, "open the chat",
		chromedp.Navigate(h.http.URL),
		chromedp.WaitVisible(css("#start")),
	)
	crisisBar := text(t, ctx, "#crisis")
	do(t, ctx, "start a conversation",
		chromedp.SetValue(css("#role"), "resident"),
		chromedp.Click(css("#start-btn")),
		chromedp.WaitVisible(css(".msg.system.disclosure")),
	)
	disclosure := text(t, ctx, ".msg.system.disclosure .body")
	if !strings.Contains(crisisBar, "988") || !strings.Contains(crisisBar, "555-0100") {
		t.Errorf("crisis resources are not on screen: %q", crisisBar)
	}
	if !strings.Contains(disclosure, "AI assistant") || !strings.Contains(disclosure, "not a person") {
		t.Errorf("the conversation does not open with the AI disclosure: %q", disclosure)
	}

	eval[bool](t, ctx, recordStreaming)
	do(t, ctx, "send a message",
		chromedp.SendKeys(css("#text"), "after night float I can't fall asleep, any tips?"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css(".msg.assistant .cites")),
	)
	reply := text(t, ctx, ".msg.assistant .body")
	cites := text(t, ctx, ".msg.assistant .cites")
	if !eval[bool](t, ctx, `window.__streamed`) {
		t.Error("the reply was never shown streaming")
	}
	if reply == "" || !strings.Contains(cites, "Source:") || !strings.Contains(cites, "not yet clinically reviewed") {
		t.Errorf("want a cited reply marked as unreviewed sample content; reply %q, citations %q", reply, cites)
	}

	// A reload keeps the conversation, without duplicates.
	do(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(css(".msg.assistant .cites")))
	residents := eval[int](t, ctx, `document.querySelectorAll('.msg.resident').length`)
	assistants := eval[int](t, ctx, `document.querySelectorAll('.msg.assistant').length`)
	first := text(t, ctx, ".msg.resident .body")
	if residents != 1 || assistants != 1 || !strings.Contains(first, "night float") {
		t.Errorf("after reload want the one exchange once; got %d resident, %d assistant messages (%q)", residents, assistants, first)
	}
}

func TestChatPageShowsMarkupAsText(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := newBrowser(t)
	const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
	startChat(t, ctx, h.http.URL)
	do(t, ctx, "send markup",
		chromedp.SendKeys(css("#text"), payload),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css(".msg.resident:not(.unsent)")),
		chromedp.WaitVisible(css(".msg.assistant")),
	)
	if shown := text(t, ctx, ".msg.resident .body"); shown != payload {
		t.Errorf("the message was not shown literally: %q", shown)
	}
	if xss := eval[bool](t, ctx, `window.__xss !== undefined`); xss {
		t.Error("script in a message ran")
	}
}

func TestThumbsDownQueuesTheConversationForReview(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := newBrowser(t)
	startChat(t, ctx, h.http.URL)
	do(t, ctx, "send a message and flag the reply",
		chromedp.SendKeys(css("#text"), "how do I get through my first night on call"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css(".msg.assistant .feedback button")),
		chromedp.Click(css(".msg.assistant .feedback button")),
		chromedp.SendKeys(css(".msg.assistant .feedback input"), "too generic"),
		chromedp.Click(css(`.msg.assistant .feedback button[value="harmful"]`)),
	)
	if got := waitText(t, ctx, ".msg.assistant .feedback .thanks"); !strings.Contains(got, "clinician will review") {
		t.Fatalf("no confirmation after the thumbs-down: %q", got)
	}
	var n int
	if err := h.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM review_feedback WHERE rating = 'harmful'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("want the harmful rating stored once, got %d rows", n)
	}
}
