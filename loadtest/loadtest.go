package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits that no flag can raise: the driver is for this machine, not a traffic generator.
const (
	MaxConnections = 20000
	MaxDuration    = 30 * time.Minute
)

// Options say what to drive.
type Options struct {
	Targets      []string      // base URLs of the servers under test; residents are spread over them
	Console      string        // base URL the clinician console connects to (default: the first target)
	ConsoleToken string        // an on-call session token; when empty one is made through DatabaseURL
	DatabaseURL  string        // to create a throw-away on-call account for the console
	Idle         int           // connections that say hello and then only answer pings
	Active       int           // conversations that send a message every Every
	Every        time.Duration // mean time between an active conversation's messages (jittered ±25%)
	RedFlagShare float64       // share of messages that are red flags (each ends in a handoff)
	Duration     time.Duration // how long the active phase runs
	Ramp         int           // connections opened per second
	Settle       time.Duration // wait after opening the idle connections before reading memory
	Acks         *AckLog       // when set, every acknowledgement received is recorded (fault runs)
	MetricsToken string        // bearer token for the targets' /metrics (NIGHTFLOAT_METRICS_TOKEN)
	Log          io.Writer
}

// Result is everything measured; it is printed as text and can be written as JSON.
type Result struct {
	Targets       []string `json:"targets"`
	Console       string   `json:"console"`
	StartedAt     string   `json:"started_at"`
	IdleRequested int      `json:"idle_requested"`
	IdleHeld      int      `json:"idle_held"`
	IdleFailed    int      `json:"idle_failed"`
	IdleDropped   int      `json:"idle_dropped"` // idle connections the server closed before the end
	ActiveConvs   int      `json:"active_conversations"`

	Memory []MemoryDelta `json:"memory"` // one per target, idle phase

	Turns         int     `json:"turns"`
	TurnsAnswered int     `json:"turns_answered"`
	TurnsHandoff  int     `json:"turns_handoff"`
	TurnsError    int     `json:"turns_error"`
	TurnsTimedOut int     `json:"turns_timed_out"`
	Ack           Summary `json:"send_to_ack_ms"`
	AckToDelta    Summary `json:"ack_to_first_delta_ms"`
	AckToReply    Summary `json:"ack_to_reply_ms"`

	RedFlags      int     `json:"red_flags"`
	Alerts        int     `json:"alerts"`
	AlertsMissing int     `json:"alerts_missing"`
	AlertFromSend Summary `json:"red_flag_send_to_alert_ms"`
	AlertFromAck  Summary `json:"red_flag_ack_to_alert_ms"`

	Server []ServerTurns `json:"server"` // the servers' own histograms over the active phase
}

// MemoryDelta is one server's memory before and after the idle connections opened.
type MemoryDelta struct {
	Target          string  `json:"target"`
	Connections     int     `json:"connections"`
	RSSBefore       float64 `json:"rss_before_bytes"`
	RSSAfter        float64 `json:"rss_after_bytes"`
	GoBefore        float64 `json:"go_inuse_before_bytes"` // heap in use + stacks
	GoAfter         float64 `json:"go_inuse_after_bytes"`
	GoroutinesAfter float64 `json:"goroutines_after"`
	RSSPerConn      float64 `json:"rss_per_connection_bytes"`
	GoPerConn       float64 `json:"go_inuse_per_connection_bytes"`
}

// ServerTurns are quantiles of a server's nightfloat_turn_seconds over the active phase.
type ServerTurns struct {
	Target    string         `json:"target"`
	Outcomes  map[string]int `json:"outcomes"`
	Queue     Summary        `json:"queue_ms"`
	Server    Summary        `json:"server_ms"`
	Responder Summary        `json:"responder_ms"`
}

// Summary is a latency distribution in milliseconds.
type Summary struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d.Microseconds()) / 1000
	}
	sort.Float64s(ms)
	q := func(p float64) float64 { return ms[min(len(ms)-1, int(math.Ceil(p*float64(len(ms))))-1)] }
	return Summary{N: len(ms), P50: q(.50), P95: q(.95), P99: q(.99), Max: ms[len(ms)-1]}
}

// CheckLoopback refuses any target that is not this machine's loopback.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("loadtest: %q is not an http(s) base URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("loadtest: refusing %q: only loopback targets (127.0.0.0/8, ::1, localhost) may be driven", raw)
	}
	return nil
}

