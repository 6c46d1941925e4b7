package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat/internal/browsertest"
)

// The layout kit: what a person sees on a page, measured by element geometry in headless
// Chromium at a phone's and a laptop's size. Every page test shares it.

// viewport is a screen size the pages must work at.
type viewport struct {
	name  string
	w, h  int64
	phone bool
}

var layoutSizes = []viewport{
	{name: "phone", w: 390, h: 844, phone: true},
	{name: "desktop", w: 1280, h: 800},
}

// browserAt starts headless Chromium whose page viewport is exactly v.
func browserAt(tb testing.TB, v viewport) context.Context {
	tb.Helper()
	ctx := browsertest.New(tb, [2]int{int(v.w), int(v.h)})
	var opts []chromedp.EmulateViewportOption
	if v.phone {
		opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile)
	}
	do(tb, ctx, "set the viewport to "+v.name, chromedp.EmulateViewport(v.w, v.h, opts...))
	return ctx
}

// layoutReport is what layoutJS measures on the page as it stands.
type layoutReport struct {
	Overlaps     []string `json:"overlaps"`      // pairs of messages (chat or transcript) whose boxes intersect
	Positioned   []string `json:"positioned"`    // elements with position sticky or fixed
	HiddenShown  []string `json:"hidden_shown"`  // [hidden] elements that take up space or display
	TableOverrun []string `json:"table_overrun"` // tables wider than their container (on a phone: and not in a scrolling wrapper)
	CellOverrun  []string `json:"cell_overrun"`  // table cells whose content spills out of them
	Covered      []string `json:"covered"`       // messages that, scrolled into view, are under something else
	PageOverflow float64  `json:"page_overflow"` // how far the page is wider than the viewport
	Viewport     [2]int   `json:"viewport"`
}

const layoutJS = `(() => {
  const rect = (e) => e.getBoundingClientRect();
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "") +
    (e.dataset && e.dataset.seq ? "[seq=" + e.dataset.seq + "]" : "");
  const out = {overlaps: [], positioned: [], hidden_shown: [], table_overrun: [], cell_overrun: [], covered: [],
    page_overflow: document.documentElement.scrollWidth - window.innerWidth, viewport: [window.innerWidth, window.innerHeight]};
  const msgs = [...document.querySelectorAll(".msg, .transcript > li")];
  for (let i = 0; i < msgs.length; i++) for (let j = i + 1; j < msgs.length; j++) {
    const a = rect(msgs[i]), b = rect(msgs[j]);
    const ix = Math.min(a.right, b.right) - Math.max(a.left, b.left), iy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (ix > 1 && iy > 1) out.overlaps.push(name(msgs[i]) + " / " + name(msgs[j]));
  }
  for (const e of document.querySelectorAll("body *")) {
    const p = getComputedStyle(e).position;
    if (p === "sticky" || p === "fixed") out.positioned.push(name(e));
  }
  for (const e of document.querySelectorAll("[hidden]")) {
    const r = rect(e);
    if (getComputedStyle(e).display !== "none" || r.width > 0 || r.height > 0) out.hidden_shown.push(name(e));
  }
  for (const t of document.querySelectorAll("table")) {
    const c = t.parentElement;
    // On a phone a wide table may scroll sideways inside its own wrapper; from 1000 px up
    // every table fits.
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(c).overflowX) && window.innerWidth < 1000;
    if (!scrolls && (t.scrollWidth > c.clientWidth + 1 || rect(t).right > rect(c).right + 1)) out.table_overrun.push(name(t) + " " + t.scrollWidth + "px in " + c.clientWidth + "px");
    for (const cell of t.querySelectorAll("td, th")) {
      if (cell.scrollWidth > cell.clientWidth + 1) { out.cell_overrun.push(name(t) + " cell " + JSON.stringify(cell.textContent.slice(0, 40))); break; }
    }
  }
  for (const m of msgs) {
    m.scrollIntoView({block: "center"});
    const r = rect(m);
    let top = Math.max(r.top, 0), bottom = Math.min(r.bottom, window.innerHeight);
    for (let a = m.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowY === "visible") continue;
      const q = rect(a); top = Math.max(top, q.top); bottom = Math.min(bottom, q.bottom);
    }
    const hit = bottom - top > 4 ? document.elementFromPoint(r.left + Math.min(20, r.width / 2), (top + bottom) / 2) : null;
    if (!hit || !m.contains(hit)) out.covered.push(name(m) + " under " + (hit ? name(hit) : "nothing (out of view)"));
  }
  return JSON.stringify(out);
})()`

