package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the service reads. See the README's table.
type Config struct {
	DatabaseURL      string        // DATABASE_URL
	Addr             string        // NIGHTFLOAT_ADDR
	PublicURL        string        // NIGHTFLOAT_PUBLIC_URL: where clinicians reach the console (links in pages)
	AllowedOrigins   []string      // NIGHTFLOAT_ALLOWED_ORIGINS: extra origins allowed to open /ws
	NewConvPerMinute int           // NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE: conversations one client address may start per minute
	MetricsAddr      string        // NIGHTFLOAT_METRICS_ADDR: a separate, private listen address for /metrics
	MetricsToken     string        // NIGHTFLOAT_METRICS_TOKEN (or _FILE): bearer token a /metrics scrape must carry
	LogLevel         string        // NIGHTFLOAT_LOG_LEVEL
	LogFormat        string        // NIGHTFLOAT_LOG_FORMAT: auto, json or text
	ShutdownTimeout  time.Duration // NIGHTFLOAT_SHUTDOWN_TIMEOUT
	DBMaxConns       int32         // NIGHTFLOAT_DB_MAX_CONNS

	Institution  string // NIGHTFLOAT_INSTITUTION
	OncallPhone  string // NIGHTFLOAT_ONCALL_PHONE: the institution's own on-call or support number
	OncallLabel  string // NIGHTFLOAT_ONCALL_LABEL: how that number is named in the page
	ContentDir   string // NIGHTFLOAT_CONTENT_DIR
	ContentDraft bool   // NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS: serve draft (unreviewed sample) content

	Embedder         string // NIGHTFLOAT_EMBEDDER: local (default, no network), hashing (feature hashing alone) or openai
	EmbedModel       string // NIGHTFLOAT_EMBED_MODEL: model or Azure deployment (openai embedder)
	EmbedDimensions  int    // NIGHTFLOAT_EMBED_DIMENSIONS: vector size (0: the embedder's default)
	OpenAIBaseURL    string // NIGHTFLOAT_OPENAI_BASE_URL: empty for OpenAI; vLLM/Ollama/Azure endpoint
	OpenAIAPIKey     string // NIGHTFLOAT_OPENAI_API_KEY (or _FILE)
	OpenAIAPIType    string // NIGHTFLOAT_OPENAI_API_TYPE: openai or azure
	OpenAIAPIVersion string // NIGHTFLOAT_OPENAI_API_VERSION: Azure API version

	Responder               string        // NIGHTFLOAT_RESPONDER: vetted (default, no network) or model
	Model                   string        // NIGHTFLOAT_MODEL: chat model, or the Azure deployment name
	ModelTemperature        float64       // NIGHTFLOAT_MODEL_TEMPERATURE
	ModelMaxTokens          int           // NIGHTFLOAT_MODEL_MAX_TOKENS: longest reply, in tokens
	ModelContextTokens      int           // NIGHTFLOAT_MODEL_CONTEXT_TOKENS: the model's context window
	ModelTimeout            time.Duration // NIGHTFLOAT_MODEL_TIMEOUT: one reply, retries included
	ModelConnectTimeout     time.Duration // NIGHTFLOAT_MODEL_CONNECT_TIMEOUT
	ModelFirstTokenTimeout  time.Duration // NIGHTFLOAT_MODEL_FIRST_TOKEN_TIMEOUT
	ModelIdleTimeout        time.Duration // NIGHTFLOAT_MODEL_IDLE_TIMEOUT: longest silence mid-reply
	ModelRetries            int           // NIGHTFLOAT_MODEL_RETRIES: after 429/5xx, before anything was shown
	ModelDailyTokens        int64         // NIGHTFLOAT_MODEL_DAILY_TOKENS: all conversations per UTC day (0: no limit)
	ModelConversationTokens int64         // NIGHTFLOAT_MODEL_CONVERSATION_TOKENS: one conversation per UTC day (0: no limit)

	MaxMessageChars    int           // NIGHTFLOAT_MAX_MESSAGE_CHARS
	RateLimitPerMinute int           // NIGHTFLOAT_RATE_LIMIT_PER_MINUTE: resident messages per conversation
	DisclosureEvery    time.Duration // NIGHTFLOAT_DISCLOSURE_INTERVAL: repeat the AI disclosure this often
	TurnTimeout        time.Duration // NIGHTFLOAT_TURN_TIMEOUT: bound on one turn (classify, retrieve, reply)

	PagerWebhookURL    string        // NIGHTFLOAT_PAGER_WEBHOOK_URL: POSTed on every handoff (no transcript text)
	PagerWebhookSecret string        // NIGHTFLOAT_PAGER_WEBHOOK_SECRET (or _FILE): HMAC-SHA256 key for X-Nightfloat-Signature
	HandoffReAlert     time.Duration // NIGHTFLOAT_HANDOFF_REALERT: re-alert and re-page an unclaimed handoff this often
	HandoffUnattended  time.Duration // NIGHTFLOAT_HANDOFF_UNATTENDED: tell the resident no one has joined after this long
	SecureCookies      bool          // NIGHTFLOAT_SECURE_COOKIES: console cookies only over HTTPS (default: when NIGHTFLOAT_PUBLIC_URL is https)
	ScreenReplyWithin  time.Duration // NIGHTFLOAT_SCREEN_REPLY_WITHIN: a counsellor answers a screen within this long, or it is re-alerted

	// TrustedProxies are the reverse proxies (CIDRs) whose X-Forwarded-For is believed when
	// throttling clinician logins: NIGHTFLOAT_TRUSTED_PROXIES, comma-separated.
	TrustedProxies     []string
	SafetyModel        string        // NIGHTFLOAT_SAFETY_MODEL: adds the model-based safety layer (OpenAI-compatible; empty: off)
	SafetyModelTimeout time.Duration // NIGHTFLOAT_SAFETY_MODEL_TIMEOUT: bound on one model verdict; on time-out the rules' verdict stands

	RetentionDays    int           // NIGHTFLOAT_RETENTION_DAYS: delete conversations this long after their last message
	ReviewSampleRate float64       // NIGHTFLOAT_REVIEW_SAMPLE_RATE: share of ordinary conversations sampled for review
	ReviewDailyCap   int           // NIGHTFLOAT_REVIEW_DAILY_CAP: most random samples a day
	ReviewIdle       time.Duration // NIGHTFLOAT_REVIEW_IDLE: sample a conversation once it has been quiet this long
	ReviewSalt       string        // NIGHTFLOAT_REVIEW_SALT (or _FILE): keys the deterministic random sample
	ReviewSecond     float64       // NIGHTFLOAT_REVIEW_SECOND_SHARE: share of reviewed items that get a second, blind review
	ReviewClaimTTL   time.Duration // NIGHTFLOAT_REVIEW_CLAIM_TTL: an abandoned claim on a review item expires after this long

	// Leadership: what the programme's trends and reports may show.
	LeadershipMinCell int           // NIGHTFLOAT_LEADERSHIP_MIN_CELL: smallest count leadership's trends show
	ReportDelay       time.Duration // NIGHTFLOAT_REPORT_DELAY: a report to leadership waits at least this long
	ReportMinBatch    int           // NIGHTFLOAT_REPORT_MIN_BATCH: reports are released only this many or more at once

	// ImpairedPracticePolicy is what the /safety page says happens when a conversation shows
	// impaired practice that endangers patients (empty: a default saying the institution's
	// policy governs): NIGHTFLOAT_IMPAIRED_PRACTICE_POLICY.
	ImpairedPracticePolicy string

	// Follow-up after a handoff and its web-push notifications (push off without keys).
	CheckinGrace    time.Duration // NIGHTFLOAT_CHECKIN_GRACE: list a check-in on the console when unanswered this long after its time
	VAPIDPublicKey  string        // NIGHTFLOAT_VAPID_PUBLIC_KEY: base64url P-256 public key
	VAPIDPrivateKey string        // NIGHTFLOAT_VAPID_PRIVATE_KEY (or _FILE): its private key
	VAPIDSubject    string        // NIGHTFLOAT_VAPID_SUBJECT: mailto: or https: contact sent to push services (default: NIGHTFLOAT_PUBLIC_URL when https)
}

