package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Phone and Desktop are window sizes tests pass to New.
var (
	Phone   = [2]int{412, 915}
	Desktop = [2]int{1280, 1000}
)

// New starts headless Chromium (NIGHTFLOAT_CHROME, or chromium on PATH; the README's test
// command installs Debian's package) with a window of size, and returns a tab's context,
// closed when the test ends. A missing browser fails the test: browser tests never skip.
// The flags keep Chromium off the network, which this machine does not have.
func New(tb testing.TB, size [2]int) context.Context {
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
		chromedp.WindowSize(size[0], size[1]),
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
