package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/clinician"
	"nightfloat/web/protocol"
)

// The clinician console websocket. Every frame is re-authorised against the session (a
// disabled account or a revoked session stops working at once) and every action is audited.

// watchRequest asks the console writer to show one handoff's conversation.
type watchRequest struct{ handoff assistant.Handoff }

type consoleConn struct {
	*socket
	srv         *Server
	token       string
	clinicianID int64 // whose console this is

	watchConv atomic.Value // string: the conversation on screen, for the hub filter
	watchID   int64        // writer-owned
	lastSent  int64        // writer-owned
}

func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	clinician, _ := ClinicianFrom(r.Context())
	up := s.upgrader()
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &consoleConn{socket: newSocket(s.base, ws, s.logger), srv: s, token: sessionToken(r), clinicianID: clinician.ID}
	c.watchConv.Store("")
	if !s.track() {
		c.closeWith(disconnectShutdown)
		c.run(func() {}, func(any) error { return nil })
		return
	}
	defer s.untrack()
	unsubscribe := s.hub.Subscribe("*", func(ev assistant.Event) bool {
		switch ev.Kind {
		case assistant.EventHandoff:
			return c.enqueue(ev)
		case assistant.EventStored, assistant.EventResync:
			if ev.ConversationID == c.watchConv.Load().(string) {
				return c.enqueue(ev)
			}
		}
		return true
	}, func() { c.closeWith(disconnectSlow) })
	defer unsubscribe()
	c.enqueue(protocol.ConsoleDuty{Type: protocol.TypeDuty, On: clinician.OnDuty})
	c.enqueue(loadHandoffs{})
	c.enqueue(loadCheckins{})
	defer c.keepDuty(s.dutyRenew)()
	defer c.refreshCheckins(checkinsEvery)()
	c.run(func() {
		c.readFrames(pongWait, c.frame, func(err error) { c.sendErr(err) })
	}, c.write)
}

// loadHandoffs asks the writer to send the list of open handoffs.
type loadHandoffs struct{}

func (c *consoleConn) sendErr(err error) {
	c.enqueue(consoleError(err))
}

// authorise re-reads the session for every frame: a revoked session or a disabled account
// ends the connection at once, and the role is checked for each action. A database that
// cannot be reached is not a logout: the action is refused as unavailable and the
// connection stays, so the clinician carries on once it is back.
func (c *consoleConn) authorise(role string) (clinician.Clinician, bool) {
	cl, _, err := c.srv.accounts.SessionFor(c.ctx, c.token)
	if errors.Is(err, clinician.ErrUnauthorized) {
		c.closeWith(disconnectSessionEnded)
		return clinician.Clinician{}, false
	}
	if err != nil {
		c.log.Warn("console session check failed", "error", err)
		c.enqueue(protocol.ConsoleStatus{Type: protocol.TypeStatus, Database: "unreachable"})
		c.sendErr(&nightfloat.Error{Code: nightfloat.CodeUnavailable,
			Message: "The database cannot be reached, so that was not done. You are still signed in; try again in a moment.", Err: err})
		return clinician.Clinician{}, false
	}
	if !cl.Has(role) {
		c.sendErr(nightfloat.Errorf(nightfloat.CodeUnauthorized, "this needs the %s role", role))
		return clinician.Clinician{}, false
	}
	return cl, true
}

func (c *consoleConn) frame(data []byte) {
	var f protocol.ConsoleCommand
	if err := json.Unmarshal(data, &f); err != nil {
		c.sendErr(nightfloat.Errorf(nightfloat.CodeInvalid, "the frame is not valid JSON"))
		return
	}
	cl, ok := c.authorise("oncall")
	if !ok {
		return
	}
	ctx := c.ctx
	by := assistant.Clinician{ID: cl.ID, Name: cl.DisplayName, Actor: cl.Actor()}
	svc := c.srv.svc
	var err error
	switch f.Type {
	case "duty":
		if err = c.srv.accounts.SetOnDuty(ctx, cl.ID, f.On); err == nil {
			c.enqueue(protocol.ConsoleDuty{Type: protocol.TypeDuty, On: f.On})
		}
	case "open":
		err = c.open(ctx, cl, f.HandoffID)
	case "claim":
		err = svc.Claim(ctx, by, f.HandoffID)
	case "say":
		_, err = svc.Say(ctx, by, f.HandoffID, f.ClientID, f.Text)
	case "resolve":
		err = c.resolve(ctx, by, f)
	default:
		var ok bool
		if ok, err = c.followupFrame(ctx, by, f); !ok { // console_followup.go
			err = nightfloat.Errorf(nightfloat.CodeInvalid, "unknown frame type %q", f.Type)
		}
	}
	if err != nil {
		c.sendErr(err)
	}
}

