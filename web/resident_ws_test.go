package web

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/assistant"
)

func TestConversationRoundTrip(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	w := c.start("resident")
	if w.str("conversation_id") == "" || len(w.str("token")) < 40 {
		t.Fatalf("welcome lacks a conversation id or a strong token: %v", w)
	}

	frames := c.say("m1", "I can't fall asleep after night float, I lie awake until noon")
	var ack, reply frame
	var streamed strings.Builder
	for _, f := range frames {
		switch {
		case f.str("type") == "message" && f.str("author") == "resident":
			ack = f
		case f.str("type") == "message" && f.str("author") == "assistant":
			reply = f
		case f.str("type") == "delta":
			streamed.WriteString(f.str("text"))
		}
	}
	if ack == nil || ack.str("client_id") != "m1" || ack.num("seq") != 2 {
		t.Fatalf("want the message acknowledged as seq 2 with its client_id, got %v", ack)
	}
	if reply == nil || reply.num("reply_to") != 2 || reply.num("seq") != 3 {
		t.Fatalf("want an assistant reply to seq 2 as seq 3, got %v", reply)
	}
	if streamed.String() == "" || !strings.HasPrefix(reply.str("text"), strings.TrimSpace(streamed.String())[:20]) {
		t.Errorf("the reply was not streamed as deltas before it was stored: streamed %q", streamed.String())
	}
	cites, _ := reply["citations"].([]any)
	if len(cites) == 0 {
		t.Fatalf("want the reply to cite vetted content, got %v", reply)
	}
	first := cites[0].(map[string]any)
	if !strings.Contains(first["doc_id"].(string), "sleep") {
		t.Errorf("a question about sleep after night float cited %v", first["doc_id"])
	}
	if first["reviewed_on"] != "pending" || first["title"] == "" {
		t.Errorf("citation lacks its title or honest review status: %v", first)
	}

	// Stored, not just streamed.
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE conversation_id = $1`, w.str("conversation_id")).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("want 3 stored messages (disclosure, message, reply), got %d", n)
	}
}

func TestResendIsIdempotent(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	w := c.start("nurse")
	c.say("same-id", "twelve hour shifts are wrecking my sleep")
	c.send(map[string]any{"type": "message", "client_id": "same-id", "text": "twelve hour shifts are wrecking my sleep"})
	f := c.next()
	if f.str("type") != "message" || f.num("seq") != 2 || f.str("client_id") != "same-id" {
		t.Fatalf("want the stored message again with seq 2, got %v", f)
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM messages WHERE conversation_id = $1 AND author = 'resident'`, w.str("conversation_id")).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("a resend was stored again: %d resident messages", n)
	}
	// Nothing else arrives: the resend started no second turn.
	if extra, err := c.read(700 * time.Millisecond); err == nil {
		t.Errorf("unexpected frame after a resend: %v", extra)
	}
}

func TestReconnectReplaysAfterLastSeq(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	w := c.start("resident")
	c.say("a", "my attending yelled at me in front of the team")
	c.say("b", "how do I get through the in-training exam when I'm this tired")
	c.ws.Close()

	c2 := h.dial(t, nil)
	c2.send(map[string]any{"type": "hello", "role": "resident", "conversation_id": w.str("conversation_id"), "token": w.str("token"), "last_seq": 3})
	w2 := c2.next()
	if w2.str("type") != "welcome" || w2.num("seq") != 5 {
		t.Fatalf("want welcome at seq 5, got %v", w2)
	}
	var seqs []int64
	for len(seqs) < 2 {
		f := c2.next()
		if f.str("type") == "message" {
			seqs = append(seqs, f.num("seq"))
		}
	}
	if seqs[0] != 4 || seqs[1] != 5 {
		t.Errorf("want messages 4 and 5 replayed, got %v", seqs)
	}
	if extra, err := c2.read(500 * time.Millisecond); err == nil && extra.str("type") == "message" {
		t.Errorf("replayed more than asked: %v", extra)
	}
}

