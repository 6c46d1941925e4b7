package web

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat/assistant"
)

// pageRecorder is a Pager that keeps every page it is given.
type pageRecorder struct {
	mu    sync.Mutex
	pages []assistant.Page
}

func (p *pageRecorder) Page(_ context.Context, pg assistant.Page) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages = append(p.pages, pg)
	return nil
}

func (p *pageRecorder) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pages)
}

// TestFloodOfNewConversationsFromOneAddress: one client opens 50 conversations in a
// burst. Ten are started; the other forty are refused with rate_limited, and each refusal
// carries the crisis resources, since whoever is refused may be in crisis.
func TestFloodOfNewConversationsFromOneAddress(t *testing.T) {
	h := newHarness(t, harnessOptions{site: func(o *Options) { o.NewConversationsPerMinute = 10 }})
	welcomed, refused := 0, 0
	began := time.Now()
	for i := 0; i < 50; i++ {
		c := h.dial(t, nil)
		c.send(map[string]any{"type": "hello", "role": "resident"})
		f := c.next()
		switch {
		case f.str("type") == "welcome":
			welcomed++
		case f.str("type") == "error" && f.str("code") == "rate_limited":
			refused++
			crisis, _ := f["crisis"].([]any)
			if len(crisis) == 0 || !strings.Contains(f.str("message"), "try again in") {
				t.Fatalf("a refused conversation must say when to retry and give crisis resources: %v", f)
			}
			var lines []string
			for _, l := range crisis {
				lines = append(lines, l.(string))
			}
			if !strings.Contains(strings.Join(lines, " "), "988") {
				t.Fatalf("no 988 in the crisis resources of a refusal: %v", lines)
			}
		default:
			t.Fatalf("conversation %d: unexpected frame %v", i+1, f)
		}
		c.ws.Close()
	}
	t.Logf("50 hellos from one address in %v: %d welcomed, %d refused", time.Since(began).Round(time.Millisecond), welcomed, refused)
	if welcomed != 10 || refused != 40 {
		t.Fatalf("welcomed %d, refused %d; want 10 and 40", welcomed, refused)
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM conversations`).Scan(&n); err != nil || n != 10 {
		t.Errorf("%d conversations stored (%v), want 10", n, err)
	}
}

// TestFloodOfHandoffsFromOneAddress: 50 conversations from one address (a limit raised, as
// for a hospital behind one NAT address) each raise a red flag. Every resident gets the
// handoff notice with crisis resources at once; every handoff is opened and can be
// claimed; past the cap they are marked as one burst, paged once, and re-paged once.
func TestFloodOfHandoffsFromOneAddress(t *testing.T) {
	pager := &pageRecorder{}
	h := newHarness(t, harnessOptions{pager: pager, svcOptions: assistant.Options{ReAlertAfter: time.Second},
		site: func(o *Options) { o.NewConversationsPerMinute = 100 }})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()

	residents := make([]*wsClient, 50)
	began := time.Now()
	for i := range residents {
		residents[i] = h.dial(t, nil)
		residents[i].start("resident")
		residents[i].send(map[string]any{"type": "message", "client_id": "rf", "text": redFlag})
	}
	for i, res := range residents {
		got := res.until(func(f frame) bool { return f.str("type") == "handoff" })
		var notice frame
		for _, f := range got {
			if f.str("kind") == "handoff" {
				notice = f
			}
			if f.str("author") == "assistant" {
				t.Fatalf("resident %d: AI text after a red flag: %v", i+1, f)
			}
		}
		if notice == nil || !strings.Contains(notice.str("text"), "988") {
			t.Fatalf("resident %d: want the handoff notice with crisis resources at once, got %v", i+1, got)
		}
	}

	t.Logf("50 conversations and red flags from one address: every resident had the crisis notice %v after the first hello",
		time.Since(began).Round(time.Millisecond))
	ctx := context.Background()
	var total, flood, bursts int
	err := h.db.Pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE h.flood), count(DISTINCT c.source_tag) FILTER (WHERE h.flood)
		FROM handoffs h JOIN conversations c ON c.id = h.conversation_id WHERE h.status = 'waiting'`).Scan(&total, &flood, &bursts)
	if err != nil || total != 50 || flood != 50-assistant.FloodOpenHandoffs || bursts != 1 {
		t.Fatalf("handoffs: %d waiting, %d marked flood in %d bursts (%v); want 50, %d, 1", total, flood, bursts, err, 50-assistant.FloodOpenHandoffs)
	}

	// The console lists every one of them, the flood ones with their burst.
	con := h.dialConsole(t, doc.token)
	list := con.until(func(f frame) bool { return f.str("type") == "handoffs" })
	items, _ := list[len(list)-1]["items"].([]any)
	var marked int
	var floodID float64
	for _, it := range items {
		m := it.(map[string]any)
		if m["flood"] == true && m["burst"] != "" {
			marked++
			floodID = m["id"].(float64)
		}
	}
	if len(items) != 50 || marked != 50-assistant.FloodOpenHandoffs {
		t.Fatalf("console lists %d handoffs, %d in a burst; want 50 and %d", len(items), marked, 50-assistant.FloodOpenHandoffs)
	}
	con.send(map[string]any{"type": "claim", "handoff_id": floodID})
	con.until(func(f frame) bool {
		item, _ := f["item"].(map[string]any)
		return f.str("type") == "handoff" && item["id"] == floodID && item["status"] == "claimed"
	})

	// Paged: each ordinary handoff, and the burst once.
	waitFor(t, 10*time.Second, func() bool { return pager.count() >= assistant.FloodOpenHandoffs+1 })
	time.Sleep(300 * time.Millisecond) // any page that should not come has had its chance
	if n := pager.count(); n != assistant.FloodOpenHandoffs+1 {
		t.Fatalf("%d pages for 50 handoffs from one source, want %d", n, assistant.FloodOpenHandoffs+1)
	}
	// Re-paged once a second (ReAlertAfter here): the ordinary ones and the burst once.
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	before := pager.count()
	go h.svc.RunHandoffWatch(watchCtx, 1500*time.Millisecond)
	waitFor(t, 10*time.Second, func() bool { return pager.count() > before })
	time.Sleep(500 * time.Millisecond)
	cancel()
	pager.mu.Lock()
	repages := pager.pages[before:]
	pager.mu.Unlock()
	var burstPages int
	for _, p := range repages {
		if p.Burst > 0 {
			burstPages++
			if p.Burst != 50-assistant.FloodOpenHandoffs-1 { // one of the burst was claimed
				t.Errorf("burst re-page stands for %d handoffs, want %d", p.Burst, 50-assistant.FloodOpenHandoffs-1)
			}
		}
	}
	if burstPages != 1 || len(repages) != assistant.FloodOpenHandoffs+1 {
		t.Errorf("one round of re-pages: %d pages, %d for the burst; want %d and 1", len(repages), burstPages, assistant.FloodOpenHandoffs+1)
	}
}

// waitFor polls cond every 20ms until it holds, failing the test after wait.
func waitFor(tb testing.TB, wait time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %v", wait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
