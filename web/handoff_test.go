package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/assistant"
)

const redFlag = "honestly I've been thinking about killing myself after this rotation, I have a plan"

// consoleClient is a logged-in on-call clinician's console socket.
type consoleClient struct {
	*wsClient
	name  string
	token string
}

// newClinician creates an on-call account, logs it in and opens its console socket.
func (h *harness) newClinician(tb testing.TB, username string) *consoleClient {
	tb.Helper()
	ctx := context.Background()
	name := "Dr " + strings.ToUpper(username[:1]) + username[1:]
	if _, err := h.accounts.Create(ctx, username, name, "correct horse battery staple 42", []string{"oncall"}); err != nil {
		tb.Fatalf("create clinician: %v", err)
	}
	sess, err := h.accounts.Login(ctx, username, "correct horse battery staple 42", "127.0.0.1")
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	c := &consoleClient{name: name, token: sess.Token}
	c.wsClient = h.dialConsole(tb, sess.Token)
	return c
}

func (h *harness) dialConsole(tb testing.TB, token string) *wsClient {
	tb.Helper()
	u := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/console/ws"
	hdr := http.Header{"Cookie": {sessionCookie + "=" + token}, "Origin": {h.http.URL}}
	ws, resp, err := websocket.DefaultDialer.Dial(u, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial console: %v (HTTP %d)", err, status)
	}
	return newWSClient(tb, ws)
}

func (c *consoleClient) onDuty() {
	c.tb.Helper()
	c.send(map[string]any{"type": "duty", "on": true})
	c.until(func(f frame) bool { return f.str("type") == "duty" && f["on"] == true })
}

// alert waits for a handoff alert and returns the handoff.
func (c *consoleClient) alert() frame {
	c.tb.Helper()
	got := c.until(func(f frame) bool { return f.str("type") == "handoff" && f["alert"] == true })
	item, _ := got[len(got)-1]["item"].(map[string]any)
	return item
}

// residentRedFlag starts a conversation, sends a red flag and returns the frames up to
// the handoff frame.
func residentRedFlag(t *testing.T, c *wsClient) (welcome frame, frames []frame) {
	t.Helper()
	welcome = c.start("resident")
	c.send(map[string]any{"type": "message", "client_id": "rf", "text": redFlag})
	frames = c.until(func(f frame) bool { return f.str("type") == "handoff" })
	return welcome, frames
}