func TestConversationNeedsItsToken(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	owner := h.dial(t, nil)
	w := owner.start("resident")
	owner.say("x", "I feel like an imposter on my team")

	for name, hello := range map[string]map[string]any{
		"wrong token":   {"type": "hello", "role": "resident", "conversation_id": w.str("conversation_id"), "token": "guessed"},
		"missing token": {"type": "hello", "role": "resident", "conversation_id": w.str("conversation_id")},
		"unknown id":    {"type": "hello", "role": "resident", "conversation_id": "00000000-0000-0000-0000-000000000000", "token": w.str("token")},
	} {
		t.Run(name, func(t *testing.T) {
			c := h.dial(t, nil)
			c.send(hello)
			f := c.next()
			if f.str("type") != "error" || f.str("code") != "unauthorized" {
				t.Fatalf("want unauthorized, got %v", f)
			}
			// Nothing of the conversation follows, and messages are refused.
			c.send(map[string]any{"type": "message", "client_id": "z", "text": "hello"})
			f = c.next()
			if f.str("type") != "error" || f.str("code") != "invalid" {
				t.Fatalf("want a refusal before hello succeeds, got %v", f)
			}
		})
	}
}

func TestBadInputGetsAnErrorAndTheServerKeepsServing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	tests := []struct {
		name     string
		before   func(c *wsClient) // after which the bad frame is sent
		raw      []byte
		wantCode string
	}{
		{"oversized frame", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","client_id":"big","text":"` + strings.Repeat("a", 20<<10) + `"}`), "too_large"},
		{"over-long message", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","client_id":"long","text":"` + strings.Repeat("é", 4001) + `"}`), "too_large"},
		{"bad JSON", func(c *wsClient) {}, []byte(`{"type":"hello",`), "invalid"},
		{"unknown frame type", func(c *wsClient) {}, []byte(`{"type":"subscribe"}`), "invalid"},
		{"unknown role", func(c *wsClient) {}, []byte(`{"type":"hello","role":"surgeon-general"}`), "invalid"},
		{"empty message", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","client_id":"e","text":"   "}`), "invalid"},
		{"message without client id", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","text":"hi"}`), "invalid"},
		// PostgreSQL cannot store U+0000: it is refused as invalid, not failed as internal.
		{"NUL in a message", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","client_id":"nul","text":"can't sleep\u0000 again"}`), "invalid"},
		{"NUL in a client id", func(c *wsClient) { c.start("resident") }, []byte(`{"type":"message","client_id":"n\u0000l","text":"hi"}`), "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.dial(t, nil)
			tt.before(c)
			c.sendRaw(tt.raw)
			f := c.next()
			if f.str("type") != "error" || f.str("code") != tt.wantCode {
				t.Fatalf("want error %s, got %v", tt.wantCode, f)
			}
			// The same connection still works.
			if tt.name == "bad JSON" || tt.name == "unknown frame type" || tt.name == "unknown role" {
				c.start("student")
			}
			c.say("after-"+strings.ReplaceAll(tt.name, " ", "-"), "how do I deal with shelf exam anxiety")
		})
	}
	t.Run("frame above the hard limit closes only that connection", func(t *testing.T) {
		c := h.dial(t, nil)
		c.start("resident")
		// The server refuses the frame on its header and sends its close at once; the
		// client library may answer that close before it has finished writing the frame,
		// and then fails the write with ErrCloseSent. That is the refusal, seen from the
		// client; anything else (a reset, above all) is not.
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 70<<10))); err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			t.Fatalf("sending the oversized frame: %v", err)
		}
		if code := c.closeCode(); code != websocket.CloseMessageTooBig {
			t.Fatalf("want close 1009, got %d", code)
		}
		other := h.dial(t, nil)
		other.start("fellow")
		other.say("still-up", "burnout is creeping in this year")
	})
}

func TestCrossSiteOriginIsRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{origins: []string{"https://chat.example.org"}})
	for _, tt := range []struct {
		origin string
		want   int
	}{
		{"https://evil.example.com", http.StatusForbidden},
		{"https://chat.example.org", http.StatusSwitchingProtocols},
		{h.http.URL, http.StatusSwitchingProtocols},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			ws, resp, err := websocket.DefaultDialer.Dial(h.wsURL(), http.Header{"Origin": {tt.origin}})
			if ws != nil {
				ws.Close()
			}
			if resp == nil {
				t.Fatalf("no HTTP response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Errorf("origin %s: want HTTP %d, got %d", tt.origin, tt.want, resp.StatusCode)
			}
		})
	}
}

