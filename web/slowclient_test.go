package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/assistant"
)

// TestSlowClientIsDroppedWithoutSlowingOthers: a second tab on the same conversation stops
// reading (a phone put to sleep, a stalled proxy) while the resident keeps chatting in the
// first. The stalled socket must be closed with 4000 once its queue fills, and the chatting
// one's turns must not wait on it: the hub never blocks on a subscriber.
func TestSlowClientIsDroppedWithoutSlowingOthers(t *testing.T) {
	h := newHarness(t, harnessOptions{svcOptions: assistant.Options{RateLimitPerMinute: 100000}})
	fast := h.dial(t, nil)
	w := fast.start("resident")

	// The stalled tab: a tiny receive window, so that the server's writes back up quickly.
	d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			_ = c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
			return serr
		}}
		return nd.DialContext(ctx, network, addr)
	}}
	slow, _, err := d.Dial(h.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if err := slow.WriteJSON(map[string]any{"type": "hello", "conversation_id": w.str("conversation_id"), "token": w.str("token"), "last_seq": 0}); err != nil {
		t.Fatal(err)
	}
	// ...and it never reads again, until the end.

	var lat []time.Duration
	dropped := false
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		start := time.Now()
		if testing.Verbose() && i%20 == 0 {
			t.Logf("turn %d, %d sockets open", i, h.site.Connections())
		}
		fast.say(fmt.Sprintf("m%d", i), "how do I sleep after a run of night float? I can't switch off")
		lat = append(lat, time.Since(start))
		if h.site.Connections() == 1 {
			dropped = true
			break
		}
	}
	if !dropped {
		t.Fatalf("the stalled socket was still open after %d turns in the other tab", len(lat))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p99 := lat[min(len(lat)-1, len(lat)*99/100)]
	t.Logf("stalled socket dropped after %d turns; the chatting tab's turn latency p50 %s, p99 %s, max %s",
		len(lat), lat[len(lat)/2].Round(time.Millisecond), p99.Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	// Bounded: nowhere near the 10 s write time-out that a blocking fan-out would show.
	if p99 > 2*time.Second {
		t.Errorf("the chatting tab's p99 turn latency was %s while another socket stalled", p99)
	}

	// The chatting tab still works after the drop.
	fast.say("after", "thanks, that helps")

	// When the stalled tab finally reads, its connection has ended: with a 4000 close when
	// the frame could still be written; or, when the server's send buffer was full (a close
	// frame cannot overtake megabytes of unread frames), with a reset, or with the backlog
	// and then end of stream, which the client library reports as 1006 (no close frame).
	// It must not hang open, nor be closed with any other code.
	_ = slow.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := slow.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		var ne net.Error
		switch {
		case errors.As(err, &ce) && ce.Code != disconnectSlow.code && ce.Code != websocket.CloseAbnormalClosure:
			t.Fatalf("the stalled socket was closed with %d; want %d", ce.Code, disconnectSlow.code)
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("the stalled socket was left open: %v", err)
		}
		t.Logf("the stalled socket ended with %v", err)
		break
	}
}
