package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notification is one NOTIFY received from PostgreSQL.
type Notification struct {
	Channel string
	Payload string
}

// Listener holds one dedicated connection that LISTENs on a fixed set of channels and hands
// every notification to a handler. It reconnects by itself when the database goes away;
// OnReconnect is called after each reconnection so that subscribers can resync from the
// tables (notifications sent while it was down are lost, the rows are not).
type Listener struct {
	URL         string
	Channels    []string
	Handle      func(Notification)
	OnReconnect func()
	Logger      *slog.Logger
	// Ready, when not nil, is closed once the first LISTEN has succeeded.
	Ready chan struct{}
}

// Run listens until ctx is cancelled.
func (l *Listener) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	first := true
	for {
		err := l.listenOnce(ctx, first)
		if ctx.Err() != nil {
			return nil
		}
		first = false
		l.Logger.Warn("postgres listener lost its connection; reconnecting", "error", err, "retry_in_ms", backoff.Milliseconds())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (l *Listener) listenOnce(ctx context.Context, first bool) error {
	conn, err := pgx.Connect(ctx, l.URL)
	if err != nil {
		return fmt.Errorf("postgres: listen: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range l.Channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: listen %s: %w", ch, err)
		}
	}
	if first {
		if l.Ready != nil {
			close(l.Ready)
		}
	} else if l.OnReconnect != nil {
		l.OnReconnect()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return fmt.Errorf("postgres: wait for notification: %w", err)
		}
		l.Handle(Notification{Channel: n.Channel, Payload: n.Payload})
	}
}

// Notify sends a notification on channel; inside a transaction it is delivered on commit.
func Notify(ctx context.Context, q Querier, channel, payload string) error {
	if _, err := q.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		return fmt.Errorf("postgres: notify %s: %w", channel, err)
	}
	return nil
}
