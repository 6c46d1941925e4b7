package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/internal/browsertest"
)

// newBrowser starts headless Chromium the size of a phone.
func newBrowser(tb testing.TB) context.Context { return browsertest.New(tb, browsertest.Phone) }

// do runs browser steps, failing the test with what was being done.
func do(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// text returns the visible text of the first element matching a CSS selector.
func text(tb testing.TB, ctx context.Context, css string) string {
	tb.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		tb.Fatalf("read text of %s: %v", css, err)
	}
	return s
}

// eval evaluates JavaScript in the page.
func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// waitText polls until the element matching css has non-empty text, and returns it.
func waitText(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+strconv.Quote(sel)+`) || {}).textContent || ""`))
		if err != nil {
			tb.Fatalf("read %s: %v", sel, err)
		}
		if s != "" {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s stayed empty", sel)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitJS polls until the JavaScript expression is true, for at most 15 seconds.
func waitJS(tb testing.TB, ctx context.Context, js string) {
	tb.Helper()
	waitJSWithin(tb, ctx, 15*time.Second, js)
}

// waitJSWithin polls until the JavaScript expression is true, for at most wait.
func waitJSWithin(tb testing.TB, ctx context.Context, wait time.Duration, js string) {
	tb.Helper()
	untilDone(tb, ctx, wait, "("+js+") ? \"\" : \"still false\"", js)
}

// untilDone evaluates js, an expression that returns "" once done or why not yet, every
// 100 ms for at most wait, and fails the test with the last reason and what.
func untilDone(tb testing.TB, ctx context.Context, wait time.Duration, js, what string) {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for {
		why, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			tb.Fatalf("evaluate %q: %v", what, err)
		}
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s after %v: %s", why, wait, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tap taps the element matching sel where a person would: it waits (at most 15 seconds)
// until the element is shown and its centre is not covered by anything else, and then
// clicks it in the same step, so that a layout moving between finding the element and
// pressing it (a message arriving above a form) cannot send the tap elsewhere.
func tap(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	js := `(() => {
	  const e = document.querySelector(` + strconv.Quote(sel) + `);
	  if (!e) return "missing";
	  e.scrollIntoView({ block: "nearest" });
	  const r = e.getBoundingClientRect();
	  if (!r.width || !r.height) return "not shown";
	  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	  if (!hit || (hit !== e && !e.contains(hit))) return "covered by " + (hit ? hit.tagName + "." + hit.className : "nothing");
	  e.click();
	  return "";
	})()`
	untilDone(tb, ctx, 15*time.Second, js, "tap "+sel)
}

// waitShown waits (at most 15 seconds) until the element matching sel is in the page with
// a size, and not hidden.
func waitShown(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	waitJS(tb, ctx, `(() => { const e = document.querySelector(`+strconv.Quote(sel)+`); if (!e || e.closest('[hidden]')) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 })()`)
}

// startChat opens the chat page at base and starts a conversation with the default role.
func startChat(tb testing.TB, ctx context.Context, base string) {
	tb.Helper()
	do(tb, ctx, "start a conversation",
		chromedp.Navigate(base),
		chromedp.WaitVisible(css("#start")),
		chromedp.Click(css("#start-btn")),
		chromedp.WaitVisible(css(".msg.system.disclosure")),
	)
}
