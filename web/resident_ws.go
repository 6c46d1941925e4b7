package web

import (
	"net/http"
	"sync"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/web/protocol"
)

// The resident's websocket, /ws (docs/protocol.md): hello opens or resumes a conversation,
// then messages go to the assistant.Service and everything stored comes back in order.

// syncRequest asks the writer to send what the database has beyond what was sent.
type syncRequest struct{}

// resetLastSent tells the writer where the client's replay starts.
type resetLastSent int64

// conn is one resident websocket.
type conn struct {
	*socket
	srv *Server

	source string // the client's address as counted for new conversations (see resident_limit.go)

	mu       sync.Mutex
	conv     assistant.Conversation
	lastSent int64 // writer-owned
}

// serveResident upgrades and runs one resident connection until it closes.
func (s *Server) serveResident(w http.ResponseWriter, r *http.Request) {
	up := s.upgrader()
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	c := &conn{socket: newSocket(s.base, ws, s.logger), srv: s, source: sourceOf(clientAddress(r, s.proxies))}
	if !s.track() {
		c.closeWith(disconnectShutdown)
		c.run(func() {}, func(any) error { return nil })
		return
	}
	defer s.untrack()
	defer s.metrics.Resident()()
	var unsubscribe func()
	c.run(func() {
		c.readFrames(helloWait, func(data []byte) { c.frame(data, &unsubscribe) }, func(err error) { c.sendError(err, "") })
		if unsubscribe != nil {
			unsubscribe()
		}
	}, c.write)
}

func (c *conn) frame(data []byte, unsubscribe *func()) {
	f, err := decodeFrame(data)
	if err != nil {
		c.sendError(err, "")
		return
	}
	switch f.Type {
	case "hello":
		if *unsubscribe != nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeConflict, "hello was already sent on this connection"), "")
			return
		}
		if *unsubscribe = c.hello(f); *unsubscribe != nil {
			c.extendRead()
		}
	case "message":
		if *unsubscribe == nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "send hello before messages"), f.ClientID)
			return
		}
		c.message(f)
	case "delete":
		if *unsubscribe == nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "send hello before deleting"), "")
			return
		}
		c.deleteConversation()
	case protocol.TypeScreen: // resident_screen.go
		if *unsubscribe == nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "send hello before a questionnaire"), f.ClientID)
			return
		}
		c.screen(f)
	default: // guided forms, check-ins and notifications (resident_forms.go)
		if *unsubscribe == nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "send hello first"), f.ClientID)
			return
		}
		c.formFrame(f)
	}
}

// formFrame handles the frames of resident_forms.go.
func (c *conn) formFrame(f protocol.ClientFrame) {
	switch f.Type {
	case protocol.TypeFormSave:
		c.saveForm(f)
	case protocol.TypeFormDelete:
		c.deleteForm(f)
	case protocol.TypeCheckinAnswer:
		c.answerCheckin(f)
	case protocol.TypePushSubscribe, protocol.TypePushUnsubscribe:
		c.subscribePush(f, f.Type == protocol.TypePushSubscribe)
	}
}

// deleteConversation removes the resident's conversation for good, at their request.
func (c *conn) deleteConversation() {
	c.mu.Lock()
	convID := c.conv.ID
	c.mu.Unlock()
	if err := c.srv.svc.DeleteConversation(c.ctx, convID); err != nil {
		c.sendError(err, "")
		return
	}
	c.log.Info("conversation deleted by the resident", "conversation_id", convID)
	c.enqueue(protocol.Deleted{Type: protocol.TypeDeleted})
	c.enqueue(closeAfter{})
}

// closeAfter closes the connection normally once the frames before it are written.
type closeAfter struct{}

// hello opens or resumes the conversation, subscribes to it, and replays what the client
// lacks. It returns nil when the hello was refused.
func (c *conn) hello(f protocol.ClientFrame) (unsubscribe func()) {
	svc := c.srv.svc
	var conv assistant.Conversation
	var token string
	var err error
	if f.ConversationID == "" {
		role, roleErr := nightfloat.ParseRole(f.Role)
		if roleErr != nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "unknown role %q: want one of %s", f.Role, nightfloat.RoleNames()), "")
			return nil
		}
		if ok, wait := c.srv.convLimit.allow(c.source); !ok {
			c.enqueue(tooManyConversations(wait, c.srv.crisis))
			return nil
		}
		conv, token, err = svc.StartFrom(c.ctx, role, c.srv.tagger.tag(c.source))
	} else {
		conv, err = svc.Resume(c.ctx, f.ConversationID, f.Token)
		token = f.Token
	}
	if err != nil {
		c.sendError(err, "")
		return nil
	}
	c.mu.Lock()
	c.conv = conv
	c.mu.Unlock()
	if f.ConversationID != "" {
		// A resident coming back finds a check-in that has come due in the replay. It is
		// stored before subscribing, so its announcement cannot overtake the welcome.
		if err := svc.DeliverCheckins(c.ctx, conv.ID); err != nil {
			c.log.Warn("deliver check-ins on resume", "conversation_id", conv.ID, "error", err)
		}
	}
	// Subscribe before reading the backlog, so nothing falls between the two.
	unsubscribe = c.srv.hub.Subscribe(conv.ID, func(ev assistant.Event) bool { return c.enqueue(ev) },
		func() { c.closeWith(disconnectSlow) })
	last := f.LastSeq
	if last < 0 || f.ConversationID == "" {
		last = 0
	}
	c.enqueue(protocol.Welcome{Type: protocol.TypeWelcome, ConversationID: conv.ID, Token: token, Seq: conv.LastSeq,
		Role: string(conv.Role), Mode: conv.Mode, MaxChars: svc.MaxMessageChars()})
	c.enqueue(resetLastSent(last))
	// The replay sends the forms after it when it holds a save or deletion of one
	// (syncFromStore), so a reload (last_seq 0) always loads them.
	c.enqueue(syncRequest{})
	c.enqueue(assistant.Event{Kind: assistant.EventHandoff, ConversationID: conv.ID})
	return unsubscribe
}

