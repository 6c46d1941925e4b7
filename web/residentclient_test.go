package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/web/protocol"
)

// The resident client speaks the protocol's frames and never blocks past its context.
func TestResidentClient(t *testing.T) {
	got := make(chan protocol.ClientFrame, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for i := 0; i < 2; i++ {
			var f protocol.ClientFrame
			if err := ws.ReadJSON(&f); err != nil {
				return
			}
			got <- f
		}
		_ = ws.WriteJSON(protocol.Welcome{Type: protocol.TypeWelcome, ConversationID: "c1", Token: "k", Seq: 1, Role: "nurse", Mode: "ai"})
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"message","seq":3,"author":"assistant","kind":"text","text":"hi","reply_to":2,"citations":[{"chunk_id":"a#1","doc_id":"a","title":"A","reviewed_by":"x","reviewed_on":"pending","status":"draft"}]}`))
		_ = ws.WriteJSON(protocol.Handoff{Type: protocol.TypeHandoff, ID: 9, Level: "urgent", Status: "waiting", Mode: "human"})
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()
	ctx := context.Background()
	c, err := DialResident(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello("nurse"); err != nil {
		t.Fatal(err)
	}
	if err := c.Send("id-1", "hello"); err != nil {
		t.Fatal(err)
	}
	if f := <-got; f.Type != "hello" || f.Role != "nurse" {
		t.Errorf("hello frame %+v", f)
	}
	if f := <-got; f.Type != "message" || f.ClientID != "id-1" || f.Text != "hello" {
		t.Errorf("message frame %+v", f)
	}
	next := func() protocol.ServerFrame {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		f, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := next(); f.Type != "welcome" || f.ConversationID != "c1" || f.Token != "k" || f.Mode != "ai" {
		t.Errorf("welcome %+v", f)
	}
	if f := next(); f.Author != "assistant" || f.ReplyTo != 2 || len(f.Citations) != 1 || f.Citations[0].DocID != "a" || len(f.Raw) == 0 {
		t.Errorf("message %+v", f)
	}
	if f := next(); f.Type != "handoff" || f.Level != "urgent" || f.Mode != "human" || f.ID != 9 {
		t.Errorf("handoff %+v", f)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := c.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with nothing to read: %v, want the context's deadline", err)
	}
	// The connection still works after a timed-out wait: the server's close arrives.
	end, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if _, err := c.Next(end); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("after the server closed: %v, want the close error", err)
	}
	if err := c.Close(); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Logf("close: %v", err)
	}
}
