package metrics

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"nightfloat/insights"
)

// Set holds one server's metrics and the registry they are served from.
type Set struct {
	reg *prometheus.Registry

	sockets   atomic.Int64 // every websocket
	residents atomic.Int64 // resident websockets

	turns       *prometheus.CounterVec
	turnSeconds *prometheus.HistogramVec
	levels      *prometheus.CounterVec
	modelErrors prometheus.Counter
	dbErrors    *prometheus.CounterVec
	slowDropped prometheus.Counter
}

// TurnBuckets are the turn-time histogram's bounds, in seconds: fine below 100 ms, where the
// server's own overhead lives, and coarse up to the turn time-out, where a model's time does.
var TurnBuckets = []float64{.001, .0025, .005, .0075, .01, .015, .02, .03, .04, .05, .075, .1, .15, .25, .5, 1, 2, 4, 8, 15, 30, 60}

// ClaimBuckets bound the time from a handoff opening to a clinician claiming it, in seconds.
var ClaimBuckets = []float64{5, 15, 30, 60, 120, 300, 600, 1800, 3600}

// New builds a set. db may be nil: the handoff gauges and time to claim are then left out.
func New(db insights.DB) *Set {
	s := &Set{reg: prometheus.NewRegistry()}
	s.turns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "nightfloat_turns_total",
		Help: "Turns finished on this server, by outcome: answered, handoff, withheld, failed (error notice stored), silent (a clinician holds or closed the conversation), released (left pending at shutdown)."}, []string{"outcome"})
	s.turnSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "nightfloat_turn_seconds",
		Help:    "Time per turn by part: queue (message committed to turn started), server (turn duration minus responder), responder (the responder's own time: the model, or vetted content).",
		Buckets: TurnBuckets}, []string{"part"})
	s.levels = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "nightfloat_safety_assessments_total",
		Help: "Resident messages assessed by the safety classifier, by level."}, []string{"level"})
	s.modelErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "nightfloat_model_errors_total",
		Help: "Replies for which the model failed (vetted content answered instead) or stopped part way."})
	s.dbErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "nightfloat_database_errors_total",
		Help: "Database failures, by where they were seen."}, []string{"op"})
	s.slowDropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "nightfloat_slow_clients_dropped_total",
		Help: "Websockets closed with 4000 because their queue filled (the client stopped reading)."})
	s.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		s.turns, s.turnSeconds, s.levels, s.modelErrors, s.dbErrors, s.slowDropped,
		connCollector{s},
	)
	if db != nil {
		s.reg.MustRegister(newHandoffCollector(db))
	}
	return s
}

// Registry returns the registry, for tests and for code that adds its own collectors.
func (s *Set) Registry() *prometheus.Registry {
	if s == nil {
		return nil
	}
	return s.reg
}

// Handler serves the metrics in the Prometheus text format; on a nil set it answers 404.
func (s *Set) Handler() http.Handler {
	if s == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg, Timeout: 5 * time.Second})
}

// Socket counts a websocket as open until the returned func is called.
func (s *Set) Socket() (closed func()) {
	if s == nil {
		return func() {}
	}
	s.sockets.Add(1)
	return func() { s.sockets.Add(-1) }
}

// Resident counts a resident websocket (also counted by Socket) until the returned func is called.
func (s *Set) Resident() (closed func()) {
	if s == nil {
		return func() {}
	}
	s.residents.Add(1)
	return func() { s.residents.Add(-1) }
}

// Closed records how a websocket was closed; slow is a 4000 (the client stopped reading).
func (s *Set) Closed(slow bool) {
	if s != nil && slow {
		s.slowDropped.Inc()
	}
}

// Assessed counts one classifier level of a resident message.
func (s *Set) Assessed(level string) {
	if s != nil {
		s.levels.WithLabelValues(level).Inc()
	}
}

// DBError counts a database failure seen at op.
func (s *Set) DBError(op string) {
	if s != nil {
		s.dbErrors.WithLabelValues(op).Inc()
	}
}

