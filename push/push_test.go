package push

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"nightfloat"
	"nightfloat/postgres/postgrestest"
)

// browser is a test's stand-in for a browser's push subscription: its own key pair and
// auth secret, so that the test can decrypt what the push service receives.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(tb testing.TB) browser {
	tb.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return browser{key: key, auth: auth}
}

func (b browser) subscription(endpoint string) Subscription {
	var s Subscription
	s.Endpoint = endpoint
	s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes())
	s.Keys.Auth = base64.RawURLEncoding.EncodeToString(b.auth)
	return s
}

// decrypt opens an aes128gcm web-push body (RFC 8188, keys as RFC 8291 derives them)
// and returns the plaintext without its padding.
func (b browser) decrypt(tb testing.TB, body []byte) []byte {
	tb.Helper()
	if len(body) < 21 {
		tb.Fatalf("body of %d bytes is too short for an aes128gcm header", len(body))
	}
	salt, idlen := body[:16], int(body[20])
	_ = binary.BigEndian.Uint32(body[16:20]) // record size
	serverPub, ct := body[21:21+idlen], body[21+idlen:]
	peer, err := ecdh.P256().NewPublicKey(serverPub)
	if err != nil {
		tb.Fatalf("server key: %v", err)
	}
	shared, err := b.key.ECDH(peer)
	if err != nil {
		tb.Fatal(err)
	}
	info := append(append([]byte("WebPush: info\x00"), b.key.PublicKey().Bytes()...), serverPub...)
	ikm, err := hkdf.Key(sha256.New, shared, b.auth, string(info), 32)
	if err != nil {
		tb.Fatal(err)
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		tb.Fatal(err)
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		tb.Fatalf("decrypt the push body: %v", err)
	}
	end := len(plain) - 1
	for end >= 0 && plain[end] == 0 {
		end--
	}
	if end < 0 || plain[end] != 2 {
		tb.Fatalf("no last-record delimiter in the plaintext")
	}
	return plain[:end]
}

// pushService is a fake push service that records what it is sent.
type pushService struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []*http.Request
	bodies [][]byte
}

func newPushService(tb testing.TB) *pushService {
	p := &pushService{status: http.StatusCreated}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got, p.bodies = append(p.got, r), append(p.bodies, body)
		status := p.status
		p.mu.Unlock()
		w.WriteHeader(status)
	}))
	tb.Cleanup(p.Close)
	return p
}

