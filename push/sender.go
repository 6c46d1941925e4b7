package push

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// Sender pushes notifications without any text to a conversation's subscriptions.
type Sender struct {
	store  *Store
	keys   Keys
	client webpush.HTTPClient
	logger *slog.Logger
}

// NewSender returns a Sender with keys (checked by Keys.Check before); client may be nil
// for an http.Client with a 15-second time-out.
func NewSender(store *Store, keys Keys, client *http.Client, logger *slog.Logger) *Sender {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// webpush-go takes URL-safe base64 keys, and an e-mail subject without its mailto:
	// (it adds one to anything that is not an https: URL).
	for _, k := range []*string{&keys.Public, &keys.Private} {
		if b, err := decodeKey(*k); err == nil {
			*k = base64.RawURLEncoding.EncodeToString(b)
		}
	}
	keys.Subject = strings.TrimPrefix(keys.Subject, "mailto:")
	return &Sender{store: store, keys: keys, client: client, logger: logger}
}

// ttl is how long a push service keeps an undelivered notification (3 days).
const ttl = 3 * 24 * 60 * 60

// Notify tells each of the conversation's subscriptions that something is waiting. The
// notification has no payload at all, so nothing about the person or the conversation
// passes through the push service; the service worker shows a fixed text. A subscription
// the push service says is gone (404, 410) is deleted. It returns the first failure after
// trying every subscription.
func (s *Sender) Notify(ctx context.Context, convID string) error {
	subs, err := s.store.forConversation(ctx, convID)
	if err != nil {
		return fmt.Errorf("push: read subscriptions: %w", err)
	}
	var first error
	for _, st := range subs {
		sub := webpush.Subscription{Endpoint: st.sub.Endpoint, Keys: webpush.Keys{P256dh: st.sub.Keys.P256dh, Auth: st.sub.Keys.Auth}}
		resp, err := webpush.SendNotificationWithContext(ctx, nil, &sub, &webpush.Options{
			HTTPClient: s.client, Subscriber: s.keys.Subject, VAPIDPublicKey: s.keys.Public, VAPIDPrivateKey: s.keys.Private,
			TTL: ttl, Urgency: webpush.UrgencyNormal, Topic: "checkin",
		})
		if err != nil {
			// The error may quote the endpoint, which is a secret: it is not logged.
			s.logger.Warn("push failed", "conversation_id", convID, "subscription_id", st.id)
			if first == nil {
				first = fmt.Errorf("push: subscription %d: send failed", st.id)
			}
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
			if err := s.store.delete(ctx, st.id); err != nil && first == nil {
				first = fmt.Errorf("push: delete gone subscription %d: %w", st.id, err)
			}
			s.logger.Info("push subscription gone; deleted", "conversation_id", convID, "subscription_id", st.id)
		case resp.StatusCode >= 300:
			s.logger.Warn("push refused", "conversation_id", convID, "subscription_id", st.id, "status", resp.StatusCode)
			if first == nil {
				first = fmt.Errorf("push: subscription %d: status %d", st.id, resp.StatusCode)
			}
		}
	}
	return first
}
