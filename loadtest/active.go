package loadtest

import (
	"context"
	"encoding/json"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/web/protocol"
)

// turnWait bounds how long the driver waits for one turn's outcome.
const turnWait = 75 * time.Second

type stamped struct {
	f  protocol.ServerFrame
	at time.Time
}

type activeStats struct {
	mu                        sync.Mutex
	ack, ackDelta, ackReply   []time.Duration
	alertSend, alertAck       []time.Duration
	turns, answered, handoff  int
	errs, timedOut            int
	redFlags, alerts, noAlert int
	firstErr                  string
}

func runActive(ctx context.Context, o Options, con *console, res *Result, logf func(string, ...any)) {
	st := &activeStats{}
	deadline := time.Now().Add(o.Duration)
	p := newPacer(o.Ramp)
	var wg sync.WaitGroup
	logf("active phase: %d conversations, a message every ~%s each, %.0f%% red flags, for %s", o.Active, o.Every, o.RedFlagShare*100, o.Duration)
	for i := 0; i < o.Active; i++ {
		if !p.wait(ctx) {
			break
		}
		wg.Add(1)
		go func(target string) {
			defer wg.Done()
			converse(ctx, target, o, con, st, deadline)
		}(o.Targets[i%len(o.Targets)])
	}
	wg.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	res.Turns, res.TurnsAnswered, res.TurnsHandoff, res.TurnsError, res.TurnsTimedOut = st.turns, st.answered, st.handoff, st.errs, st.timedOut
	res.Ack, res.AckToDelta, res.AckToReply = summarize(st.ack), summarize(st.ackDelta), summarize(st.ackReply)
	res.RedFlags, res.Alerts, res.AlertsMissing = st.redFlags, st.alerts, st.noAlert
	res.AlertFromSend, res.AlertFromAck = summarize(st.alertSend), summarize(st.alertAck)
	if st.firstErr != "" {
		logf("first turn error: %s", st.firstErr)
	}
}

// converse runs one resident's conversation until the deadline; a red flag ends the
// conversation (the AI falls silent in it), and the resident starts a new one.
func converse(ctx context.Context, target string, o Options, con *console, st *activeStats, deadline time.Time) {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		ws, welcome, err := hello(ctx, target)
		if err != nil {
			st.mu.Lock()
			st.errs++
			if st.firstErr == "" {
				st.firstErr = "hello: " + err.Error()
			}
			st.mu.Unlock()
			sleep(ctx, time.Second)
			continue
		}
		frames := make(chan stamped, 256)
		go func() {
			defer close(frames)
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var f protocol.ServerFrame
				if json.Unmarshal(data, &f) == nil {
					frames <- stamped{f, time.Now()}
				}
			}
		}()
		talk(ctx, ws, welcome.ConversationID, frames, o, con, st, deadline)
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		ws.Close()
		for range frames {
		}
	}
}

func talk(ctx context.Context, ws *websocket.Conn, convID string, frames <-chan stamped, o Options, con *console, st *activeStats, deadline time.Time) {
	for {
		// Between turns, drain what arrives (the opening disclosure, pings answered by the reader).
		wait := time.NewTimer(jitter(o.Every))
	idle:
		for {
			select {
			case <-ctx.Done():
				wait.Stop()
				return
			case _, ok := <-frames:
				if !ok {
					wait.Stop()
					return
				}
			case <-wait.C:
				break idle
			}
		}
		if !time.Now().Before(deadline) {
			return
		}
		red := con != nil && mrand.Float64() < o.RedFlagShare
		text := ordinary[mrand.IntN(len(ordinary))]
		if red {
			text = redFlags[mrand.IntN(len(redFlags))]
		}
		cid := randomID()
		sent := time.Now()
		_ = ws.SetWriteDeadline(sent.Add(10 * time.Second))
		if err := ws.WriteJSON(protocol.ClientFrame{Type: protocol.TypeMessage, ClientID: cid, Text: text}); err != nil {
			return
		}
		var ackAt, deltaAt, replyAt time.Time
		var ackSeq int64
		kind := ""
		timeout := time.NewTimer(turnWait)
	turn:
		for {
			select {
			case <-ctx.Done():
				timeout.Stop()
				return
			case <-timeout.C:
				break turn
			case s, ok := <-frames:
				if !ok {
					break turn
				}
				f := s.f
				switch {
				case f.Type == protocol.TypeMessage && f.ClientID == cid:
					ackAt, ackSeq = s.at, f.Seq
					o.Acks.record(convID, cid, f.Seq)
				case f.Type == protocol.TypeDelta && ackSeq > 0 && f.ReplyTo == ackSeq && deltaAt.IsZero():
					deltaAt = s.at
				case f.Type == protocol.TypeMessage && ackSeq > 0 && f.ReplyTo == ackSeq && f.Author != "resident" && f.Kind != "disclosure":
					replyAt, kind = s.at, f.Kind
					break turn
				case f.Type == protocol.TypeError && (f.ClientID == cid || (ackSeq > 0 && f.ClientID == "")):
					replyAt, kind = s.at, "error:"+f.Code
					break turn
				}
			}
		}
		timeout.Stop()
		st.mu.Lock()
		st.turns++
		if !ackAt.IsZero() {
			st.ack = append(st.ack, ackAt.Sub(sent))
		}
		switch {
		case kind == "":
			st.timedOut++
		case kind == "handoff":
			st.handoff++
		case kind == "text" || kind == "withheld" || kind == "crisis":
			st.answered++
		default:
			st.errs++
			if st.firstErr == "" {
				st.firstErr = kind
			}
		}
		if !replyAt.IsZero() && !ackAt.IsZero() && kind != "" && kind[0] != 'e' {
			st.ackReply = append(st.ackReply, replyAt.Sub(ackAt))
			if !deltaAt.IsZero() {
				st.ackDelta = append(st.ackDelta, deltaAt.Sub(ackAt))
			}
		}
		if red {
			st.redFlags++
		}
		st.mu.Unlock()
		if kind == "" {
			return // no answer: start afresh on a new connection
		}
		if red || kind == "handoff" {
			if con != nil {
				at, ok := con.alertFor(convID, 30*time.Second)
				st.mu.Lock()
				if ok {
					st.alerts++
					st.alertSend = append(st.alertSend, at.Sub(sent))
					if !ackAt.IsZero() {
						st.alertAck = append(st.alertAck, max(at.Sub(ackAt), 0))
					}
				} else {
					st.noAlert++
				}
				st.mu.Unlock()
			}
			return // the AI is silent in this conversation now
		}
	}
}