// world is a database with two conversations, a store that accepts the fake service's
// host and a sender with fresh keys.
type world struct {
	ctx         context.Context
	db          *postgrestest.DB
	store       *Store
	sender      *Sender
	keys        Keys
	conv, other string
	service     *pushService
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := postgrestest.New(t)
	ctx := context.Background()
	svc := newPushService(t)
	u, _ := url.Parse(svc.URL)
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	keys.Subject = "mailto:oncall@example.org"
	if err := keys.Check(); err != nil {
		t.Fatal(err)
	}
	w := &world{ctx: ctx, db: db, keys: keys, service: svc}
	w.store = NewStore(db.Pool, []string{u.Hostname()})
	w.sender = NewSender(w.store, keys, svc.Client(), nil)
	newConv := func() string {
		var id string
		if err := db.Pool.QueryRow(ctx, `INSERT INTO conversations (token_hash, role, pseudonym) VALUES ('\x00', 'resident', 'Heron-1234') RETURNING id::text`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.conv, w.other = newConv(), newConv()
	return w
}

func (w *world) count(tb testing.TB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := w.db.Pool.QueryRow(w.ctx, q, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestNotifyCarriesNoText: what reaches the push service is signed with the server's
// VAPID key and decrypts, with the subscription's keys, to nothing at all: no word about
// the person or the conversation passes through it.
func TestNotifyCarriesNoText(t *testing.T) {
	w := newWorld(t)
	b := newBrowser(t)
	if err := w.store.Subscribe(w.ctx, w.conv, b.subscription(w.service.URL+"/send/abc")); err != nil {
		t.Fatal(err)
	}
	if err := w.sender.Notify(w.ctx, w.conv); err != nil {
		t.Fatal(err)
	}
	if len(w.service.got) != 1 {
		t.Fatalf("the push service got %d requests, want 1", len(w.service.got))
	}
	r := w.service.got[0]
	if r.URL.Path != "/send/abc" || r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		t.Errorf("request %s, headers %v", r.URL.Path, r.Header)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "vapid t=") || !strings.Contains(auth, "k="+w.keys.Public) {
		t.Errorf("not signed with the server's VAPID key: %q", auth)
	}
	if plain := b.decrypt(t, w.service.bodies[0]); len(plain) != 0 {
		t.Errorf("the notification carries %d bytes of payload: %q", len(plain), plain)
	}
	// Nothing for a conversation without subscriptions.
	if err := w.sender.Notify(w.ctx, w.other); err != nil || len(w.service.got) != 1 {
		t.Errorf("a conversation without subscriptions was pushed (%v)", err)
	}
}

// TestGoneSubscriptionsAreDeleted: a subscription the push service no longer knows (410)
// is forgotten.
func TestGoneSubscriptionsAreDeleted(t *testing.T) {
	w := newWorld(t)
	w.service.status = http.StatusGone
	if err := w.store.Subscribe(w.ctx, w.conv, newBrowser(t).subscription(w.service.URL+"/gone")); err != nil {
		t.Fatal(err)
	}
	if err := w.sender.Notify(w.ctx, w.conv); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM push_subscriptions`); n != 0 {
		t.Errorf("%d gone subscriptions kept", n)
	}
}

// TestSubscriptions: only subscriptions on a known push service's host with well-formed
// keys are kept; a device follows one conversation at a time (no two pseudonyms share an
// endpoint); unsubscribing forgets it; deleting the conversation deletes its subscriptions.
func TestSubscriptions(t *testing.T) {
	w := newWorld(t)
	b := newBrowser(t)
	good := b.subscription(w.service.URL + "/s/1")
	bad := func(f func(*Subscription)) Subscription { s := good; f(&s); return s }
	for name, sub := range map[string]Subscription{
		"http":         bad(func(s *Subscription) { s.Endpoint = strings.Replace(s.Endpoint, "https:", "http:", 1) }),
		"unknown host": bad(func(s *Subscription) { s.Endpoint = "https://push.example.net/s/1" }),
		"short key":    bad(func(s *Subscription) { s.Keys.P256dh = "AAAA" }),
		"bad auth":     bad(func(s *Subscription) { s.Keys.Auth = "not base64!" }),
	} {
		if err := w.store.Subscribe(w.ctx, w.conv, sub); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if err := w.store.Subscribe(w.ctx, w.conv, good); err != nil {
		t.Fatal(err)
	}
	if err := w.store.Subscribe(w.ctx, w.other, good); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM push_subscriptions WHERE conversation_id = $1`, w.conv); n != 0 {
		t.Errorf("the endpoint stayed with the first conversation too: two pseudonyms linked")
	}
	if on, err := w.store.Subscribed(w.ctx, w.other, good.Endpoint); err != nil || !on {
		t.Errorf("subscribed: %v, %v", on, err)
	}
	if err := w.store.Unsubscribe(w.ctx, w.other, good.Endpoint); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM push_subscriptions`); n != 0 {
		t.Errorf("%d subscriptions after unsubscribing", n)
	}
	if err := w.store.Subscribe(w.ctx, w.conv, good); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(w.ctx, `DELETE FROM conversations WHERE id = $1`, w.conv); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM push_subscriptions`); n != 0 {
		t.Errorf("%d subscriptions outlived their conversation", n)
	}
}

// TestKeysCheck: a key pair must belong together and come with a subject.
func TestKeysCheck(t *testing.T) {
	a, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateKeys()
	padded := Keys{Public: base64.URLEncoding.EncodeToString(mustDecode(t, a.Public)), Private: a.Private, Subject: "https://nightfloat.example.org"}
	tests := []struct {
		name string
		keys Keys
		ok   bool
	}{
		{"a pair", Keys{a.Public, a.Private, "mailto:ops@example.org"}, true},
		{"padded base64", padded, true},
		{"swapped private key", Keys{a.Public, b.Private, "mailto:ops@example.org"}, false},
		{"no subject", Keys{a.Public, a.Private, ""}, false},
		{"garbage", Keys{"abc", "def", "mailto:x@example.org"}, false},
	}
	for _, tt := range tests {
		if err := tt.keys.Check(); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func mustDecode(tb testing.TB, s string) []byte {
	b, err := decodeKey(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