func (c *conn) message(f protocol.ClientFrame) {
	c.mu.Lock()
	conv := c.conv
	c.mu.Unlock()
	msg, dup, err := c.srv.svc.Submit(c.ctx, conv, f.ClientID, f.Text)
	if err != nil {
		c.sendError(err, f.ClientID)
		return
	}
	if dup {
		// The client missed the acknowledgement: send the stored message again, same seq.
		c.enqueue(protocol.Message{Type: protocol.TypeMessage, Message: msg})
		return
	}
	c.enqueue(syncRequest{})
}

func (c *conn) sendError(err error, clientID string) {
	code := nightfloat.ErrorCode(err)
	if code == nightfloat.CodeInternal || code == nightfloat.CodeUnavailable {
		c.log.Error("resident request failed", "error", err)
		c.srv.metrics.DBError("resident_request")
	}
	c.enqueue(newErrorFrame(err, clientID, c.srv.crisis))
}

// write sends one queued item; it runs only on the writer goroutine.
func (c *conn) write(it any) error {
	switch f := it.(type) {
	case resetLastSent:
		c.lastSent = int64(f)
		return nil
	case syncRequest:
		return c.syncFromStore()
	case closeAfter:
		c.closeWith(disconnectDeleted)
		return nil
	case loadForms:
		return c.writeForms()
	case assistant.Event:
		return c.writeEvent(f)
	}
	return c.writeJSON(it)
}

func (c *conn) writeEvent(ev assistant.Event) error {
	switch ev.Kind {
	case assistant.EventStored:
		if ev.Seq <= c.lastSent {
			return nil
		}
		return c.syncFromStore()
	case assistant.EventResync:
		return c.syncFromStore()
	case assistant.EventDelta:
		return c.writeJSON(protocol.Delta{Type: protocol.TypeDelta, ReplyTo: ev.Seq, Text: ev.Text})
	case assistant.EventHandoff:
		return c.writeHandoff(ev.Seq)
	case assistant.EventFailure:
		return c.writeJSON(residentError(nightfloat.CodeUnavailable, ev.Text, "", c.srv.crisis))
	}
	return nil
}

// writeHandoff sends the state of handoff id, or of the conversation's current handoff
// when id is 0 (after a connect: nothing is sent when there has never been one).
func (c *conn) writeHandoff(id int64) error {
	c.mu.Lock()
	convID := c.conv.ID
	c.mu.Unlock()
	svc := c.srv.svc
	var h assistant.Handoff
	var err error
	if id == 0 {
		h, err = svc.CurrentHandoff(c.ctx, convID)
	} else {
		h, err = svc.Handoff(c.ctx, id)
	}
	if nightfloat.ErrorCode(err) == nightfloat.CodeNotFound {
		return nil
	}
	if err != nil {
		return c.writeJSON(newErrorFrame(err, "", c.srv.crisis))
	}
	conv, err := svc.Conversation(c.ctx, convID)
	if err != nil {
		return c.writeJSON(newErrorFrame(err, "", c.srv.crisis))
	}
	// Messages stored with the change go first, so the page shows them in order.
	if err := c.syncFromStore(); err != nil {
		return err
	}
	return c.writeJSON(protocol.Handoff{Type: protocol.TypeHandoff, ID: h.ID, Level: h.Level.String(), Status: h.Status,
		Unattended: h.UnattendedAt != nil && h.Status == assistant.HandoffWaiting, Mode: conv.Mode})
}

// syncFromStore sends every stored message after lastSent, in order, and then the forms
// when one of them saved or deleted a form.
func (c *conn) syncFromStore() error {
	c.mu.Lock()
	convID := c.conv.ID
	c.mu.Unlock()
	formsChanged := false
	for {
		msgs, err := c.srv.svc.MessagesAfter(c.ctx, convID, c.lastSent, replayBatch)
		if err != nil {
			if c.ctx.Err() != nil {
				return err
			}
			// The database is unreachable: say so; the client keeps its place and resyncs.
			return c.writeJSON(newErrorFrame(err, "", c.srv.crisis))
		}
		for _, m := range msgs {
			if err := c.writeJSON(protocol.Message{Type: protocol.TypeMessage, Message: m}); err != nil {
				return err
			}
			if m.ReplyTo > 0 && m.Kind != assistant.KindDisclosure {
				if err := c.writeJSON(protocol.Done{Type: protocol.TypeDone, Seq: m.Seq}); err != nil {
					return err
				}
			}
			c.lastSent = m.Seq
			formsChanged = formsChanged || (m.Kind == assistant.KindForm && m.Author == assistant.AuthorResident)
		}
		if len(msgs) < replayBatch {
			if formsChanged {
				return c.writeForms()
			}
			return nil
		}
	}
}
