// Package config loads Nightfloat's configuration once, from environment variables, and
// validates it. Only cmd/nightfloat reads it; everything else receives plain values.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the service reads. See the README's table.
type Config struct {
	DatabaseURL     string        // DATABASE_URL
	Addr            string        // NIGHTFLOAT_ADDR
	PublicURL       string        // NIGHTFLOAT_PUBLIC_URL: where clinicians reach the console (links in pages)
	AllowedOrigins  []string      // NIGHTFLOAT_ALLOWED_ORIGINS: extra origins allowed to open /ws
	LogLevel        string        // NIGHTFLOAT_LOG_LEVEL
	LogFormat       string        // NIGHTFLOAT_LOG_FORMAT: auto, json or text
	ShutdownTimeout time.Duration // NIGHTFLOAT_SHUTDOWN_TIMEOUT
	DBMaxConns      int32         // NIGHTFLOAT_DB_MAX_CONNS

	Institution  string // NIGHTFLOAT_INSTITUTION
	OncallPhone  string // NIGHTFLOAT_ONCALL_PHONE: the institution's own on-call or support number
	OncallLabel  string // NIGHTFLOAT_ONCALL_LABEL: how that number is named in the page
	ContentDir   string // NIGHTFLOAT_CONTENT_DIR
	ContentDraft bool   // NIGHTFLOAT_CONTENT_INCLUDE_DRAFTS: serve draft (unreviewed sample) content

	Embedder         string // NIGHTFLOAT_EMBEDDER: local (default, no network) or openai
	EmbedModel       string // NIGHTFLOAT_EMBED_MODEL: model or Azure deployment (openai embedder)
	EmbedDimensions  int    // NIGHTFLOAT_EMBED_DIMENSIONS: vector size (0: the embedder's default)
	OpenAIBaseURL    string // NIGHTFLOAT_OPENAI_BASE_URL: empty for OpenAI; vLLM/Ollama/Azure endpoint
	OpenAIAPIKey     string // NIGHTFLOAT_OPENAI_API_KEY (or _FILE)
	OpenAIAPIType    string // NIGHTFLOAT_OPENAI_API_TYPE: openai or azure
	OpenAIAPIVersion string // NIGHTFLOAT_OPENAI_API_VERSION: Azure API version

	MaxMessageChars    int           // NIGHTFLOAT_MAX_MESSAGE_CHARS
	RateLimitPerMinute int           // NIGHTFLOAT_RATE_LIMIT_PER_MINUTE: resident messages per conversation
	DisclosureEvery    time.Duration // NIGHTFLOAT_DISCLOSURE_INTERVAL: repeat the AI disclosure this often
	TurnTimeout        time.Duration // NIGHTFLOAT_TURN_TIMEOUT: bound on one turn (classify, retrieve, reply)

	PagerWebhookURL    string        // NIGHTFLOAT_PAGER_WEBHOOK_URL: POSTed on every handoff (no transcript text)
	PagerWebhookSecret string        // NIGHTFLOAT_PAGER_WEBHOOK_SECRET (or _FILE): HMAC-SHA256 key for X-Nightfloat-Signature
	HandoffReAlert     time.Duration // NIGHTFLOAT_HANDOFF_REALERT: re-alert and re-page an unclaimed handoff this often
	HandoffUnattended  time.Duration // NIGHTFLOAT_HANDOFF_UNATTENDED: tell the resident no one has joined after this long
	SecureCookies      bool          // NIGHTFLOAT_SECURE_COOKIES: console cookies only over HTTPS (default: when NIGHTFLOAT_PUBLIC_URL is https)
}

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
		DisclosureEvery:    3 * time.Hour,
		TurnTimeout:        60 * time.Second,
		HandoffReAlert:     2 * time.Minute,
		HandoffUnattended:  5 * time.Minute,
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
	c.MaxMessageChars = r.integer("NIGHTFLOAT_MAX_MESSAGE_CHARS", c.MaxMessageChars)
	c.RateLimitPerMinute = r.integer("NIGHTFLOAT_RATE_LIMIT_PER_MINUTE", c.RateLimitPerMinute)
	c.DisclosureEvery = r.duration("NIGHTFLOAT_DISCLOSURE_INTERVAL", c.DisclosureEvery)
	c.TurnTimeout = r.duration("NIGHTFLOAT_TURN_TIMEOUT", c.TurnTimeout)
	c.PagerWebhookURL = r.str("NIGHTFLOAT_PAGER_WEBHOOK_URL", c.PagerWebhookURL)
	c.PagerWebhookSecret = r.secret("NIGHTFLOAT_PAGER_WEBHOOK_SECRET", c.PagerWebhookSecret)
	c.HandoffReAlert = r.duration("NIGHTFLOAT_HANDOFF_REALERT", c.HandoffReAlert)
	c.HandoffUnattended = r.duration("NIGHTFLOAT_HANDOFF_UNATTENDED", c.HandoffUnattended)
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
	for _, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("config: NIGHTFLOAT_ALLOWED_ORIGINS: %q is not an origin like https://chat.example.org", o)
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
	case "local":
	case "openai":
		if c.EmbedModel == "" || c.EmbedDimensions <= 0 {
			return fmt.Errorf("config: NIGHTFLOAT_EMBEDDER=openai needs NIGHTFLOAT_EMBED_MODEL and NIGHTFLOAT_EMBED_DIMENSIONS")
		}
	default:
		return fmt.Errorf("config: NIGHTFLOAT_EMBEDDER %q: want local or openai", c.Embedder)
	}
	switch c.OpenAIAPIType {
	case "openai", "azure":
	default:
		return fmt.Errorf("config: NIGHTFLOAT_OPENAI_API_TYPE %q: want openai or azure", c.OpenAIAPIType)
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
		{"NIGHTFLOAT_HANDOFF_UNATTENDED (at least 30s)", c.HandoffUnattended >= 30*time.Second},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("config: %s is out of range", ch.name)
		}
	}
	return nil
}

// Redacted is the configuration safe to log: the database password is masked.
func (c Config) Redacted() Config {
	if u, err := url.Parse(c.DatabaseURL); err == nil {
		c.DatabaseURL = u.Redacted()
	}
	if c.OpenAIAPIKey != "" {
		c.OpenAIAPIKey = "xxxxx"
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