func (c *consoleConn) audit(ctx context.Context, actor, action, target string, detail map[string]any) error {
	return auditFailed(c.srv.audit.Record(ctx, actor, action, target, detail))
}

// auditFailed tells the clinician plainly that their action was not done because its
// audit entry could not be written; nil stays nil.
func auditFailed(err error) error {
	if err == nil {
		return nil
	}
	return &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: "The action could not be recorded in the audit log.", Err: err}
}

// write runs on the writer goroutine only.
func (c *consoleConn) write(it any) error {
	svc := c.srv.svc
	switch v := it.(type) {
	case loadHandoffs:
		hs, err := svc.OpenHandoffs(c.ctx)
		if err != nil {
			return c.writeJSON(consoleError(err))
		}
		return c.writeJSON(protocol.ConsoleHandoffs{Type: protocol.TypeHandoffs, Items: nonNilHandoffs(hs)})
	case loadCheckins:
		return c.writeCheckins()
	case watchRequest:
		c.watchID, c.lastSent = v.handoff.ID, 0
		msgs, err := svc.MessagesAfter(c.ctx, v.handoff.ConversationID, 0, 1000)
		if err != nil {
			return c.writeJSON(consoleError(err))
		}
		as, err := svc.Assessments(c.ctx, v.handoff.ConversationID)
		if err != nil {
			return c.writeJSON(consoleError(err))
		}
		if len(msgs) > 0 {
			c.lastSent = msgs[len(msgs)-1].Seq
		}
		if err := c.writeJSON(protocol.ConsoleTranscript{Type: protocol.TypeTranscript, Handoff: v.handoff, Messages: msgs, Assessments: as}); err != nil {
			return err
		}
		return c.writeForms(v.handoff.ConversationID)
	case assistant.Event:
		if v.Kind == assistant.EventHandoff {
			h, err := svc.Handoff(c.ctx, v.Seq)
			if nightfloat.ErrorCode(err) == nightfloat.CodeNotFound {
				// The resident deleted the conversation.
				return c.writeJSON(protocol.ConsoleGone{Type: protocol.TypeHandoffGone, ID: v.Seq})
			}
			if err != nil {
				return nil
			}
			if h.ID == c.watchID && !mayRead(clinician.Clinician{ID: c.clinicianID}, h) {
				// Resolved by someone else: this clinician no longer follows the conversation.
				c.watchID = 0
				c.watchConv.Store("")
			}
			return c.writeJSON(protocol.ConsoleHandoff{Type: protocol.TypeHandoff, Item: h, Alert: h.Status == assistant.HandoffWaiting})
		}
		return c.syncWatched(v.ConversationID)
	}
	return c.writeJSON(it)
}

// syncWatched sends the watched conversation's new messages.
func (c *consoleConn) syncWatched(convID string) error {
	if convID != c.watchConv.Load().(string) || c.watchID == 0 {
		return nil
	}
	msgs, err := c.srv.svc.MessagesAfter(c.ctx, convID, c.lastSent, replayBatch)
	if err != nil {
		return c.writeJSON(consoleError(err))
	}
	formsChanged := false
	for _, m := range msgs {
		if err := c.writeJSON(protocol.ConsoleMessage{Type: protocol.TypeMessage, HandoffID: c.watchID, Message: m}); err != nil {
			return err
		}
		c.lastSent = m.Seq
		formsChanged = formsChanged || (m.Kind == assistant.KindForm && m.Author == assistant.AuthorResident)
	}
	if formsChanged {
		return c.writeForms(convID)
	}
	return nil
}

func nonNilHandoffs(hs []assistant.Handoff) []assistant.Handoff {
	if hs == nil {
		return []assistant.Handoff{}
	}
	return hs
}
