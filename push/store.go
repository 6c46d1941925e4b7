package push

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat"
)

// Subscription is a browser's PushSubscription as its toJSON() gives it.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// DefaultHosts are the push services of the browsers people use (Chrome and Edge through
// Firebase, Firefox, Safari, Windows): host names, or suffixes starting with a dot.
var DefaultHosts = []string{"fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"}

// Store keeps push subscriptions (table push_subscriptions) under a conversation's id.
type Store struct {
	pool  *pgxpool.Pool
	hosts []string
}

// NewStore returns a Store on pool that accepts endpoints on hosts (host names, or
// suffixes starting with a dot); nil takes DefaultHosts.
func NewStore(pool *pgxpool.Pool, hosts []string) *Store {
	if hosts == nil {
		hosts = DefaultHosts
	}
	return &Store{pool: pool, hosts: hosts}
}

func (s *Store) allowed(host string) bool {
	host = strings.ToLower(host)
	for _, h := range s.hosts {
		if host == h || (strings.HasPrefix(h, ".") && strings.HasSuffix(host, h)) {
			return true
		}
	}
	return false
}

// check refuses a subscription that cannot be one a browser made on a known push service.
func (s *Store) check(sub Subscription) error {
	u, err := url.Parse(sub.Endpoint)
	switch {
	case len(sub.Endpoint) > 2048 || err != nil || u.Scheme != "https" || u.Host == "":
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the push subscription's endpoint is not an https URL")
	case !s.allowed(u.Hostname()):
		return nightfloat.Errorf(nightfloat.CodeInvalid, "notifications from this browser's push service are not supported")
	}
	if k, err := decodeKey(sub.Keys.P256dh); err != nil || len(k) != 65 {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the push subscription's key is not a P-256 public key")
	}
	if a, err := decodeKey(sub.Keys.Auth); err != nil || len(a) != 16 {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the push subscription's auth secret is not 16 bytes")
	}
	return nil
}

func endpointHash(endpoint string) []byte {
	h := sha256.Sum256([]byte(endpoint))
	return h[:]
}

// Subscribe keeps sub for the conversation. An endpoint already kept for another
// conversation moves to this one: a device follows one conversation at a time.
func (s *Store) Subscribe(ctx context.Context, convID string, sub Subscription) error {
	if err := s.check(sub); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO push_subscriptions (conversation_id, endpoint_hash, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (endpoint_hash) DO UPDATE SET conversation_id = EXCLUDED.conversation_id,
			endpoint = EXCLUDED.endpoint, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = now()`,
		convID, endpointHash(sub.Endpoint), sub.Endpoint, sub.Keys.P256dh, sub.Keys.Auth)
	if err != nil {
		return unavailable("subscribe", err)
	}
	return nil
}

// Unsubscribe forgets the conversation's subscription with that endpoint (nothing when
// there is none).
func (s *Store) Unsubscribe(ctx context.Context, convID, endpoint string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM push_subscriptions WHERE conversation_id = $1 AND endpoint_hash = $2`,
		convID, endpointHash(endpoint)); err != nil {
		return unavailable("unsubscribe", err)
	}
	return nil
}

// Subscribed reports whether the conversation has the endpoint.
func (s *Store) Subscribed(ctx context.Context, convID, endpoint string) (bool, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM push_subscriptions WHERE conversation_id = $1 AND endpoint_hash = $2`,
		convID, endpointHash(endpoint)).Scan(&n); err != nil {
		return false, unavailable("read subscription", err)
	}
	return n > 0, nil
}

// stored is a kept subscription.
type stored struct {
	id  int64
	sub Subscription
}

func (s *Store) forConversation(ctx context.Context, convID string) ([]stored, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE conversation_id = $1 ORDER BY id`, convID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (stored, error) {
		var st stored
		err := row.Scan(&st.id, &st.sub.Endpoint, &st.sub.Keys.P256dh, &st.sub.Keys.Auth)
		return st, err
	})
}

func (s *Store) delete(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM push_subscriptions WHERE id = $1`, id)
	return err
}

// unavailable wraps a database failure for the resident, saying nothing of the endpoint.
func unavailable(op string, err error) error {
	return &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: "Notifications cannot be set up right now; try again later.",
		Err: fmt.Errorf("push: %s: %w", op, err)}
}