func TestHandoffLifecycle(t *testing.T) {
	for _, reenable := range []bool{false, true} {
		name := "resolved and closed"
		if reenable {
			name = "resolved and handed back to the AI"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			doc := h.newClinician(t, "oncall1")
			doc.onDuty()
			res := h.dial(t, nil)

			_, frames := residentRedFlag(t, res)
			hf := frames[len(frames)-1]
			if hf.str("status") != "waiting" || hf.str("level") == "" {
				t.Fatalf("want a waiting handoff frame, got %v", hf)
			}
			var notice frame
			for _, f := range frames {
				if f.str("author") == "assistant" || f.str("type") == "delta" {
					t.Fatalf("AI text after a red flag: %v", f)
				}
				if f.str("kind") == "handoff" {
					notice = f
				}
			}
			if notice == nil || !strings.Contains(notice.str("text"), "988") || !strings.Contains(notice.str("text"), "clinician") {
				t.Fatalf("want a vetted handoff notice with crisis resources, got %v", notice)
			}

			item := doc.alert()
			id := int64(item["id"].(float64))
			if item["level"] != hf.str("level") || item["status"] != "waiting" {
				t.Fatalf("console alert does not match: %v", item)
			}

			doc.send(map[string]any{"type": "open", "handoff_id": id})
			tr := doc.until(func(f frame) bool { return f.str("type") == "transcript" })
			transcript := tr[len(tr)-1]
			msgs, _ := transcript["messages"].([]any)
			as, _ := transcript["assessments"].([]any)
			if len(msgs) < 3 || len(as) == 0 {
				t.Fatalf("the clinician must see the conversation and the assessments that triggered it: %v", transcript)
			}

			doc.send(map[string]any{"type": "claim", "handoff_id": id})
			res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "claimed" })

			doc.send(map[string]any{"type": "say", "handoff_id": id, "client_id": "d1", "text": "Hi, I'm Dr Oncall1, a person. Are you safe right now?"})
			got := res.until(func(f frame) bool { return f.str("type") == "message" && f.str("author") == "clinician" })
			if !strings.Contains(got[len(got)-1].str("text"), "Are you safe") {
				t.Fatalf("clinician message did not reach the resident: %v", got[len(got)-1])
			}
			res.send(map[string]any{"type": "message", "client_id": "r2", "text": "I'm at home, I'll be ok tonight"})
			doc.until(func(f frame) bool {
				m, _ := f["message"].(map[string]any)
				return f.str("type") == "message" && m["author"] == "resident" && strings.Contains(m["text"].(string), "be ok tonight")
			})
			// The AI stays silent while a clinician holds the conversation.
			expectNoAssistant(t, res, 800*time.Millisecond)

			doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "note": "plan made, follow-up tomorrow", "reenable_ai": reenable})
			res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "resolved" })

			res.send(map[string]any{"type": "message", "client_id": "r3", "text": "thanks. any tips for sleeping after nights?"})
			after := res.until(func(f frame) bool {
				return f.str("type") == "message" && f.num("reply_to") > 0 && f.str("author") != "resident" && f.str("kind") != "disclosure"
			})
			last := after[len(after)-1]
			if reenable && last.str("author") != "assistant" {
				t.Errorf("the clinician handed back to the AI, but got %v", last)
			}
			if !reenable && last.str("author") == "assistant" {
				t.Errorf("the AI answered in a conversation the clinician closed: %v", last)
			}
			var disposition string
			if err := h.db.Pool.QueryRow(context.Background(), `SELECT disposition FROM handoffs WHERE id = $1`, id).Scan(&disposition); err != nil || disposition != "safety_plan_made" {
				t.Errorf("disposition not stored: %q %v", disposition, err)
			}
			var audited int
			_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action IN ('transcript.view', 'handoff.claim', 'handoff.resolve')`).Scan(&audited)
			if audited != 3 {
				t.Errorf("want view, claim and resolve audited, got %d entries", audited)
			}
		})
	}
}

func expectNoAssistant(t *testing.T, c *wsClient, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		f, err := c.read(time.Until(deadline))
		if err != nil {
			return
		}
		if f.str("author") == "assistant" || f.str("type") == "delta" {
			t.Fatalf("AI text while a clinician holds the conversation: %v", f)
		}
	}
}

func TestHandoffAcrossTwoReplicas(t *testing.T) {
	a := newHarness(t, harnessOptions{})
	b := newHarness(t, harnessOptions{db: a.db})
	doc := b.newClinician(t, "oncall2")
	doc.onDuty()
	res := a.dial(t, nil)
	residentRedFlag(t, res)
	item := doc.alert() // raised on A, seen on B
	id := int64(item["id"].(float64))
	doc.send(map[string]any{"type": "claim", "handoff_id": id})
	doc.send(map[string]any{"type": "say", "handoff_id": id, "client_id": "x1", "text": "I'm here with you."})
	res.until(func(f frame) bool { return f.str("author") == "clinician" && f.str("text") == "I'm here with you." })
}

func TestUnclaimedHandoffReAlertsAndPagesWithRetries(t *testing.T) {
	var mu sync.Mutex
	var pages []map[string]any
	attempts := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts == 1 { // the paging system hiccups once
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var p map[string]any
		_ = json.Unmarshal(body, &p)
		if strings.Contains(string(body), "killing") || strings.Contains(string(body), "plan") {
			t.Errorf("a page carried transcript text: %s", body)
		}
		pages = append(pages, p)
	}))
	defer receiver.Close()
	pager := assistant.WebhookPager{URL: receiver.URL, ConsoleURL: "https://nightfloat.test/console/", Backoff: 50 * time.Millisecond}
	h := newHarness(t, harnessOptions{pager: pager, svcOptions: assistant.Options{ReAlertAfter: time.Second}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.svc.RunHandoffWatch(ctx, 200*time.Millisecond)

	doc := h.newClinician(t, "oncall3")
	doc.onDuty()
	res := h.dial(t, nil)
	residentRedFlag(t, res)
	first := doc.alert()
	re := doc.alert()
	if re["id"] != first["id"] || re["alerts"].(float64) < 2 {
		t.Fatalf("want a re-alert of the same handoff, got %v then %v", first, re)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(pages)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("want the first page (after a retry) and a re-page, got %d pages in %d attempts", n, attempts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	p := pages[0]
	if p["handoff_id"] != first["id"] || p["level"] == "" || !strings.HasPrefix(p["console_url"].(string), "https://nightfloat.test/console/handoffs/") {
		t.Errorf("page lacks id, level or console link: %v", p)
	}
}

func TestNobodyOnDutyTellsTheResidentHonestly(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	res := h.dial(t, nil)
	_, got := residentRedFlag(t, res)
	if last := got[len(got)-1]; last["unattended"] != true {
		got = append(got, res.until(func(f frame) bool { return f.str("type") == "handoff" && f["unattended"] == true })...)
	}
	var told frame
	for _, f := range got {
		if f.str("kind") == "crisis" {
			told = f
		}
	}
	if told == nil || !strings.Contains(told.str("text"), "No clinician is on duty") ||
		!strings.Contains(told.str("text"), "988") || !strings.Contains(told.str("text"), "741741") {
		t.Fatalf("want an honest notice with round-the-clock options, got %v", got)
	}
	var status string
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT status FROM handoffs`).Scan(&status)
	if status != "waiting" {
		t.Errorf("the handoff must stay open for the next clinician, got %q", status)
	}
}

