package tick

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// loop runs one of the loops with tick d, counting calls, until the returned stop is called;
// stop fails the test when the loop does not return.
func loop(t *testing.T, every bool, d time.Duration, calls *atomic.Int32) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if every {
			Every(ctx, d, func(time.Time) { calls.Add(1) })
		} else {
			NowAndEvery(ctx, d, func() { calls.Add(1) })
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the loop did not return when ctx ended")
		}
	}
}

func waitCalls(t *testing.T, calls *atomic.Int32, n int32) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); calls.Load() < n; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in 5 s, want %d", calls.Load(), n)
		}
	}
}

func TestLoops(t *testing.T) {
	tests := []struct {
		name  string
		every bool
		first int32 // calls before the first tick
	}{
		{"Every", true, 0},
		{"NowAndEvery", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// An hour's tick: only the call at once, if any, happens.
			var calls atomic.Int32
			stop := loop(t, tt.every, time.Hour, &calls)
			waitCalls(t, &calls, tt.first)
			time.Sleep(30 * time.Millisecond)
			stop()
			if got := calls.Load(); got != tt.first {
				t.Errorf("%d calls before the first tick, want %d", got, tt.first)
			}

			// A short tick: calls repeat, and stop when ctx ends.
			calls.Store(0)
			stop = loop(t, tt.every, 10*time.Millisecond, &calls)
			waitCalls(t, &calls, 3)
			stop()
			n := calls.Load()
			time.Sleep(40 * time.Millisecond)
			if calls.Load() != n {
				t.Error("called after ctx ended")
			}
		})
	}
}