func TestRateLimitKeepsTheConversationUsable(t *testing.T) {
	h := newHarness(t, harnessOptions{svcOptions: optionsWithRate(3)})
	c := h.dial(t, nil)
	c.start("resident")
	for i := range 3 {
		c.say("r"+string(rune('a'+i)), "quick question about sleep after call")
	}
	c.send(map[string]any{"type": "message", "client_id": "r-over", "text": "one more"})
	f := c.next()
	if f.str("type") != "error" || f.str("code") != "rate_limited" || f.str("client_id") != "r-over" {
		t.Fatalf("want rate_limited for r-over, got %v", f)
	}
}

func TestGracefulShutdownClosesSockets(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	c.start("resident")
	go h.stop()
	if code := c.closeCode(); code != websocket.CloseGoingAway {
		t.Fatalf("want close 1001 on shutdown, got %d", code)
	}
}

func TestResidentDeletesTheirConversation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	w := c.start("resident")
	c.say("d1", "rough week, my attending keeps belittling me")
	c.send(map[string]any{"type": "delete"})
	if f := c.next(); f.str("type") != "deleted" {
		t.Fatalf("want deleted, got %v", f)
	}
	if code := c.closeCode(); code != websocket.CloseNormalClosure {
		t.Errorf("want a normal close after deletion, got %d", code)
	}
	ctx := context.Background()
	for _, table := range []string{"conversations", "messages", "assessments", "handoffs"} {
		col := "conversation_id"
		if table == "conversations" {
			col = "id"
		}
		var n int
		if err := h.db.Pool.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE "+col+" = $1", w.str("conversation_id")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows left in %s after deletion", n, table)
		}
	}
	again := h.dial(t, nil)
	again.send(map[string]any{"type": "hello", "role": "resident", "conversation_id": w.str("conversation_id"), "token": w.str("token")})
	if f := again.next(); f.str("code") != "unauthorized" {
		t.Errorf("a deleted conversation must not reopen: %v", f)
	}
}

func TestDisclosureRepeatsAndAnswersTheQuestion(t *testing.T) {
	t.Run("after the interval", func(t *testing.T) {
		h := newHarness(t, harnessOptions{svcOptions: assistant.Options{DisclosureEvery: time.Millisecond}})
		c := h.dial(t, nil)
		c.start("resident")
		frames := c.say("p1", "tips for the first night of night float?")
		var again bool
		for _, f := range frames {
			again = again || (f.str("kind") == "disclosure" && f.num("reply_to") == 2)
		}
		if !again {
			t.Errorf("the disclosure was not repeated after its interval: %v", frames)
		}
	})
	t.Run("when asked", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		c := h.dial(t, nil)
		c.start("resident")
		frames := c.say("q1", "wait are you a bot?")
		var reply frame
		for _, f := range frames {
			if f.str("author") == "assistant" {
				reply = f
			}
		}
		if reply == nil || !strings.Contains(reply.str("text"), "AI assistant — not a person") {
			t.Errorf("asked whether it is a person, the reply must say it is an AI: %v", frames)
		}
	})
}

// TestOversizedFrameIsDrainedSoTheCloseArrives: a client still writing a frame far above
// the limit must get the 1009 close that says why, not a connection reset. The server
// reads and discards the rest of the frame before closing; closing with unread data
// would make the kernel reset the connection and the close frame would be lost. The
// client here writes raw bytes, so nothing in a client library hides what happens.
func TestOversizedFrameIsDrainedSoTheCloseArrives(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ws, _, err := websocket.DefaultDialer.Dial(h.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	nc := ws.UnderlyingConn()
	const size = 600 << 10                                                // far above hardFrameLimit and the socket buffers
	frame := []byte{0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4} // FIN text, masked, 64-bit length, mask key
	binary.BigEndian.PutUint64(frame[2:10], size)
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := nc.Write(frame); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, size) // zero bytes, masked: the content does not matter
	if _, err := nc.Write(payload); err != nil {
		t.Fatalf("writing the rest of the frame: %v (the server closed without draining it)", err)
	}
	head := make([]byte, 4)
	if _, err := io.ReadFull(nc, head); err != nil {
		t.Fatalf("reading the close frame: %v", err)
	}
	if head[0] != 0x88 || head[1] < 2 || binary.BigEndian.Uint16(head[2:4]) != websocket.CloseMessageTooBig {
		t.Fatalf("want a close frame with code 1009, got % x", head)
	}
}