func TestReconnectDuringHandoffRestoresIt(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	res := h.dial(t, nil)
	w, _ := residentRedFlag(t, res)
	res.ws.Close()

	again := h.dial(t, nil)
	again.send(map[string]any{"type": "hello", "role": "resident", "conversation_id": w.str("conversation_id"), "token": w.str("token"), "last_seq": 0})
	got := again.until(func(f frame) bool { return f.str("type") == "handoff" })
	if got[0].str("type") != "welcome" || got[0].str("mode") != "human" {
		t.Errorf("welcome should show the conversation with a clinician: %v", got[0])
	}
	if got[len(got)-1].str("status") != "waiting" {
		t.Errorf("handoff state not restored: %v", got[len(got)-1])
	}
}

func TestConsoleRefusesWithoutSessionOrRole(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	if _, err := h.accounts.Create(ctx, "reviewer1", "Reviewer One", "correct horse battery staple 42", []string{"reviewer"}); err != nil {
		t.Fatal(err)
	}
	sess, err := h.accounts.Login(ctx, "reviewer1", "correct horse battery staple 42", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	u := "ws" + strings.TrimPrefix(h.http.URL, "http") + "/console/ws"
	for name, hdr := range map[string]http.Header{
		"no session":     {"Origin": {h.http.URL}},
		"no oncall role": {"Origin": {h.http.URL}, "Cookie": {sessionCookie + "=" + sess.Token}},
		"forged session": {"Origin": {h.http.URL}, "Cookie": {sessionCookie + "=not-a-session"}},
	} {
		t.Run(name, func(t *testing.T) {
			ws, resp, err := websocket.DefaultDialer.Dial(u, hdr)
			if err == nil {
				ws.Close()
				t.Fatal("the console socket opened")
			}
			if resp == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
				t.Errorf("want 401 or 403, got %v", resp)
			}
		})
	}
	t.Run("disabled mid-session", func(t *testing.T) {
		doc := h.newClinician(t, "oncall9")
		doc.onDuty()
		if err := h.accounts.Disable(ctx, "cli", "oncall9"); err != nil {
			t.Fatal(err)
		}
		doc.send(map[string]any{"type": "duty", "on": false})
		if code := doc.closeCode(); code != 4401 {
			t.Errorf("a disabled account's console must stop at once; close code %d", code)
		}
	})
}
