package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/assistant"
	"nightfloat/clinician"
	"nightfloat/postgres"
	"nightfloat/web/protocol"
)

// Small buffers: ten thousand client connections live in this process too.
var dialer = &websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}

// idleSet holds the idle connections.
type idleSet struct {
	mu      sync.Mutex
	conns   []*websocket.Conn
	target  []int
	failed  counter
	dropped counter
	wg      sync.WaitGroup
	closing chan struct{}
}

func (s *idleSet) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *idleSet) perTarget(i int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.target {
		if t == i {
			n++
		}
	}
	return n
}

func openIdle(ctx context.Context, o Options, logf func(string, ...any)) *idleSet {
	s := &idleSet{closing: make(chan struct{})}
	if o.Idle == 0 {
		return s
	}
	p := newPacer(o.Ramp)
	var wg sync.WaitGroup
	work := make(chan int)
	var lastErr error
	var errMu sync.Mutex
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				ti := i % len(o.Targets)
				ws, err := helloConn(ctx, o.Targets[ti])
				if err != nil {
					s.failed.Add(1)
					errMu.Lock()
					lastErr = err
					errMu.Unlock()
					continue
				}
				s.mu.Lock()
				s.conns = append(s.conns, ws)
				s.target = append(s.target, ti)
				s.mu.Unlock()
				s.wg.Add(1)
				go s.drain(ws)
			}
		}()
	}
	start := time.Now()
	for i := 0; i < o.Idle; i++ {
		if !p.wait(ctx) {
			break
		}
		work <- i
		if (i+1)%1000 == 0 {
			logf("%d idle connections opened (%d failed) in %s", s.held(), s.failed.Load(), time.Since(start).Round(time.Millisecond))
		}
	}
	close(work)
	wg.Wait()
	if lastErr != nil {
		logf("%d idle connections failed; last error: %v", s.failed.Load(), lastErr)
	}
	return s
}

// drain reads (and so answers pings) until the connection ends; a close the driver did not
// ask for counts as dropped.
func (s *idleSet) drain(ws *websocket.Conn) {
	defer s.wg.Done()
	for {
		if _, _, err := ws.NextReader(); err != nil {
			select {
			case <-s.closing:
			default:
				s.dropped.Add(1)
			}
			return
		}
	}
}

func (s *idleSet) closeAll() {
	close(s.closing)
	s.mu.Lock()
	conns := s.conns
	s.mu.Unlock()
	for _, ws := range conns {
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		ws.Close()
	}
	s.wg.Wait()
}

// helloConn opens a resident socket and starts a conversation on it; it returns after the
// welcome, with the rest of the opening frames left to the caller's reader.
func helloConn(ctx context.Context, base string) (*websocket.Conn, error) {
	ws, _, err := hello(ctx, base)
	return ws, err
}

