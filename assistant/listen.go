package assistant

import (
	"log/slog"

	"nightfloat/postgres"
)

// NewListener returns the PostgreSQL listener that carries stored-message and handoff
// events from every replica to this server's hub. After a reconnection every subscriber resyncs from
// the database, since notifications sent while it was away are lost.
func NewListener(databaseURL string, hub *Hub, logger *slog.Logger, ready chan struct{}) *postgres.Listener {
	return &postgres.Listener{
		URL:      databaseURL,
		Channels: []string{MessagesChannel, HandoffsChannel},
		Handle: func(n postgres.Notification) {
			parse := ParseStoredPayload
			if n.Channel == HandoffsChannel {
				parse = ParseHandoffPayload
			}
			if ev, ok := parse(n.Payload); ok {
				hub.Publish(ev)
			}
		},
		OnReconnect: func() { hub.PublishAll(Event{Kind: EventResync}) },
		Logger:      logger,
		Ready:       ready,
	}
}