// PushEnabled reports whether web-push keys are configured.
func (c Config) PushEnabled() bool { return c.VAPIDPublicKey != "" }

// Default is the configuration with nothing set.
func Default() Config {
	return Config{
		Addr:               "localhost:8080",
		LogLevel:           "info",
		LogFormat:          "auto",
		ShutdownTimeout:    15 * time.Second,
		DBMaxConns:         20,
		Institution:        "your institution",
		OncallLabel:        "Your programme's on-call support",
		ContentDir:         "content",
		Embedder:           "local",
		OpenAIAPIType:      "openai",
		MaxMessageChars:    4000,
		RateLimitPerMinute: 20,
		NewConvPerMinute:   10,
		DisclosureEvery:    3 * time.Hour,
		TurnTimeout:        60 * time.Second,
		HandoffReAlert:     2 * time.Minute,
		HandoffUnattended:  5 * time.Minute,
		ScreenReplyWithin:  24 * time.Hour,
		RetentionDays:      90,
		SafetyModelTimeout: 8 * time.Second,
		ReviewSampleRate:   0.05,
		ReviewDailyCap:     50,
		ReviewIdle:         30 * time.Minute,
		ReviewSecond:       0.2,
		ReviewClaimTTL:     30 * time.Minute,
		CheckinGrace:       24 * time.Hour,
		LeadershipMinCell:  10,
		ReportDelay:        7 * 24 * time.Hour,
		ReportMinBatch:     5,

		Responder:              "vetted",
		ModelTemperature:       0.3,
		ModelMaxTokens:         600,
		ModelContextTokens:     8192,
		ModelTimeout:           45 * time.Second,
		ModelConnectTimeout:    5 * time.Second,
		ModelFirstTokenTimeout: 20 * time.Second,
		ModelIdleTimeout:       10 * time.Second,
		ModelRetries:           2,
	}
}

