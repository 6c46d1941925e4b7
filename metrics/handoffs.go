package metrics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// handoffCollector reads the handoff figures from the database at scrape time, so that a
// restart does not reset them and every replica reports the same numbers (use max() across
// replicas, not sum()). Its query is cached for cacheFor, so scrapes from several
// Prometheus servers cost one query.
type handoffCollector struct {
	db    DB
	query string

	mu      sync.Mutex
	at      time.Time
	last    handoffStats
	lastErr error
}

type handoffStats struct {
	open, waiting, claimed uint64
	claimSum               float64
	buckets                []uint64
}

const cacheFor = 5 * time.Second

var (
	openDesc    = prometheus.NewDesc("nightfloat_handoffs_open", "Handoffs not yet resolved (waiting or claimed), from the database.", nil, nil)
	waitingDesc = prometheus.NewDesc("nightfloat_handoffs_waiting", "Handoffs that no clinician has claimed yet, from the database.", nil, nil)
	claimDesc   = prometheus.NewDesc("nightfloat_handoff_time_to_claim_seconds", "Time from a handoff opening to a clinician claiming it, over every claimed handoff in the database.", nil, nil)
	upDesc      = prometheus.NewDesc("nightfloat_database_up", "1 when the last metrics query reached the database, else 0.", nil, nil)
)

func newHandoffCollector(db DB) *handoffCollector {
	var b strings.Builder
	b.WriteString(`SELECT count(*) FILTER (WHERE status <> 'resolved'), count(*) FILTER (WHERE status = 'waiting'),
		count(claimed_at), coalesce(sum(extract(epoch FROM claimed_at - created_at)), 0)::float8`)
	for _, le := range ClaimBuckets {
		fmt.Fprintf(&b, ",\n\t\tcount(*) FILTER (WHERE claimed_at - created_at <= make_interval(secs => %g))", le)
	}
	b.WriteString("\n\tFROM handoffs")
	return &handoffCollector{db: db, query: b.String()}
}

func (c *handoffCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- openDesc
	ch <- waitingDesc
	ch <- claimDesc
	ch <- upDesc
}

func (c *handoffCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.read()
	up := 1.0
	if err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up)
	if err != nil {
		return // no figure rather than a wrong one
	}
	ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(st.open))
	ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(st.waiting))
	buckets := make(map[float64]uint64, len(ClaimBuckets))
	for i, le := range ClaimBuckets {
		buckets[le] = st.buckets[i]
	}
	ch <- prometheus.MustNewConstHistogram(claimDesc, st.claimed, st.claimSum, buckets)
}

func (c *handoffCollector) read() (handoffStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < cacheFor {
		return c.last, c.lastErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var st handoffStats
	var open, waiting, claimed int64
	st.buckets = make([]uint64, len(ClaimBuckets))
	counts := make([]int64, len(ClaimBuckets))
	dest := []any{&open, &waiting, &claimed, &st.claimSum}
	for i := range counts {
		dest = append(dest, &counts[i])
	}
	err := c.db.QueryRow(ctx, c.query).Scan(dest...)
	if err == nil {
		st.open, st.waiting, st.claimed = uint64(open), uint64(waiting), uint64(claimed)
		for i, n := range counts {
			st.buckets[i] = uint64(n)
		}
	}
	c.at, c.last, c.lastErr = time.Now(), st, err
	return st, err
}