// measure runs layoutJS on the page.
func measure(tb testing.TB, ctx context.Context) layoutReport {
	tb.Helper()
	var r layoutReport
	if err := json.Unmarshal([]byte(eval[string](tb, ctx, layoutJS)), &r); err != nil {
		tb.Fatalf("layout report: %v", err)
	}
	return r
}

// checkLayout fails the test for anything on the page that hides or spills: overlapping
// messages, a sticky or fixed element other than those allowed, a [hidden] element that
// shows, a table or cell wider than its container, a message under another element, a
// page wider than the screen.
func checkLayout(tb testing.TB, ctx context.Context, page string, allowedPositioned ...string) layoutReport {
	tb.Helper()
	r := measure(tb, ctx)
	if len(r.Overlaps) > 0 {
		tb.Errorf("%s: messages overlap: %v", page, r.Overlaps)
	}
	allowed := map[string]bool{}
	for _, a := range allowedPositioned {
		allowed[a] = true
	}
	for _, p := range r.Positioned {
		if !allowed[p] {
			tb.Errorf("%s: %s is sticky or fixed; only %v may be", page, p, allowedPositioned)
		}
	}
	if len(r.HiddenShown) > 0 {
		tb.Errorf("%s: elements with the hidden attribute are shown: %v", page, r.HiddenShown)
	}
	if len(r.TableOverrun) > 0 || len(r.CellOverrun) > 0 {
		tb.Errorf("%s: tables do not fit: %v %v", page, r.TableOverrun, r.CellOverrun)
	}
	if len(r.Covered) > 0 {
		tb.Errorf("%s: messages hidden under other elements: %v", page, r.Covered)
	}
	if r.PageOverflow > 1 {
		tb.Errorf("%s: the page is %.0f px wider than the %d px screen", page, r.PageOverflow, r.Viewport[0])
	}
	return r
}

// visible reports whether the element matching sel is rendered and takes up space.
func visible(tb testing.TB, ctx context.Context, sel string) bool {
	tb.Helper()
	return eval[bool](tb, ctx, `(() => { const e = document.querySelector(`+strconv.Quote(sel)+`);
		if (!e || !e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
		const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`)
}

// height returns the rendered height in CSS pixels of the element matching sel (0 if none).
func height(tb testing.TB, ctx context.Context, sel string) float64 {
	tb.Helper()
	return eval[float64](tb, ctx, `(() => { const e = document.querySelector(`+strconv.Quote(sel)+`); return e ? e.getBoundingClientRect().height : 0; })()`)
}

// screenshot saves the viewport, scrolled to the top of the page (a scrolling chat log
// keeps its place), as PNG under NIGHTFLOAT_SHOTS when that is set, so that a person can
// look at the page; tests never depend on it.
func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	dir := os.Getenv("NIGHTFLOAT_SHOTS")
	if dir == "" {
		return
	}
	eval[bool](tb, ctx, `(window.scrollTo(0, 0), true)`)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// signInBrowser signs a clinician in through the login page and waits for the console.
func signInBrowser(tb testing.TB, ctx context.Context, base, username, password string) {
	tb.Helper()
	do(tb, ctx, "sign in as "+username,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), username),
		chromedp.SendKeys(css("#password"), password),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("header.console-top")),
	)
}
