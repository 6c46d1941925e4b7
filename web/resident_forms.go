package web

import (
	"encoding/json"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/push"
	"nightfloat/selfhelp"
	"nightfloat/web/protocol"
)

// The resident's guided forms, check-ins and notifications over /ws (docs/protocol.md). A
// save goes to assistant.Service, which judges its text and stores it before anything is
// acknowledged; what was stored comes back like any message, followed by the forms as
// kept (a forms frame).

// loadForms asks the writer to send the conversation's forms.
type loadForms struct{}

// current returns the conversation the socket opened.
func (c *conn) current() assistant.Conversation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv
}

func (c *conn) saveForm(f protocol.ClientFrame) {
	res, err := c.srv.svc.SaveForm(c.ctx, c.current(), f.ClientID, f.FormID, selfhelp.Kind(f.Kind), f.Answers)
	if err != nil {
		c.sendError(err, f.ClientID)
		return
	}
	if res.Duplicate {
		// The client missed the acknowledgement: send the stored one again, same seq.
		c.enqueue(protocol.Message{Type: protocol.TypeMessage, Message: res.Message})
		c.enqueue(loadForms{})
		return
	}
	c.enqueue(syncRequest{})
}

func (c *conn) deleteForm(f protocol.ClientFrame) {
	msg, err := c.srv.svc.DeleteForm(c.ctx, c.current(), f.ClientID, f.FormID)
	if err != nil {
		c.sendError(err, f.ClientID)
		return
	}
	// The acknowledgement; the replay after it sends the forms as they now are.
	c.enqueue(protocol.Message{Type: protocol.TypeMessage, Message: msg})
	c.enqueue(syncRequest{})
}

func (c *conn) answerCheckin(f protocol.ClientFrame) {
	msg, err := c.srv.svc.AnswerCheckin(c.ctx, c.current(), f.ClientID, f.CheckinID, f.Answer)
	if err != nil {
		c.sendError(err, f.ClientID)
		return
	}
	c.enqueue(protocol.Message{Type: protocol.TypeMessage, Message: msg})
	c.enqueue(syncRequest{})
}

// errNoPush answers notification requests on a server without VAPID keys.
var errNoPush = nightfloat.Errorf(nightfloat.CodeUnavailable, "Notifications are not set up on this server.")

// subscribePush keeps (on) or forgets this device's push subscription for the
// conversation.
func (c *conn) subscribePush(f protocol.ClientFrame, on bool) {
	if c.srv.push == nil {
		c.sendError(errNoPush, "")
		return
	}
	var sub push.Subscription
	if err := json.Unmarshal(f.Push, &sub); err != nil || sub.Endpoint == "" {
		c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "the push subscription could not be read"), "")
		return
	}
	conv := c.current()
	var err error
	if on {
		err = c.srv.push.Subscribe(c.ctx, conv.ID, sub)
	} else {
		err = c.srv.push.Unsubscribe(c.ctx, conv.ID, sub.Endpoint)
	}
	if err != nil {
		c.sendError(err, "")
		return
	}
	c.log.Info("push subscription changed", "conversation_id", conv.ID, "on", on)
	c.enqueue(protocol.Push{Type: protocol.TypePush, On: on})
}

// writeForms sends the conversation's forms; it runs on the writer goroutine only.
func (c *conn) writeForms() error {
	fs, err := c.srv.svc.Forms(c.ctx, c.current().ID)
	if err != nil {
		return c.writeJSON(newErrorFrame(err, "", c.srv.crisis))
	}
	if fs == nil {
		fs = []selfhelp.Saved{}
	}
	return c.writeJSON(protocol.Forms{Type: protocol.TypeForms, Items: fs})
}
