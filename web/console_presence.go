package web

import (
	"sync"
	"time"

	"nightfloat/web/protocol"
)

// dutyRenewEvery is how often an open console renews its clinician's duty; it must stay
// well under the accounts' DutyGrace (20s by default) so that one late renewal or a page
// reload does not end duty.
const dutyRenewEvery = 5 * time.Second

// keepDuty renews the clinician's duty while the console socket is open, tells the console
// when the database becomes unreachable and when it is back, and ends the socket (disconnectSessionEnded) as
// soon as its session has ended. It returns a func that waits for it once the socket is
// closed.
func (c *consoleConn) keepDuty(every time.Duration) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		down := false
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-t.C:
			}
			alive, err := c.srv.accounts.RenewDuty(c.ctx, c.token)
			switch {
			case err != nil:
				// The database is unreachable: the console shows it, and duty is renewed
				// again on the next tick. This is not a logout.
				if !down && c.ctx.Err() == nil {
					c.log.Warn("renew clinician duty", "error", err)
					c.enqueue(protocol.ConsoleStatus{Type: protocol.TypeStatus, Database: "unreachable"})
				}
				down = true
			case !alive:
				c.closeWith(disconnectSessionEnded)
				return
			case down:
				// Back: say so and resend the list, which may have changed meanwhile.
				down = false
				c.enqueue(protocol.ConsoleStatus{Type: protocol.TypeStatus, Database: "ok"})
				c.enqueue(loadHandoffs{})
			}
		}
	}()
	return wg.Wait
}
