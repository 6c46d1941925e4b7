package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// scrape is one read of a server's /metrics: series (name with its labels, as written) to value.
type scrape map[string]float64

var httpClient = &http.Client{Timeout: 10 * time.Second}

func scrapeMetrics(ctx context.Context, base, token string) (scrape, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	s := scrape{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		s[line[:i]] = v
	}
	return s, sc.Err()
}

func (s scrape) value(series string) float64 { return s[series] }

// goInuse is the memory the Go runtime has in use: heap spans in use and goroutine stacks.
func (s scrape) goInuse() float64 {
	return s["go_memstats_heap_inuse_bytes"] + s["go_memstats_stack_inuse_bytes"]
}

func (s scrape) labelled(name, label, value string) float64 {
	return s[fmt.Sprintf(`%s{%s=%q}`, name, label, value)]
}

// histDelta turns the change in nightfloat_turn_seconds{part} between two scrapes into
// quantiles, interpolating within buckets as Prometheus's histogram_quantile does. Max is
// the upper bound of the highest bucket that gained an observation.
func histDelta(a, b scrape, part string) Summary {
	prefix := fmt.Sprintf(`nightfloat_turn_seconds_bucket{part=%q,le="`, part)
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k, v := range b {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		leStr := strings.TrimSuffix(strings.TrimPrefix(k, prefix), `"}`)
		le, err := strconv.ParseFloat(leStr, 64)
		if err != nil {
			continue
		}
		bs = append(bs, bucket{le, v - a[k]})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	if len(bs) == 0 || bs[len(bs)-1].n <= 0 {
		return Summary{}
	}
	total := bs[len(bs)-1].n
	q := func(p float64) float64 {
		rank := p * total
		prevLe, prevN := 0.0, 0.0
		for _, bk := range bs {
			if bk.n >= rank {
				if math.IsInf(bk.le, 1) {
					return prevLe * 1000
				}
				if bk.n == prevN {
					return bk.le * 1000
				}
				return (prevLe + (bk.le-prevLe)*(rank-prevN)/(bk.n-prevN)) * 1000
			}
			prevLe, prevN = bk.le, bk.n
		}
		return prevLe * 1000
	}
	maxLe := 0.0
	prevN := 0.0
	for _, bk := range bs {
		if bk.n > prevN {
			maxLe = bk.le
		}
		prevN = bk.n
	}
	return Summary{N: int(total), P50: q(.5), P95: q(.95), P99: q(.99), Max: maxLe * 1000}
}