func (o *Options) validate() error {
	if len(o.Targets) == 0 {
		return errors.New("loadtest: no target")
	}
	if o.Console == "" {
		o.Console = o.Targets[0]
	}
	for _, t := range append(append([]string(nil), o.Targets...), o.Console) {
		if err := CheckLoopback(t); err != nil {
			return err
		}
	}
	switch {
	case o.Idle < 0 || o.Active < 0 || o.Idle+o.Active > MaxConnections:
		return fmt.Errorf("loadtest: idle + active must be 0 to %d", MaxConnections)
	case o.Duration < 0 || o.Duration > MaxDuration:
		return fmt.Errorf("loadtest: duration must be at most %s", MaxDuration)
	case o.RedFlagShare < 0 || o.RedFlagShare > 1:
		return errors.New("loadtest: red-flag share must be 0 to 1")
	case o.Active > 0 && o.Every < time.Second:
		return errors.New("loadtest: -every must be at least 1s (the server limits a conversation to 20 messages a minute)")
	}
	if o.Ramp <= 0 {
		o.Ramp = 500
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return nil
}

func wsURL(base, path string) string {
	return "ws" + strings.TrimPrefix(strings.TrimRight(base, "/"), "http") + path
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Run drives the servers and returns what it measured. It stops when ctx ends or the
// phases are over, closing every connection it opened.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, MaxDuration+5*time.Minute)
	defer cancel()
	res := &Result{Targets: o.Targets, Console: o.Console, StartedAt: time.Now().UTC().Format(time.RFC3339), IdleRequested: o.Idle, ActiveConvs: o.Active}
	logf := func(format string, a ...any) { fmt.Fprintf(o.Log, "loadtest: "+format+"\n", a...) }

	// The console first, so that no red flag is raised before anyone listens.
	var con *console
	if o.Active > 0 && o.RedFlagShare > 0 {
		token := o.ConsoleToken
		if token == "" {
			var cleanup func()
			var err error
			token, cleanup, err = consoleSession(ctx, o.DatabaseURL)
			if err != nil {
				return nil, err
			}
			defer cleanup()
		}
		var err error
		if con, err = dialConsole(ctx, o.Console, token); err != nil {
			return nil, err
		}
		defer con.close()
		logf("console connected to %s and on duty", o.Console)
	}

	// Idle phase: open the connections, let the server settle, read its memory.
	before := make([]scrape, len(o.Targets))
	for i, t := range o.Targets {
		s, err := scrapeMetrics(ctx, t, o.MetricsToken)
		if err != nil {
			return nil, fmt.Errorf("loadtest: read %s/metrics: %w", t, err)
		}
		before[i] = s
	}
	idle := openIdle(ctx, o, logf)
	defer idle.closeAll()
	res.IdleHeld, res.IdleFailed = idle.held(), int(idle.failed.Load())
	if o.Idle > 0 {
		settle := o.Settle
		if settle <= 0 {
			settle = 10 * time.Second
		}
		logf("holding %d idle connections; settling %s before reading memory", res.IdleHeld, settle)
		sleep(ctx, settle)
		for i, t := range o.Targets {
			after, err := scrapeMetrics(ctx, t, o.MetricsToken)
			if err != nil {
				return nil, fmt.Errorf("loadtest: read %s/metrics: %w", t, err)
			}
			n := idle.perTarget(i)
			m := MemoryDelta{Target: t, Connections: n,
				RSSBefore: before[i].value("process_resident_memory_bytes"), RSSAfter: after.value("process_resident_memory_bytes"),
				GoBefore: before[i].goInuse(), GoAfter: after.goInuse(), GoroutinesAfter: after.value("go_goroutines")}
			if n > 0 {
				m.RSSPerConn = (m.RSSAfter - m.RSSBefore) / float64(n)
				m.GoPerConn = (m.GoAfter - m.GoBefore) / float64(n)
			}
			res.Memory = append(res.Memory, m)
		}
	}

	// Active phase, with the idle connections still open.
	if o.Active > 0 && o.Duration > 0 {
		mid := make([]scrape, len(o.Targets))
		for i, t := range o.Targets {
			mid[i], _ = scrapeMetrics(ctx, t, o.MetricsToken)
		}
		runActive(ctx, o, con, res, logf)
		for i, t := range o.Targets {
			end, err := scrapeMetrics(ctx, t, o.MetricsToken)
			if err != nil {
				continue
			}
			st := ServerTurns{Target: t, Outcomes: map[string]int{}}
			for _, oc := range []string{"answered", "handoff", "withheld", "failed", "silent", "released"} {
				if n := int(end.labelled("nightfloat_turns_total", "outcome", oc) - mid[i].labelled("nightfloat_turns_total", "outcome", oc)); n > 0 {
					st.Outcomes[oc] = n
				}
			}
			st.Queue = histDelta(mid[i], end, "queue")
			st.Server = histDelta(mid[i], end, "server")
			st.Responder = histDelta(mid[i], end, "responder")
			res.Server = append(res.Server, st)
		}
	}
	res.IdleDropped = int(idle.dropped.Load())
	return res, ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pacer hands out at most rate tokens a second.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	gap  time.Duration
}

func newPacer(rate int) *pacer { return &pacer{gap: time.Second / time.Duration(rate)} }

func (p *pacer) wait(ctx context.Context) bool {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(p.gap)
	p.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.5*mrand.Float64()))
}

// Messages residents send: ordinary ones, and red flags that must reach a clinician.
var (
	ordinary = []string{
		"rough night on call, I can't switch off after my shift",
		"how do I sleep after a run of night float?",
		"my attending yelled at me in front of the team today",
		"I keep worrying about the boards, any tips for exam anxiety?",
		"a patient died on my shift and I keep thinking about it",
		"I feel burned out and numb at work lately",
		"I made a mistake with a medication order and I feel awful",
		"is there confidential help for residents here?",
	}
	redFlags = []string{
		"honestly I've been thinking about killing myself after this rotation, I have a plan",
		"I want to end my life, I have the pills saved up",
		"I'm going to kill myself tonight after my shift",
	}
)

// counter is an atomic int used for stats.
type counter = atomic.Int64