// ModelReply counts a model error when the reply's note contains one of errorNotes (the
// responder's notes for "the model failed, vetted content answered" and "cut short").
func (s *Set) ModelReply(note string, errorNotes ...string) {
	if s == nil || note == "" {
		return
	}
	for _, n := range errorNotes {
		if strings.Contains(note, n) {
			s.modelErrors.Inc()
			return
		}
	}
}

// connCollector reports the websocket gauges from the counters above.
type connCollector struct{ s *Set }

var connDesc = prometheus.NewDesc("nightfloat_websocket_connections", "Open websockets on this server, by kind (resident chat, clinician console).", []string{"kind"}, nil)

func (c connCollector) Describe(ch chan<- *prometheus.Desc) { ch <- connDesc }

func (c connCollector) Collect(ch chan<- prometheus.Metric) {
	all, res := c.s.sockets.Load(), c.s.residents.Load()
	ch <- prometheus.MustNewConstMetric(connDesc, prometheus.GaugeValue, float64(res), "resident")
	ch <- prometheus.MustNewConstMetric(connDesc, prometheus.GaugeValue, float64(max(all-res, 0)), "console")
}

// turnKey carries a turn's timer through its context.
type turnKey struct{}

type turnTimer struct {
	mu        sync.Mutex
	start     time.Time
	responder time.Duration
	outcome   string
}

// StartTurn starts timing a turn whose message was committed at committed; the time
// between the two is the queue part. Call EndTurn with the returned context.
func (s *Set) StartTurn(ctx context.Context, committed time.Time) context.Context {
	if s == nil {
		return ctx
	}
	now := time.Now()
	if !committed.IsZero() && now.After(committed) {
		s.turnSeconds.WithLabelValues("queue").Observe(now.Sub(committed).Seconds())
	}
	return context.WithValue(ctx, turnKey{}, &turnTimer{start: now, outcome: "silent"})
}

func timerFrom(ctx context.Context) *turnTimer {
	t, _ := ctx.Value(turnKey{}).(*turnTimer)
	return t
}

// Responder starts timing the responder within a turn; call the returned func when it returns.
func (s *Set) Responder(ctx context.Context) (stop func()) {
	t := timerFrom(ctx)
	if s == nil || t == nil {
		return func() {}
	}
	began := time.Now()
	return func() {
		d := time.Since(began)
		t.mu.Lock()
		t.responder += d
		t.mu.Unlock()
		s.turnSeconds.WithLabelValues("responder").Observe(d.Seconds())
	}
}

// Outcome sets the turn's outcome when err is nil. kind is answered, handoff, failed,
// released, or a stored message kind ("text" counts as answered, "withheld" as withheld).
func (s *Set) Outcome(ctx context.Context, kind string, err error) {
	t := timerFrom(ctx)
	if s == nil || t == nil || err != nil {
		return
	}
	if kind == "text" {
		kind = "answered"
	}
	t.mu.Lock()
	t.outcome = kind
	t.mu.Unlock()
}

// EndTurn records the turn's outcome and its server time (its duration less the responder's).
func (s *Set) EndTurn(ctx context.Context) {
	t := timerFrom(ctx)
	if s == nil || t == nil {
		return
	}
	t.mu.Lock()
	server := time.Since(t.start) - t.responder
	outcome := t.outcome
	t.mu.Unlock()
	s.turns.WithLabelValues(outcome).Inc()
	if outcome != "released" {
		s.turnSeconds.WithLabelValues("server").Observe(max(server, 0).Seconds())
	}
}

type setKey struct{}

// NewContext returns ctx carrying s, for code that reaches the set only through a context
// (a websocket's writer, which is built from the server's base context).
func NewContext(ctx context.Context, s *Set) context.Context {
	return context.WithValue(ctx, setKey{}, s)
}

// From returns the set ctx carries, or nil (which records nothing).
func From(ctx context.Context) *Set {
	s, _ := ctx.Value(setKey{}).(*Set)
	return s
}