// Load reads the configuration from getenv (os.Getenv in production). A variable that is
// set but invalid is an error naming it. Secrets may come from NAME_FILE instead of NAME.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	r := reader{getenv: getenv}
	c.DatabaseURL = r.secret("DATABASE_URL", c.DatabaseURL)
	c.Addr = r.str("NIGHTFLOAT_ADDR", c.Addr)
	c.PublicURL = r.str("NIGHTFLOAT_PUBLIC_URL", c.PublicURL)
	c.AllowedOrigins = r.list("NIGHTFLOAT_ALLOWED_ORIGINS", c.AllowedOrigins)
	c.MetricsAddr = r.str("NIGHTFLOAT_METRICS_ADDR", c.MetricsAddr)
	c.NewConvPerMinute = r.integer("NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE", c.NewConvPerMinute)
	c.MetricsToken = r.secret("NIGHTFLOAT_METRICS_TOKEN", c.MetricsToken)
	c.LogLevel = r.str("NIGHTFLOAT_LOG_LEVEL", c.LogLevel)
	c.LogFormat = r.str("NIGHTFLOAT_LOG_FORMAT", c.LogFormat)
	c.ShutdownTimeout = r.duration("NIGHTFLOAT_SHUTDOWN_TIMEOUT", c.ShutdownTimeout)
	c.DBMaxConns = int32(r.integer("NIGHTFLOAT_DB_MAX_CONNS", int(c.DBMaxConns)))
	c.Institution = r.str("NIGHTFLOAT_INSTITUTION", c.Institution)
	c.OncallPhone = r.str("NIGHTFLOAT_ONCALL_PHONE", c.OncallPhone)
	c.OncallLabel = r.str("NIGHTFLOAT_ONCALL_LABEL", c.OncallLabel)
	c.ContentDir = r.str("NIGHTFLOAT_CONTENT_DIR", c.ContentDir)
	c.ContentDraft = r.boolean("NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS", c.ContentDraft)
	c.Embedder = r.str("NIGHTFLOAT_EMBEDDER", c.Embedder)
	c.EmbedModel = r.str("NIGHTFLOAT_EMBED_MODEL", c.EmbedModel)
	c.EmbedDimensions = r.integer("NIGHTFLOAT_EMBED_DIMENSIONS", c.EmbedDimensions)
	c.OpenAIBaseURL = r.str("NIGHTFLOAT_OPENAI_BASE_URL", c.OpenAIBaseURL)
	c.OpenAIAPIKey = r.secret("NIGHTFLOAT_OPENAI_API_KEY", c.OpenAIAPIKey)
	c.OpenAIAPIType = r.str("NIGHTFLOAT_OPENAI_API_TYPE", c.OpenAIAPIType)
	c.OpenAIAPIVersion = r.str("NIGHTFLOAT_OPENAI_API_VERSION", c.OpenAIAPIVersion)
	c.Responder = r.str("NIGHTFLOAT_RESPONDER", c.Responder)
	c.Model = r.str("NIGHTFLOAT_MODEL", c.Model)
	c.ModelTemperature = r.float("NIGHTFLOAT_MODEL_TEMPERATURE", c.ModelTemperature)
	c.ModelMaxTokens = r.integer("NIGHTFLOAT_MODEL_MAX_TOKENS", c.ModelMaxTokens)
	c.ModelContextTokens = r.integer("NIGHTFLOAT_MODEL_CONTEXT_TOKENS", c.ModelContextTokens)
	c.ModelTimeout = r.duration("NIGHTFLOAT_MODEL_TIMEOUT", c.ModelTimeout)
	c.ModelConnectTimeout = r.duration("NIGHTFLOAT_MODEL_CONNECT_TIMEOUT", c.ModelConnectTimeout)
	c.ModelFirstTokenTimeout = r.duration("NIGHTFLOAT_MODEL_FIRST_TOKEN_TIMEOUT", c.ModelFirstTokenTimeout)
	c.ModelIdleTimeout = r.duration("NIGHTFLOAT_MODEL_IDLE_TIMEOUT", c.ModelIdleTimeout)
	c.ModelRetries = r.integer("NIGHTFLOAT_MODEL_RETRIES", c.ModelRetries)
	c.ModelDailyTokens = int64(r.integer("NIGHTFLOAT_MODEL_DAILY_TOKENS", int(c.ModelDailyTokens)))
	c.ModelConversationTokens = int64(r.integer("NIGHTFLOAT_MODEL_CONVERSATION_TOKENS", int(c.ModelConversationTokens)))
	c.MaxMessageChars = r.integer("NIGHTFLOAT_MAX_MESSAGE_CHARS", c.MaxMessageChars)
	c.RateLimitPerMinute = r.integer("NIGHTFLOAT_RATE_LIMIT_PER_MINUTE", c.RateLimitPerMinute)
	c.DisclosureEvery = r.duration("NIGHTFLOAT_DISCLOSURE_INTERVAL", c.DisclosureEvery)
	c.TurnTimeout = r.duration("NIGHTFLOAT_TURN_TIMEOUT", c.TurnTimeout)
	c.PagerWebhookURL = r.str("NIGHTFLOAT_PAGER_WEBHOOK_URL", c.PagerWebhookURL)
	c.PagerWebhookSecret = r.secret("NIGHTFLOAT_PAGER_WEBHOOK_SECRET", c.PagerWebhookSecret)
	c.HandoffReAlert = r.duration("NIGHTFLOAT_HANDOFF_REALERT", c.HandoffReAlert)
	c.HandoffUnattended = r.duration("NIGHTFLOAT_HANDOFF_UNATTENDED", c.HandoffUnattended)
	c.ScreenReplyWithin = r.duration("NIGHTFLOAT_SCREEN_REPLY_WITHIN", c.ScreenReplyWithin)
	c.TrustedProxies = r.list("NIGHTFLOAT_TRUSTED_PROXIES", c.TrustedProxies)
	c.RetentionDays = r.integer("NIGHTFLOAT_RETENTION_DAYS", c.RetentionDays)
	c.SafetyModel = r.str("NIGHTFLOAT_SAFETY_MODEL", c.SafetyModel)
	c.SafetyModelTimeout = r.duration("NIGHTFLOAT_SAFETY_MODEL_TIMEOUT", c.SafetyModelTimeout)
	c.ReviewSampleRate = r.float("NIGHTFLOAT_REVIEW_SAMPLE_RATE", c.ReviewSampleRate)
	c.ReviewDailyCap = r.integer("NIGHTFLOAT_REVIEW_DAILY_CAP", c.ReviewDailyCap)
	c.ReviewIdle = r.duration("NIGHTFLOAT_REVIEW_IDLE", c.ReviewIdle)
	c.ReviewSalt = r.secret("NIGHTFLOAT_REVIEW_SALT", c.ReviewSalt)
	c.ReviewSecond = r.float("NIGHTFLOAT_REVIEW_SECOND_SHARE", c.ReviewSecond)
	c.ReviewClaimTTL = r.duration("NIGHTFLOAT_REVIEW_CLAIM_TTL", c.ReviewClaimTTL)
	c.LeadershipMinCell = r.integer("NIGHTFLOAT_LEADERSHIP_MIN_CELL", c.LeadershipMinCell)
	c.ReportDelay = r.duration("NIGHTFLOAT_REPORT_DELAY", c.ReportDelay)
	c.ReportMinBatch = r.integer("NIGHTFLOAT_REPORT_MIN_BATCH", c.ReportMinBatch)
	c.ImpairedPracticePolicy = r.str("NIGHTFLOAT_IMPAIRED_PRACTICE_POLICY", c.ImpairedPracticePolicy)
	c.CheckinGrace = r.duration("NIGHTFLOAT_CHECKIN_GRACE", c.CheckinGrace)
	c.VAPIDPublicKey = r.str("NIGHTFLOAT_VAPID_PUBLIC_KEY", c.VAPIDPublicKey)
	c.VAPIDPrivateKey = r.secret("NIGHTFLOAT_VAPID_PRIVATE_KEY", c.VAPIDPrivateKey)
	c.VAPIDSubject = r.str("NIGHTFLOAT_VAPID_SUBJECT", c.VAPIDSubject)
	if c.VAPIDSubject == "" && strings.HasPrefix(c.PublicURL, "https://") {
		c.VAPIDSubject = c.PublicURL
	}
	c.SecureCookies = r.boolean("NIGHTFLOAT_SECURE_COOKIES", strings.HasPrefix(c.PublicURL, "https://"))
	if r.err != nil {
		return Config{}, r.err
	}
	return c, nil
}