func hello(ctx context.Context, base string) (*websocket.Conn, protocol.ServerFrame, error) {
	ws, resp, err := dialer.DialContext(ctx, wsURL(base, "/ws"), nil)
	if err != nil {
		if resp != nil {
			return nil, protocol.ServerFrame{}, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, protocol.ServerFrame{}, fmt.Errorf("dial: %w", err)
	}
	if err := ws.WriteJSON(protocol.ClientFrame{Type: protocol.TypeHello, Role: "resident"}); err != nil {
		ws.Close()
		return nil, protocol.ServerFrame{}, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var f protocol.ServerFrame
	if err := ws.ReadJSON(&f); err != nil || f.Type != protocol.TypeWelcome {
		ws.Close()
		if err == nil {
			err = fmt.Errorf("want welcome, got %s %s", f.Type, f.ErrorMessage)
		}
		return nil, protocol.ServerFrame{}, err
	}
	_ = ws.SetReadDeadline(time.Time{})
	return ws, f, nil
}

// console is an on-call clinician's console socket that claims and resolves each handoff it
// is alerted to, so that handoffs do not pile up over a long run.
type console struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	mu     sync.Mutex
	alerts map[string]time.Time // conversation id -> first alert
	waits  map[string]chan struct{}
	done   chan struct{}
}

func consoleSession(ctx context.Context, dbURL string) (token string, cleanup func(), err error) {
	if dbURL == "" {
		return "", nil, errors.New("loadtest: the console needs -database-url (to create an on-call account) or -console-token")
	}
	pool, err := postgres.Open(ctx, dbURL, 2)
	if err != nil {
		return "", nil, err
	}
	audit := clinician.NewAudit(pool)
	accounts := clinician.NewAccounts(pool, audit, clinician.AccountOptions{})
	user := "loadtest-" + randomID()
	const password = "load test on-call password 8c1f"
	if _, err := accounts.Create(ctx, user, "Load test on-call", password, []string{"oncall"}); err != nil {
		pool.Close()
		return "", nil, fmt.Errorf("loadtest: create on-call account: %w", err)
	}
	sess, err := accounts.Login(ctx, user, password, "127.0.0.1")
	if err != nil {
		pool.Close()
		return "", nil, fmt.Errorf("loadtest: log in: %w", err)
	}
	return sess.Token, func() { disable(accounts, pool, user) }, nil
}

// disable takes the throw-away account off duty and disables it.
func disable(accounts *clinician.Accounts, pool *pgxpool.Pool, user string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := accounts.ByUsername(ctx, user); err == nil {
		_ = accounts.SetOnDuty(ctx, c.ID, false)
	}
	_ = accounts.Disable(ctx, "loadtest", user)
	pool.Close()
}

func dialConsole(ctx context.Context, base, token string) (*console, error) {
	hdr := http.Header{"Cookie": {"nf_session=" + token}, "Origin": {base}}
	ws, resp, err := dialer.DialContext(ctx, wsURL(base, "/console/ws"), hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, fmt.Errorf("loadtest: console: %w (HTTP %d)", err, status)
	}
	c := &console{ws: ws, alerts: map[string]time.Time{}, waits: map[string]chan struct{}{}, done: make(chan struct{})}
	onDuty := make(chan struct{})
	var once sync.Once
	go c.read(func() { once.Do(func() { close(onDuty) }) })
	c.send(protocol.ConsoleCommand{Type: protocol.TypeDuty, On: true})
	select {
	case <-onDuty:
		return c, nil
	case <-c.done:
		return nil, errors.New("loadtest: console closed before going on duty")
	case <-time.After(15 * time.Second):
		ws.Close()
		return nil, errors.New("loadtest: console did not go on duty within 15s")
	}
}

func (c *console) send(v protocol.ConsoleCommand) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_ = c.ws.WriteJSON(v)
}

func (c *console) read(onDuty func()) {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now()
		var head struct{ Type string }
		if json.Unmarshal(data, &head) != nil {
			continue
		}
		switch head.Type {
		case protocol.TypeDuty:
			var d protocol.ConsoleDuty
			if json.Unmarshal(data, &d) == nil && d.On {
				onDuty()
			}
		case protocol.TypeHandoff:
			var h protocol.ConsoleHandoff
			if json.Unmarshal(data, &h) == nil && h.Alert {
				c.alerted(h.Item, at)
			}
		}
	}
}

// alerted records the first alert about a conversation and claims and resolves its
// handoff, as a clinician would, so that handoffs do not accumulate.
func (c *console) alerted(h assistant.Handoff, at time.Time) {
	c.mu.Lock()
	_, seen := c.alerts[h.ConversationID]
	if !seen {
		c.alerts[h.ConversationID] = at
		if ch := c.waits[h.ConversationID]; ch != nil {
			close(ch)
			delete(c.waits, h.ConversationID)
		}
	}
	c.mu.Unlock()
	if !seen && h.ID > 0 {
		go func() {
			c.send(protocol.ConsoleCommand{Type: protocol.TypeClaim, HandoffID: h.ID})
			time.Sleep(200 * time.Millisecond)
			c.send(protocol.ConsoleCommand{Type: protocol.TypeResolve, HandoffID: h.ID, Disposition: "no_risk_found", Note: "load test"})
		}()
	}
}

// alertFor waits up to wait for the first alert about conv and returns when it arrived.
func (c *console) alertFor(conv string, wait time.Duration) (time.Time, bool) {
	c.mu.Lock()
	if at, ok := c.alerts[conv]; ok {
		c.mu.Unlock()
		return at, true
	}
	ch := c.waits[conv]
	if ch == nil {
		ch = make(chan struct{})
		c.waits[conv] = ch
	}
	c.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(wait):
	case <-c.done:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.alerts[conv]
	return at, ok
}

func (c *console) close() {
	c.send(protocol.ConsoleCommand{Type: protocol.TypeDuty, On: false})
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.ws.Close()
	<-c.done
}
