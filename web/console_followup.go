package web

import (
	"context"
	"sync"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/internal/tick"
	"nightfloat/selfhelp"
	"nightfloat/web/protocol"
)

// Follow-up on the console: resolving with a check-in, opening a form in the resident's
// chat during a claimed handoff, the list of check-ins nobody answered, and the
// resident's forms beside the transcript. Every action goes through assistant.Service,
// which audits it in its transaction.

// loadCheckins asks the console writer to send the unanswered check-ins.
type loadCheckins struct{}

// checkinsEvery is how often an open console re-reads the unanswered check-ins: an
// entry appears when its grace runs out, which no event announces.
const checkinsEvery = 30 * time.Second

// resolve closes a handoff, with a check-in when the console asked for one.
func (c *consoleConn) resolve(ctx context.Context, by assistant.Clinician, f protocol.ConsoleCommand) error {
	r := assistant.Resolution{Disposition: f.Disposition, Note: f.Note, ReenableAI: f.ReenableAI}
	if f.CheckinAt != "" {
		at, err := time.Parse(time.RFC3339, f.CheckinAt)
		if err != nil {
			return nightfloat.Errorf(nightfloat.CodeInvalid, "the check-in time could not be read; choose a date and time, or a number of days")
		}
		r.CheckinAt = at
	}
	return c.srv.svc.ResolveWith(ctx, by, f.HandoffID, r)
}

// followupFrame handles the console's follow-up frames; false when f is none of them.
func (c *consoleConn) followupFrame(ctx context.Context, by assistant.Clinician, f protocol.ConsoleCommand) (bool, error) {
	switch f.Type {
	case protocol.TypeOfferForm:
		return true, c.srv.svc.OfferForm(ctx, by, f.HandoffID, selfhelp.Kind(f.Kind))
	case protocol.TypeCloseCheckin:
		if err := c.srv.svc.CloseCheckin(ctx, by, f.CheckinID); err != nil {
			return true, err
		}
		c.enqueue(loadCheckins{})
		return true, nil
	}
	return false, nil
}

// writeCheckins sends the unanswered check-ins; it runs on the writer goroutine only.
func (c *consoleConn) writeCheckins() error {
	ks, err := c.srv.svc.UnansweredCheckins(c.ctx)
	if err != nil {
		return c.writeJSON(consoleError(err))
	}
	if ks == nil {
		ks = []assistant.Checkin{}
	}
	return c.writeJSON(protocol.ConsoleCheckins{Type: protocol.TypeCheckins, Items: ks})
}

// writeForms sends the watched conversation's forms; it runs on the writer goroutine only.
func (c *consoleConn) writeForms(convID string) error {
	fs, err := c.srv.svc.Forms(c.ctx, convID)
	if err != nil {
		return c.writeJSON(consoleError(err))
	}
	if fs == nil {
		fs = []selfhelp.Saved{}
	}
	return c.writeJSON(protocol.ConsoleForms{Type: protocol.TypeForms, HandoffID: c.watchID, Items: fs})
}

// refreshCheckins re-reads the unanswered check-ins every interval while the console is
// open; it returns a func that waits for it once the socket is closed.
func (c *consoleConn) refreshCheckins(every time.Duration) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick.Every(c.ctx, every, func(time.Time) { c.enqueue(loadCheckins{}) })
	}()
	return wg.Wait
}