// Validate checks values that only make sense together or for a given command. Flags may
// change fields after Load, so commands call it after parsing their flags.
func (c Config) Validate() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("config: DATABASE_URL is not set (scripts/db.sh prints one for a local database)")
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("config: DATABASE_URL must be a postgres:// URL")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("config: NIGHTFLOAT_ADDR %q: want host:port: %w", c.Addr, err)
	}
	if c.NewConvPerMinute < 1 {
		return fmt.Errorf("config: NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE must be at least 1")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: NIGHTFLOAT_METRICS_ADDR %q: want host:port: %w", c.MetricsAddr, err)
		}
		if c.MetricsAddr == c.Addr {
			return fmt.Errorf("config: NIGHTFLOAT_METRICS_ADDR must differ from NIGHTFLOAT_ADDR")
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return fmt.Errorf("config: NIGHTFLOAT_METRICS_TOKEN must have at least 16 characters")
	}
	for _, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("config: NIGHTFLOAT_ALLOWED_ORIGINS: %q is not an origin like https://chat.example.org", o)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("config: NIGHTFLOAT_TRUSTED_PROXIES: %q is not a CIDR like 10.0.0.0/8 or an address", p)
			}
		}
	}
	if c.PagerWebhookURL != "" {
		if u, err := url.Parse(c.PagerWebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("config: NIGHTFLOAT_PAGER_WEBHOOK_URL %q is not an http(s) URL", c.PagerWebhookURL)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: NIGHTFLOAT_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		return fmt.Errorf("config: NIGHTFLOAT_LOG_FORMAT %q: want auto, json or text", c.LogFormat)
	}
	switch c.Embedder {
	case "local", "hashing":
	case "openai":
		if c.EmbedModel == "" || c.EmbedDimensions <= 0 {
			return fmt.Errorf("config: NIGHTFLOAT_EMBEDDER=openai needs NIGHTFLOAT_EMBED_MODEL and NIGHTFLOAT_EMBED_DIMENSIONS")
		}
	default:
		return fmt.Errorf("config: NIGHTFLOAT_EMBEDDER %q: want local, hashing or openai", c.Embedder)
	}
	switch c.OpenAIAPIType {
	case "openai", "azure":
	default:
		return fmt.Errorf("config: NIGHTFLOAT_OPENAI_API_TYPE %q: want openai or azure", c.OpenAIAPIType)
	}
	if err := c.validateModel(); err != nil {
		return err
	}
	if err := c.validatePush(); err != nil {
		return err
	}
	if c.EmbedDimensions < 0 || c.EmbedDimensions > 2000 {
		return fmt.Errorf("config: NIGHTFLOAT_EMBED_DIMENSIONS %d: want 1 to 2000 (pgvector's HNSW limit)", c.EmbedDimensions)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"NIGHTFLOAT_MAX_MESSAGE_CHARS (1 to 16000)", c.MaxMessageChars >= 1 && c.MaxMessageChars <= 16000},
		{"NIGHTFLOAT_RATE_LIMIT_PER_MINUTE (at least 1)", c.RateLimitPerMinute >= 1},
		{"NIGHTFLOAT_DB_MAX_CONNS (at least 2)", c.DBMaxConns >= 2},
		{"NIGHTFLOAT_SHUTDOWN_TIMEOUT (positive)", c.ShutdownTimeout > 0},
		{"NIGHTFLOAT_DISCLOSURE_INTERVAL (positive, at most 3h)", c.DisclosureEvery > 0 && c.DisclosureEvery <= 3*time.Hour},
		{"NIGHTFLOAT_TURN_TIMEOUT (positive)", c.TurnTimeout > 0},
		{"NIGHTFLOAT_HANDOFF_REALERT (at least 10s)", c.HandoffReAlert >= 10*time.Second},
		{"NIGHTFLOAT_RETENTION_DAYS (1 to 3650)", c.RetentionDays >= 1 && c.RetentionDays <= 3650},
		{"NIGHTFLOAT_SAFETY_MODEL_TIMEOUT (1s to 30s)", c.SafetyModelTimeout >= time.Second && c.SafetyModelTimeout <= 30*time.Second},
		{"NIGHTFLOAT_REVIEW_SAMPLE_RATE (0 to 1)", c.ReviewSampleRate >= 0 && c.ReviewSampleRate <= 1},
		{"NIGHTFLOAT_REVIEW_DAILY_CAP (at least 0)", c.ReviewDailyCap >= 0},
		{"NIGHTFLOAT_REVIEW_IDLE (at least 1m)", c.ReviewIdle >= time.Minute},
		{"NIGHTFLOAT_REVIEW_SECOND_SHARE (0 to 1)", c.ReviewSecond >= 0 && c.ReviewSecond <= 1},
		{"NIGHTFLOAT_REVIEW_CLAIM_TTL (at least 1m)", c.ReviewClaimTTL >= time.Minute},
		{"NIGHTFLOAT_REVIEW_SALT (empty, or at least 16 characters)", c.ReviewSalt == "" || len(c.ReviewSalt) >= 16},
		{"NIGHTFLOAT_HANDOFF_UNATTENDED (at least 30s)", c.HandoffUnattended >= 30*time.Second},
		{"NIGHTFLOAT_SCREEN_REPLY_WITHIN (1m to 336h, two weeks)", c.ScreenReplyWithin >= time.Minute && c.ScreenReplyWithin <= 14*24*time.Hour},
		{"NIGHTFLOAT_CHECKIN_GRACE (10m to 30 days)", c.CheckinGrace >= 10*time.Minute && c.CheckinGrace <= 30*24*time.Hour},
		{"NIGHTFLOAT_LEADERSHIP_MIN_CELL (5 to 1000)", c.LeadershipMinCell >= 5 && c.LeadershipMinCell <= 1000},
		{"NIGHTFLOAT_REPORT_DELAY (at least 24h)", c.ReportDelay >= 24*time.Hour},
		{"NIGHTFLOAT_REPORT_MIN_BATCH (3 to 100)", c.ReportMinBatch >= 3 && c.ReportMinBatch <= 100},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("config: %s is out of range", ch.name)
		}
	}
	return nil
}

