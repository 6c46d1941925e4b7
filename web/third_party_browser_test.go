package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/internal/browsertest"
)

// TestThirdPartyReplyInTheBrowser: on a phone and on a desktop, the third-party reply is
// on screen, whole, above the handoff notice and not overlapping it, and says what the
// resident must read first.
func TestThirdPartyReplyInTheBrowser(t *testing.T) {
	crisis := testCrisis
	crisis.ImpairedPracticePolicy = testImpairedPolicy
	h := newHarness(t, harnessOptions{crisis: &crisis})
	sizes := []struct {
		name string
		size [2]int
	}{{"phone 390x844", [2]int{390, 844}}, {"desktop 1280x800", [2]int{1280, 800}}}
	messages := []struct {
		name, text, want string
	}{
		{"someone in danger", "my roommate has a gun and says he's going to end it tonight", "Someone is in danger right now"},
		{"impaired colleague", "my attending came in drunk and is operating right now", testImpairedPolicy},
	}
	for _, sz := range sizes {
		for _, m := range messages {
			t.Run(sz.name+"/"+m.name, func(t *testing.T) {
				ctx := browsertest.New(t, sz.size)
				do(t, ctx, "send the message",
					chromedp.EmulateViewport(int64(sz.size[0]), int64(sz.size[1])),
					chromedp.Navigate(h.http.URL),
					chromedp.WaitVisible(css("#start")),
					chromedp.Click(css("#start-btn")),
					chromedp.WaitVisible(css(".msg.system.disclosure")),
					chromedp.SendKeys(css("#text"), m.text),
					chromedp.Click(css("#send")),
					chromedp.WaitVisible(css(".msg.system.handoff")),
					chromedp.WaitVisible(css(".msg.system.crisis")),
					chromedp.Sleep(1500*time.Millisecond),
				)
				if got := text(t, ctx, ".msg.system.crisis .body"); !strings.Contains(got, m.want) {
					t.Errorf("the third-party reply lacks %q: %q", m.want, got)
				}
				// The page keeps the newest message in view; a person scrolls up to the
				// reply. Scrolled into view, it must be whole on screen and uncovered.
				geom := eval[map[string]float64](t, ctx, `(() => {
					const el = document.querySelector('.msg.system.crisis');
					el.scrollIntoView({block: 'start'});
					const r = el.getBoundingClientRect();
					const h = document.querySelector('.msg.system.handoff').getBoundingClientRect();
					const cx = r.left + r.width / 2, cy = Math.min(r.top + 20, window.innerHeight - 1);
					const hit = document.elementFromPoint(cx, cy);
					return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
						htop: h.top, vw: document.documentElement.clientWidth, vh: window.innerHeight,
						uncovered: el.contains(hit) ? 1 : 0};
				})()`)
				if geom["vw"] != float64(sz.size[0]) {
					t.Fatalf("viewport width %v, want %d", geom["vw"], sz.size[0])
				}
				switch {
				case geom["width"] < 200 || geom["height"] < 40:
					t.Errorf("the third-party reply is too small to read: %v", geom)
				case geom["left"] < 0 || geom["right"] > geom["vw"]:
					t.Errorf("the third-party reply runs off the side of the screen: %v", geom)
				case geom["bottom"] > geom["htop"]+0.5:
					t.Errorf("the third-party reply is not above the handoff notice, or overlaps it: %v", geom)
				case geom["uncovered"] != 1:
					t.Errorf("the third-party reply is covered by another element: %v", geom)
				}
				if n := eval[int](t, ctx, `document.querySelectorAll('.msg.assistant').length`); n != 0 {
					t.Errorf("the AI replied (%d replies)", n)
				}
			})
		}
	}
}
