package tick

import (
	"context"
	"time"
)

// Every calls f at each tick of d, with the tick's time, until ctx ends. The first call
// is one d from now; a call that outlasts d delays the next, it never overlaps it.
func Every(ctx context.Context, d time.Duration, f func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f(now)
		}
	}
}

// NowAndEvery calls f at once and then at each tick of d until ctx ends.
func NowAndEvery(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
