package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/web/protocol"
)

// New conversations per client address. A resident needs one conversation, or a few; a
// script that opens hundreds floods the on-call path. The address is the one the login
// throttle uses (proxy-aware: NIGHTFLOAT_TRUSTED_PROXIES), an IPv6 address counted by its
// /64. A refused hello gets rate_limited with the crisis resources, so a person in crisis
// on a busy network is still told where to turn at once.

// convLimiter counts conversations started per source over the last minute, in memory
// (per server; a restart forgets). It holds at most maxSources sources.
type convLimiter struct {
	perMinute int
	now       func() time.Time

	mu      sync.Mutex
	started map[string][]time.Time // source -> start times within the last minute, oldest first
}

const maxSources = 100_000

func newConvLimiter(perMinute int, now func() time.Time) *convLimiter {
	if now == nil {
		now = time.Now
	}
	return &convLimiter{perMinute: perMinute, now: now, started: map[string][]time.Time{}}
}

// allow counts a new conversation from source, or reports how long until one is allowed.
func (l *convLimiter) allow(source string) (bool, time.Duration) {
	now := l.now()
	from := now.Add(-time.Minute)
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.started[source]
	i := 0
	for i < len(ts) && !ts[i].After(from) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.perMinute {
		l.started[source] = ts
		return false, ts[0].Sub(from)
	}
	if len(l.started) >= maxSources {
		l.prune(from)
	}
	l.started[source] = append(ts, now)
	return true, 0
}

// prune forgets sources with nothing in the window; if that is not enough, everything.
func (l *convLimiter) prune(from time.Time) {
	for k, ts := range l.started {
		if len(ts) == 0 || !ts[len(ts)-1].After(from) {
			delete(l.started, k)
		}
	}
	if len(l.started) >= maxSources {
		clear(l.started)
	}
}

// sourceOf reduces a client address to what is counted, its nightfloat.Network; an
// address that does not parse is counted as given.
func sourceOf(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return address
	}
	return nightfloat.Network(ip)
}

// sourceTagger turns a source into the tag stored with a conversation: HMAC-SHA256 under
// a key made at start-up and kept only in memory, so a stored tag cannot be turned back
// into an address.
type sourceTagger struct{ key []byte }

func newSourceTagger() (sourceTagger, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return sourceTagger{}, err
	}
	return sourceTagger{key: key}, nil
}

func (t sourceTagger) tag(source string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(source))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// tooManyConversations is the error frame for a refused new conversation: rate_limited,
// when to try again, and the crisis resources, since whoever is refused may be in crisis.
func tooManyConversations(wait time.Duration, crisis assistant.CrisisResources) protocol.Error {
	secs := int(wait.Seconds()) + 1
	f := residentError(nightfloat.CodeRateLimited,
		fmt.Sprintf("Too many new conversations have been started from your network in the last minute; try again in %d seconds. If you are in danger or thinking of harming yourself, reach a person now:", secs),
		"", crisis)
	// Unlike a rate-limited message, whose conversation goes on, a refused start leaves the
	// resident with no conversation at all: the crisis resources go with it whatever the code.
	f.Crisis = crisis.Lines(0)
	return f
}
