package web

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"nightfloat"
	"nightfloat/clinician"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/assistant"
	"nightfloat/metrics"
	"nightfloat/postgres"
	"nightfloat/pulse"
	"nightfloat/push"
	"nightfloat/review"
)

// Options configure the web layer.
type Options struct {
	AllowedOrigins []string // origins besides the server's own that may open websockets
	Crisis         assistant.CrisisResources
	Logger         *slog.Logger
	// Accounts and Audit enable the clinician console; without them only the chat is served.
	Accounts      *clinician.Accounts
	Audit         *clinician.Audit
	SecureCookies bool // set the Secure flag on console cookies (serve behind HTTPS)
	// Review configures the review queue (claim expiry, second-review share, salt).
	Review review.QueueOptions
	// Metrics, when set, counts websockets and is served at GET /metrics on this handler
	// only with a MetricsToken (nil: no metrics). Without a token, serve MetricsHandler
	// on a separate, private listener instead.
	Metrics *metrics.Set
	// MetricsToken is the bearer token a scrape of /metrics must carry (empty: /metrics is
	// not served by Handler, which faces the public).
	MetricsToken string
	// NewConversationsPerMinute bounds the conversations one client address may start in
	// a minute (default 10).
	NewConversationsPerMinute int
	// DutyRenew is how often an open console renews its clinician's duty (default 5s); keep
	// it well under the accounts' DutyGrace.
	DutyRenew time.Duration
	// AllowedHosts are the host names the server answers to (see AllowedHosts); empty
	// means the loopback names only.
	AllowedHosts []string
	// Safety is what the public /safety page states about this deployment.
	Safety SafetyInfo
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed when throttling
	// clinician logins (see ParseProxies); none by default.
	TrustedProxies []netip.Prefix
	// Push keeps residents' web-push subscriptions, and VAPIDPublicKey is the key the
	// chat page subscribes with; without both the chat offers no notifications.
	Push           *push.Store
	VAPIDPublicKey string
	// Leadership is what the leadership pages may show.
	Leadership LeadershipOptions
}

// LeadershipOptions configure the leadership pages.
type LeadershipOptions struct {
	MinCell int                  // the smallest count the trends show (0: insights.DefaultTrendMinCell)
	Reports pulse.ReleaseOptions // how reports are batched, as the page explains it
}

// Server holds the routes and every open websocket.
type Server struct {
	svc     *assistant.Service
	hub     *assistant.Hub
	pool    *pgxpool.Pool
	crisis  assistant.CrisisResources
	origins map[string]bool
	logger  *slog.Logger
	pages   *template.Template
	static  fs.FS

	accounts *clinician.Accounts
	audit    *clinician.Audit
	auth     *Auth
	queue    *review.Queue // the review queue; nil without accounts
	// writeBuffers lends a write buffer to a socket only while it writes, and the upgrader
	// reuses the HTTP server's 4 KiB read buffer: an idle socket then holds no buffer of its
	// own (docs/capacity.md: about 8 KiB less per connection at 10,000 idle connections).
	writeBuffers sync.Pool
	metrics      *metrics.Set
	metricsToken string
	hosts        []string
	dutyRenew    time.Duration
	proxies      []netip.Prefix
	convLimit    *convLimiter
	tagger       sourceTagger
	safety       SafetyInfo
	push         *push.Store // nil: notifications off
	vapidKey     string
	forms        string       // the guided forms' steps, as the chat page embeds them
	pulse        *pulse.Store // check-ins and reports to leadership
	leadership   LeadershipOptions

	base    context.Context
	stopAll context.CancelFunc
	mu      sync.Mutex
	conns   int
	closing bool
	connsWG sync.WaitGroup
}

// NewServer builds the web layer; it parses the embedded templates once, here.
func NewServer(svc *assistant.Service, hub *assistant.Hub, pool *pgxpool.Pool, o Options) (*Server, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	origins := make(map[string]bool, len(o.AllowedOrigins))
	for _, org := range o.AllowedOrigins {
		origins[strings.ToLower(strings.TrimRight(org, "/"))] = true
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	base, stop := context.WithCancel(context.Background())
	s := &Server{svc: svc, hub: hub, pool: pool, crisis: o.Crisis, origins: origins, logger: o.Logger,
		pages: pages, static: static, base: base, stopAll: stop, accounts: o.Accounts, audit: o.Audit, safety: o.Safety}
	if o.Leadership.Reports.MinBatch == 0 { // the defaults config.Default gives
		o.Leadership.Reports.MinBatch = 5
	}
	if o.Leadership.Reports.Delay == 0 {
		o.Leadership.Reports.Delay = 7 * 24 * time.Hour
	}
	s.pulse, s.leadership = pulse.New(pool), o.Leadership
	if o.Accounts != nil && o.Audit != nil {
		s.auth = NewAuth(o.Accounts, o.Audit, pages, o.Logger, o.SecureCookies)
		s.auth.TrustProxies(o.TrustedProxies)
		s.queue = review.NewQueue(pool, o.Audit, o.Review)
	}
	s.metrics, s.base = o.Metrics, metrics.NewContext(s.base, o.Metrics)
	s.metricsToken, s.hosts, s.dutyRenew, s.proxies = o.MetricsToken, o.AllowedHosts, o.DutyRenew, o.TrustedProxies
	if s.forms, err = formSpecs(); err != nil {
		return nil, fmt.Errorf("web: form steps: %w", err)
	}
	if o.Push != nil && o.VAPIDPublicKey != "" {
		s.push, s.vapidKey = o.Push, o.VAPIDPublicKey
	}
	if o.NewConversationsPerMinute <= 0 {
		o.NewConversationsPerMinute = 10
	}
	s.convLimit = newConvLimiter(o.NewConversationsPerMinute, nil)
	if s.tagger, err = newSourceTagger(); err != nil {
		return nil, fmt.Errorf("web: source tag key: %w", err)
	}
	if s.dutyRenew <= 0 {
		s.dutyRenew = dutyRenewEvery
	}
	return s, nil
}

// upgrader upgrades a websocket request, checking its origin first; both sockets use it.
func (s *Server) upgrader() websocket.Upgrader {
	return websocket.Upgrader{WriteBufferPool: &s.writeBuffers, CheckOrigin: s.checkOrigin}
}

// checkOrigin allows the server's own origin, the configured ones, and clients that send
// no Origin (not browsers, so not open to cross-site use).
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return s.origins[strings.ToLower(u.Scheme+"://"+u.Host)]
}

// track counts a websocket in; false means the server is shutting down.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns++
	s.connsWG.Add(1)
	return true
}

func (s *Server) untrack() {
	s.mu.Lock()
	s.conns--
	s.mu.Unlock()
	s.connsWG.Done()
}

// Connections counts open websockets.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// CloseSockets closes every websocket with 1001 (going away) and waits for their
// goroutines until ctx ends. http.Server.Shutdown does not touch hijacked connections.
func (s *Server) CloseSockets(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.stopAll()
	done := make(chan struct{})
	go func() { s.connsWG.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database is reachable and fully migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	pending, err := postgres.Pending(ctx, s.pool)
	switch {
	case err != nil:
		w.WriteHeader(httpStatus(nightfloat.CodeUnavailable))
		_, _ = w.Write([]byte("database unreachable\n"))
	case pending > 0:
		w.WriteHeader(httpStatus(nightfloat.CodeUnavailable))
		_, _ = w.Write([]byte("migrations pending\n"))
	default:
		_, _ = w.Write([]byte("ready\n"))
	}
}

// securityHeaders sets the headers every page needs; the policy allows only our own
// scripts and styles, so no injected markup could run.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
