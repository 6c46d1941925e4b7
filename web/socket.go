package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/metrics"
)

// Websocket limits. A frame above frameLimit gets an error frame and the connection
// stays; one above hardFrameLimit closes the connection (1009), since it must be read
// whole before it can be refused.
const (
	frameLimit     = 16 << 10
	hardFrameLimit = 64 << 10
	writeWait      = 10 * time.Second
	pongWait       = 60 * time.Second
	pingEvery      = 25 * time.Second
	helloWait      = 15 * time.Second
	closeGrace     = time.Second
	sendBuffer     = 256
	replayBatch    = 200
)

// socket is the part of a websocket connection that every kind shares: one writer
// goroutine that alone writes to the socket, a bounded queue that never blocks a producer,
// keepalive pings, and a close frame on the way out.
type socket struct {
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	out    chan any
	log    *slog.Logger

	closeOnce sync.Once
	mu        sync.Mutex
	closing   disconnect // why the socket is closing; zero until closeWith
}

func newSocket(parent context.Context, ws *websocket.Conn, log *slog.Logger) *socket {
	ctx, cancel := context.WithCancel(parent)
	return &socket{ws: ws, ctx: ctx, cancel: cancel, out: make(chan any, sendBuffer), log: log}
}

// enqueue hands an item to the writer without ever blocking: a connection that cannot
// keep up is closed (disconnectSlow), and its client reconnects and resyncs from the
// database.
func (s *socket) enqueue(it any) bool {
	select {
	case s.out <- it:
		return true
	case <-s.ctx.Done():
		return false
	default:
		s.closeWith(disconnectSlow)
		return false
	}
}

// closeWith ends the connection with d's close frame; the first reason given wins.
func (s *socket) closeWith(d disconnect) {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = d
		metrics.From(s.ctx).Closed(d == disconnectSlow)
		s.mu.Unlock()
		s.cancel()
	})
}

// writePump runs the writer until the connection ends; write handles each queued item.
func (s *socket) writePump(write func(it any) error) {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-s.ctx.Done():
			s.mu.Lock()
			d := s.closing
			s.mu.Unlock()
			if d.code == 0 {
				d = disconnectShutdown // the server's context ended
			}
			_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(d.code, d.reason), time.Now().Add(writeWait))
			// Give the peer a moment to answer the close, but never wait on it longer: a
			// client that is not reading must not hold up shutdown.
			_ = s.ws.UnderlyingConn().SetReadDeadline(time.Now().Add(closeGrace))
			return
		case <-ping.C:
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				s.cancel()
				_ = s.ws.UnderlyingConn().Close()
				return
			}
		case it := <-s.out:
			if err := write(it); err != nil {
				// A write that failed or timed out leaves the connection unusable: close it,
				// so the reader returns now rather than at its next deadline.
				s.log.Debug("websocket write failed", "error", err)
				s.cancel()
				_ = s.ws.UnderlyingConn().Close()
				return
			}
		}
	}
}

// readFrames reads text frames and hands each to handle until the connection ends. A frame
// between frameLimit and hardFrameLimit is refused with tooLarge and the connection stays.
func (s *socket) readFrames(firstWait time.Duration, handle func(data []byte), refuse func(error)) {
	s.ws.SetReadLimit(hardFrameLimit)
	_ = s.ws.SetReadDeadline(time.Now().Add(firstWait))
	s.ws.SetPongHandler(func(string) error { return s.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		typ, data, err := s.ws.ReadMessage()
		if err != nil {
			if err == websocket.ErrReadLimit {
				s.closeWith(disconnectFrameTooLarge)
				s.drain()
			}
			return
		}
		if s.ctx.Err() != nil {
			return
		}
		switch {
		case typ != websocket.TextMessage:
			refuse(errBinaryFrame)
		case len(data) > frameLimit:
			refuse(errFrameTooLarge(len(data)))
		default:
			handle(data)
		}
	}
}

// oversizeDrain bounds how much of a refused frame is read and thrown away.
const oversizeDrain = 1 << 20

// drain reads and discards what the peer is still sending (the rest of a frame
// that was too large) for a short while. Closing a socket with unread data makes the
// kernel reset the connection, and the peer then loses the 1009 close frame that says
// why; a client still writing its frame would see only "connection reset".
func (s *socket) drain() {
	nc := s.ws.UnderlyingConn()
	_ = nc.SetReadDeadline(time.Now().Add(closeGrace))
	_, _ = io.CopyN(io.Discard, nc, oversizeDrain)
}

// extendRead moves the read deadline on once the peer has identified itself.
func (s *socket) extendRead() { _ = s.ws.SetReadDeadline(time.Now().Add(pongWait)) }

func (s *socket) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode frame", "error", err)
		return nil
	}
	_ = s.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return s.ws.WriteMessage(websocket.TextMessage, b)
}

// run starts the writer, runs read on this goroutine, and waits for the writer to finish.
func (s *socket) run(read func(), write func(it any) error) {
	defer metrics.From(s.ctx).Socket()()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.writePump(write) }()
	read()
	s.cancel()
	wg.Wait()
	s.ws.Close()
}
