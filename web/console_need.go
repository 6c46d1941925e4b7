package web

import (
	"context"
	"nightfloat"
	"nightfloat/clinician"
	"strconv"

	"nightfloat/assistant"
)

// Need-to-know for transcripts on the console: an on-call clinician reads a handoff's
// full transcript while the handoff is open (it may be theirs to take), or after it closed
// only if they were the clinician who took it. Everyone else reads closed conversations
// through the review queue, which needs the reviewer role and shows the redacted view.

// mayRead reports whether cl may read h's full transcript on the console.
func mayRead(cl clinician.Clinician, h assistant.Handoff) bool {
	return h.Open() || (h.ClaimedBy != 0 && h.ClaimedBy == cl.ID)
}

// open shows one handoff's transcript to the clinician, audited; a refusal is audited too.
func (c *consoleConn) open(ctx context.Context, cl clinician.Clinician, id int64) error {
	h, err := c.srv.svc.Store.Handoff(ctx, id)
	if err != nil {
		return err
	}
	target := "conversation:" + h.ConversationID
	if !mayRead(cl, h) {
		detail := map[string]any{"handoff_id": h.ID, "reason": "handoff resolved and not taken by this clinician"}
		if err := c.audit(ctx, cl.Actor(), "transcript.denied", target, detail); err != nil {
			return err
		}
		return nightfloat.Errorf(nightfloat.CodeUnauthorized,
			"Handoff %s is resolved and you did not take it, so its transcript is not shown here. Reviewers read it, redacted, in the review queue.",
			strconv.FormatInt(h.ID, 10))
	}
	if err := c.audit(ctx, cl.Actor(), "transcript.view", target, map[string]any{"handoff_id": h.ID}); err != nil {
		return err
	}
	c.watchConv.Store(h.ConversationID)
	c.enqueue(watchRequest{handoff: h})
	return nil
}
