package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"nightfloat/insights"
)

// handoffCollector reads the handoff figures from the database at scrape time, so that a
// restart does not reset them and every replica reports the same numbers (use max() across
// replicas, not sum()). The read is insights'; its result is cached for cacheFor, so
// scrapes from several Prometheus servers cost one query.
type handoffCollector struct {
	db insights.DB

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

func newHandoffCollector(db insights.DB) *handoffCollector {
	return &handoffCollector{db: db}
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
	g, err := insights.ReadHandoffGauges(ctx, c.db, ClaimBuckets)
	if err == nil {
		st = handoffStats{open: uint64(g.Open), waiting: uint64(g.Waiting), claimed: uint64(g.Claimed),
			claimSum: g.ClaimSeconds, buckets: make([]uint64, len(ClaimBuckets))}
		for i, n := range g.ClaimedWithin {
			st.buckets[i] = uint64(n)
		}
	}
	c.at, c.last, c.lastErr = time.Now(), st, err
	return st, err
}
