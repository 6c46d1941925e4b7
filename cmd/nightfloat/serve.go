package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"nightfloat/clinician"
	"strings"
	"sync"
	"time"

	"nightfloat/assistant"
	"nightfloat/config"
	"nightfloat/internal/tick"
	"nightfloat/metrics"
	"nightfloat/postgres"
	"nightfloat/pulse"
	"nightfloat/push"
	"nightfloat/retrieval"
	"nightfloat/review"
	"nightfloat/safety"
	"nightfloat/selfhelp"
	"nightfloat/web"
)

func runServe(ctx context.Context, e *env, args []string) int {
	cfg, ok := e.loadConfig()
	if !ok {
		return 2
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env NIGHTFLOAT_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env DATABASE_URL)")
	fs.BoolVar(&cfg.ContentDraft, "drafts", cfg.ContentDraft, "serve draft content, such as the unreviewed starter set (env NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: nightfloat serve [flags]\n\nRuns the server. Flags override the environment.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !e.validate(cfg) {
		return 2
	}
	log := e.logger(cfg)
	if err := serve(ctx, cfg, log, nil); err != nil {
		log.Error("server stopped with an error", "error", err)
		return 1
	}
	return 0
}

// serve runs the server until ctx is cancelled. When ready is not nil it receives the
// listening address once the server accepts connections (tests use it).
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, ready chan<- string) error {
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	metricSet := metrics.New(pool)

	var classifierOpts []safety.Option
	modelLayer, err := newSafetyModelLayer(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if modelLayer != nil {
		classifierOpts = append(classifierOpts, safety.WithLayer(modelLayer))
		log.Info("safety: model layer on", "model", cfg.SafetyModel)
	}
	classifier, err := safety.New(classifierOpts...)
	if err != nil {
		return fmt.Errorf("serve: safety classifier: %w", err)
	}
	embedder, err := newEmbedder(cfg)
	if err != nil {
		return fmt.Errorf("serve: embedder: %w", err)
	}
	searcher, err := retrieval.NewSearcher(pool, embedder, retrieval.SearchOptions{IncludeDrafts: cfg.ContentDraft})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	crisis := assistant.CrisisResources{Institution: cfg.Institution, OncallPhone: cfg.OncallPhone, OncallLabel: cfg.OncallLabel,
		ImpairedPracticePolicy: cfg.ImpairedPracticePolicy}
	hub := assistant.NewHub()
	responder, err := newResponder(cfg, pool, crisis, log)
	if err != nil {
		return fmt.Errorf("serve: responder: %w", err)
	}
	audit := clinician.NewAudit(pool)
	accounts := clinician.NewAccounts(pool, audit, clinician.AccountOptions{})
	var pushStore *push.Store
	var notifier assistant.Notifier
	if cfg.PushEnabled() {
		pushStore = push.NewStore(pool, nil)
		notifier = push.NewSender(pushStore, push.Keys{Public: cfg.VAPIDPublicKey, Private: cfg.VAPIDPrivateKey, Subject: cfg.VAPIDSubject}, nil, log)
		log.Info("push: web-push notifications on for check-ins")
	}
	var pager assistant.Pager
	if cfg.PagerWebhookURL != "" {
		pager = assistant.WebhookPager{URL: cfg.PagerWebhookURL, Secret: cfg.PagerWebhookSecret, ConsoleURL: strings.TrimRight(cfg.PublicURL, "/") + "/console/"}
	}
	svc := assistant.NewService(assistant.Deps{
		Pager: pager,
		Roster: assistant.RosterFunc(func(ctx context.Context) (bool, error) {
			on, err := accounts.OnDuty(ctx)
			return len(on) > 0, err
		}),
		Store:      assistant.NewStore(pool),
		Hub:        hub,
		Classifier: classifier,
		Retriever:  searcher,
		Responder:  responder,
		Crisis:     crisis,
		Logger:     log,
		Metrics:    metricSet,
		Audit:      audit,
		Forms:      selfhelp.NewStore(pool),
		Notifier:   notifier,
	}, assistant.Options{
		TurnTimeout:        cfg.TurnTimeout,
		DisclosureEvery:    cfg.DisclosureEvery,
		MaxMessageChars:    cfg.MaxMessageChars,
		RateLimitPerMinute: cfg.RateLimitPerMinute,
		ReAlertAfter:       cfg.HandoffReAlert,
		UnattendedAfter:    cfg.HandoffUnattended,
		ScreenReplyWithin:  cfg.ScreenReplyWithin,
		CheckinGrace:       cfg.CheckinGrace,
	})
	reports := pulse.ReleaseOptions{Delay: cfg.ReportDelay, MinBatch: cfg.ReportMinBatch}
	proxies, err := web.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("serve: NIGHTFLOAT_TRUSTED_PROXIES: %w", err)
	}
	site, err := web.NewServer(svc, hub, pool, web.Options{AllowedOrigins: cfg.AllowedOrigins, Crisis: crisis, Logger: log,
		Accounts: accounts, Audit: audit, SecureCookies: cfg.SecureCookies, Metrics: metricSet, MetricsToken: cfg.MetricsToken,
		Leadership:   web.LeadershipOptions{MinCell: cfg.LeadershipMinCell, Reports: reports},
		AllowedHosts: web.AllowedHosts(cfg.PublicURL, cfg.Addr), NewConversationsPerMinute: cfg.NewConvPerMinute,
		TrustedProxies: proxies, Safety: safetyInfo(cfg), Review: reviewSettingsFrom(cfg).Queue,
		Push: pushStore, VAPIDPublicKey: cfg.VAPIDPublicKey})
	if err != nil {
		return err
	}

	if err := AuditStartup(ctx, audit, cfg); err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	bg, stopBG := context.WithCancel(context.Background())
	var bgWG sync.WaitGroup
	listenerReady := make(chan struct{})
	listener := assistant.NewListener(cfg.DatabaseURL, hub, log, listenerReady)
	rs := reviewSettingsFrom(cfg)
	rs.Sampling.Logger = log
	sampler := review.NewSampler(pool, audit, rs.Sampling)
	retention := newRetention(pool, audit, cfg.RetentionDays, clinician.ActorSystem, rs.Queue)
	// Every background loop is owned here: cancelled by stopBG and waited for below.
	bgWG.Go(func() {
		accounts.RunDutyExpiry(bg, 5*time.Second, func(err error) { log.Warn("end lapsed duty", "error", err) })
	})
	bgWG.Go(func() { _ = sampler.Run(bg, 5*time.Minute) })
	bgWG.Go(func() {
		runDaily(bg, log, "retention", func(ctx context.Context) error { _, err := retention.Run(ctx); return err })
	})
	bgWG.Go(func() { _ = listener.Run(bg) })
	bgWG.Go(func() { svc.RunRecovery(bg, 15*time.Second, 5*time.Second) })
	bgWG.Go(func() { svc.RunHandoffWatch(bg, 5*time.Second) })
	bgWG.Go(func() { svc.RunScreenWatch(bg, 30*time.Second) })
	bgWG.Go(func() { svc.RunCheckinWatch(bg, 30*time.Second) })
	bgWG.Go(func() { // reports to leadership, released in batches on the hour
		pulse.New(pool).RunRelease(bg, reports, time.Hour, func(n int, err error) {
			if err != nil {
				log.Warn("release reports to leadership", "error", err)
				return
			}
			log.Info("released a batch of reports to leadership", "reports", n)
		})
	})
	defer func() { stopBG(); bgWG.Wait() }()
	select {
	case <-listenerReady:
	case <-ctx.Done():
		return nil
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	if cfg.MetricsAddr != "" {
		metricsSrv, err := serveMetrics(cfg.MetricsAddr, site.MetricsHandler(cfg.MetricsToken), log)
		if err != nil {
			_ = httpSrv.Close()
			return err
		}
		defer func() { _ = metricsSrv.Close() }()
	}
	if host, _, _ := net.SplitHostPort(cfg.Addr); cfg.PublicURL == "" && (host == "" || host == "0.0.0.0" || host == "::") {
		log.Warn("listening on all interfaces without NIGHTFLOAT_PUBLIC_URL: only loopback host names are answered (others get 421); set NIGHTFLOAT_PUBLIC_URL")
	}
	log.Info("nightfloat is serving", "addr", ln.Addr().String(), "drafts", cfg.ContentDraft)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return shutdown(cfg.ShutdownTimeout, log, httpSrv, svc, site)
}

// shutdown stops accepting, lets running turns finish within the bound, closes every
// websocket with a close frame, and only then lets the pool close (deferred by serve).
func shutdown(bound time.Duration, log *slog.Logger, httpSrv *http.Server, svc *assistant.Service, site *web.Server) error {
	log.Info("shutting down", "timeout_ms", bound.Milliseconds())
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	var errs []error
	if err := httpSrv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if err := svc.Shutdown(ctx); err != nil {
		log.Warn("turns still running at the shutdown bound; they stay pending and resume after restart", "error", err)
	}
	sockCtx, cancelSock := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelSock()
	if err := site.CloseSockets(sockCtx); err != nil {
		errs = append(errs, fmt.Errorf("close websockets: %w", err))
	}
	log.Info("shut down")
	return errors.Join(errs...)
}

// runDaily runs job now and then once a day until ctx ends, logging failures.
func runDaily(ctx context.Context, log *slog.Logger, name string, job func(context.Context) error) {
	tick.NowAndEvery(ctx, 24*time.Hour, func() {
		if err := job(ctx); err != nil && ctx.Err() == nil {
			log.Error("scheduled job failed", "job", name, "error", err)
		}
	})
}

// safetyInfo is what the public /safety page states about this deployment.
func safetyInfo(cfg config.Config) web.SafetyInfo {
	info := web.SafetyInfo{
		DisclosureEvery:        cfg.DisclosureEvery,
		RetentionDays:          cfg.RetentionDays,
		PagerConfigured:        cfg.PagerWebhookURL != "",
		HandoffReAlert:         cfg.HandoffReAlert,
		HandoffUnattended:      cfg.HandoffUnattended,
		ImpairedPracticePolicy: cfg.ImpairedPracticePolicy,
	}
	if cfg.Responder == "model" {
		info.Processors = append(info.Processors, "the language model endpoint at "+hostOf(cfg.OpenAIBaseURL, "api.openai.com"))
	}
	if cfg.Embedder == "openai" {
		info.Processors = append(info.Processors, "the embedding endpoint at "+hostOf(cfg.OpenAIBaseURL, "api.openai.com"))
	}
	return info
}

func hostOf(raw, def string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return def
}