// validateModel checks the model responder's settings (only when it is chosen: the vetted
// responder needs none of them).
func (c Config) validateModel() error {
	switch c.Responder {
	case "vetted":
		return nil
	case "model":
	default:
		return fmt.Errorf("config: NIGHTFLOAT_RESPONDER %q: want vetted or model", c.Responder)
	}
	if c.Model == "" {
		return fmt.Errorf("config: NIGHTFLOAT_RESPONDER=model needs NIGHTFLOAT_MODEL (the model, or the Azure deployment name)")
	}
	if c.OpenAIAPIType == "openai" && c.OpenAIBaseURL == "" && c.OpenAIAPIKey == "" {
		return fmt.Errorf("config: NIGHTFLOAT_RESPONDER=model with OpenAI's API needs NIGHTFLOAT_OPENAI_API_KEY (or set NIGHTFLOAT_OPENAI_BASE_URL for a local server)")
	}
	if c.OpenAIAPIType == "azure" && (c.OpenAIBaseURL == "" || c.OpenAIAPIKey == "") {
		return fmt.Errorf("config: NIGHTFLOAT_OPENAI_API_TYPE=azure needs NIGHTFLOAT_OPENAI_BASE_URL (https://NAME.openai.azure.com) and NIGHTFLOAT_OPENAI_API_KEY")
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"NIGHTFLOAT_MODEL_TEMPERATURE (more than 0, at most 2)", c.ModelTemperature > 0 && c.ModelTemperature <= 2},
		{"NIGHTFLOAT_MODEL_MAX_TOKENS (64 to 32768)", c.ModelMaxTokens >= 64 && c.ModelMaxTokens <= 32768},
		{"NIGHTFLOAT_MODEL_CONTEXT_TOKENS (at least NIGHTFLOAT_MODEL_MAX_TOKENS + 2048)", c.ModelContextTokens >= c.ModelMaxTokens+2048},
		{"NIGHTFLOAT_MODEL_CONNECT_TIMEOUT (positive)", c.ModelConnectTimeout > 0},
		{"NIGHTFLOAT_MODEL_FIRST_TOKEN_TIMEOUT (positive, at most NIGHTFLOAT_MODEL_TIMEOUT)", c.ModelFirstTokenTimeout > 0 && c.ModelFirstTokenTimeout <= c.ModelTimeout},
		{"NIGHTFLOAT_MODEL_IDLE_TIMEOUT (positive, at most NIGHTFLOAT_MODEL_TIMEOUT)", c.ModelIdleTimeout > 0 && c.ModelIdleTimeout <= c.ModelTimeout},
		// The vetted fallback must still have time to answer inside the turn.
		{"NIGHTFLOAT_MODEL_TIMEOUT (positive, at least 10s less than NIGHTFLOAT_TURN_TIMEOUT)", c.ModelTimeout > 0 && c.ModelTimeout <= c.TurnTimeout-10*time.Second},
		{"NIGHTFLOAT_MODEL_RETRIES (0 to 5)", c.ModelRetries >= 0 && c.ModelRetries <= 5},
		{"NIGHTFLOAT_MODEL_DAILY_TOKENS (0 for no limit, or positive)", c.ModelDailyTokens >= 0},
		{"NIGHTFLOAT_MODEL_CONVERSATION_TOKENS (0 for no limit, or positive)", c.ModelConversationTokens >= 0},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("config: %s is out of range", ch.name)
		}
	}
	return nil
}

