package web

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts headless Chromium (NIGHTFLOAT_CHROME, or chromium on PATH; the test
// command installs Debian's package) and returns a tab's context. A missing browser fails
// the test: browser tests never skip.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	path := os.Getenv("NIGHTFLOAT_CHROME")
	if path == "" {
		p, err := exec.LookPath("chromium")
		if err != nil {
			tb.Fatal("no Chromium: run the README's test command (make test), which installs it, or set NIGHTFLOAT_CHROME")
		}
		path = p
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(412, 915), // a phone
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

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

// waitJS polls until the JavaScript expression is true.
func waitJS(tb testing.TB, ctx context.Context, js string) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+js+")"))
		if err != nil {
			tb.Fatalf("evaluate %q: %v", js, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("still false after 15s: %s", js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
