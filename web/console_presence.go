package web

import (
	"sync"
	"time"
)

// dutyRenewEvery is how often an open console renews its clinician's duty; it must stay
// well under the accounts' DutyGrace (20s by default) so that one late renewal or a page
// reload does not end duty.
const dutyRenewEvery = 5 * time.Second

// keepDuty renews the clinician's duty while the console socket is open, and ends the
// socket (4401) as soon as its session has ended. It returns a func that stops it and
// waits for it.
func (c *consoleConn) keepDuty(every time.Duration) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-t.C:
			}
			alive, err := c.srv.accounts.RenewDuty(c.ctx, c.token)
			switch {
			case err != nil:
				// The database is unreachable: the console says so from its own frames;
				// duty is renewed again on the next tick.
				c.log.Warn("renew clinician duty", "error", err)
			case !alive:
				c.closeWith(4401, "session ended: log in again")
				return
			}
		}
	}()
	return wg.Wait
}