// Redacted is the configuration safe to log: passwords, keys, secrets and URL tokens are masked.
func (c Config) Redacted() Config {
	if u, err := url.Parse(c.DatabaseURL); err == nil {
		c.DatabaseURL = u.Redacted()
	}
	for _, secret := range []*string{&c.OpenAIAPIKey, &c.PagerWebhookSecret, &c.ReviewSalt, &c.MetricsToken, &c.VAPIDPrivateKey} {
		if *secret != "" {
			*secret = "xxxxx"
		}
	}
	if u, err := url.Parse(c.PagerWebhookURL); err == nil && c.PagerWebhookURL != "" {
		// Paging systems often carry their token in the URL.
		c.PagerWebhookURL = u.Scheme + "://" + u.Host + "/…"
	}
	return c
}

// reader collects the first error while reading variables.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) fail(name, val, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("config: %s=%q: want %s", name, val, want)
	}
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the contents of the file NAME_FILE names.
func (r *reader) secret(name, def string) string {
	if v := r.str(name, ""); v != "" {
		return v
	}
	path := r.str(name+"_FILE", "")
	if path == "" {
		return def
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("config: %s_FILE: %w", name, err)
		}
		return def
	}
	return strings.TrimSpace(string(b))
}

func (r *reader) list(name string, def []string) []string {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	var out []string
	for _, part := range strings.Split(v, ",") {
		if p := strings.TrimRight(strings.TrimSpace(part), "/"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *reader) integer(name string, def int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(name, v, "a whole number")
		return def
	}
	return n
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(name, v, "a duration such as 30s, 5m or 3h")
		return def
	}
	return d
}

func (r *reader) float(name string, def float64) float64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.fail(name, v, "a number such as 0.3")
		return def
	}
	return f
}

func (r *reader) boolean(name string, def bool) bool {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, v, "true or false")
		return def
	}
	return b
}
