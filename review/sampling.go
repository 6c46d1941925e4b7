package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/clinician"
	"nightfloat/postgres"
)

// Why a conversation was queued for review.
const (
	ReasonHandoff   = "handoff"   // a clinician handoff happened
	ReasonFeedback  = "feedback"  // the resident marked a reply unhelpful or harmful
	ReasonUncertain = "uncertain" // the classifier was unsure or its layers disagreed
	ReasonWithheld  = "withheld"  // the output check withheld an assistant reply
	ReasonRandom    = "random"    // the random sample of everything else
)

// Reasons lists every reason, highest priority first.
var Reasons = []string{ReasonHandoff, ReasonFeedback, ReasonWithheld, ReasonUncertain, ReasonRandom}

// Priorities: the queue shows higher first.
const (
	PriorityHandoff           = 100
	PriorityFeedbackHarmful   = 80
	PriorityWithheld          = 70
	PriorityUncertain         = 60
	PriorityFeedbackUnhelpful = 50
	PriorityRandom            = 10
)

// Levels, lowest first; a level's index is its rank.
var levels = []string{"none", "concern", "urgent", "emergency"}

// suicideAdjacent are the categories where a "concern" verdict is itself a reason to look:
// the suicide-adjacent ones, and worry about someone else that is not imminent
// (third_party_worry), which is answered with guidance instead of a handoff and so is
// always put before a clinician.
var suicideAdjacent = []string{"suicidal_ideation", "suicide_plan_or_intent", "self_harm", "third_party_worry"}

// SamplingOptions tune the sampler. Zero fields take the defaults.
type SamplingOptions struct {
	// Idle is how long a conversation must have been quiet before it is sampled; default 30m.
	Idle time.Duration
	// ReadyNow samples without waiting for Idle: every conversation that has no open
	// handoff, however recently active. "nightfloat review sample --now" sets it, so that
	// a conversation just finished can be reviewed at once.
	ReadyNow bool
	// RandomRate is the share of other conversations sampled at random; default 0.05.
	// A negative value turns the random sample off.
	RandomRate float64
	// DailyCap bounds random samples per UTC day; default 50. Negative means no cap.
	DailyCap int
	// Lookback bounds how far back (by last activity) conversations are considered;
	// default 30 days. It only keeps each run cheap: a conversation is considered on every
	// run between becoming idle and leaving the window.
	Lookback time.Duration
	// Salt keys the random sample (HMAC-SHA256). Empty means the database's own random
	// salt (table review_salt). Keep it secret: it makes the sample unpredictable.
	Salt []byte
	// Now is the clock; default time.Now. Tests move time with it.
	Now    func() time.Time
	Logger *slog.Logger
}

func (o SamplingOptions) withDefaults() SamplingOptions {
	if o.Idle <= 0 {
		o.Idle = 30 * time.Minute
	}
	if o.RandomRate == 0 {
		o.RandomRate = 0.05
	}
	if o.RandomRate > 1 {
		o.RandomRate = 1
	}
	if o.DailyCap == 0 {
		o.DailyCap = 50
	}
	if o.Lookback <= 0 {
		o.Lookback = 30 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Sampler chooses idle conversations for clinician review.
type Sampler struct {
	pool  *pgxpool.Pool
	audit *clinician.Audit
	opts  SamplingOptions
}

// NewSampler returns a sampler on pool. audit may be nil (then NewAudit(pool)).
func NewSampler(pool *pgxpool.Pool, audit *clinician.Audit, opts SamplingOptions) *Sampler {
	if audit == nil {
		audit = clinician.NewAudit(pool)
	}
	return &Sampler{pool: pool, audit: audit, opts: opts.withDefaults()}
}

// SampleResult counts what one run queued, by reason.
type SampleResult struct {
	Queued map[string]int
	Capped int // conversations the random sample chose but the daily cap turned away
}

// Total is the number of reasons queued.
func (r SampleResult) Total() int {
	n := 0
	for _, v := range r.Queued {
		n += v
	}
	return n
}

// Run samples every interval until ctx ends. A failed run is logged and retried on the
// next tick; it never stops the loop.
func (s *Sampler) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := s.SampleOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			s.opts.Logger.Error("review sampling failed", "error", err)
		case res.Total() > 0:
			s.opts.Logger.Info("review sampling queued conversations", "queued", res.Queued, "capped", res.Capped)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// candidate is a conversation one rule picked, with what the rule saw (no text).
type candidate struct {
	id       string
	priority int
	detail   map[string]any
}

// SampleOnce applies every rule once to the conversations idle for at least Idle.
func (s *Sampler) SampleOnce(ctx context.Context) (SampleResult, error) {
	res := SampleResult{Queued: map[string]int{}}
	now := s.opts.Now().UTC()
	idleBefore, since := now.Add(-s.opts.Idle), now.Add(-s.opts.Lookback)
	if s.opts.ReadyNow {
		idleBefore = now
	}
	rules := []struct {
		reason string
		find   func(context.Context, time.Time, time.Time) ([]candidate, error)
	}{
		{ReasonHandoff, s.findHandoffs},
		{ReasonFeedback, s.findFeedback},
		{ReasonWithheld, s.findWithheld},
		{ReasonUncertain, s.findUncertain},
	}
	for _, r := range rules {
		cands, err := r.find(ctx, idleBefore, since)
		if err != nil {
			return res, fmt.Errorf("review: sample %s: %w", r.reason, err)
		}
		for _, c := range cands {
			ok, err := s.enqueue(ctx, c, r.reason, now)
			if err != nil {
				return res, err
			}
			if ok {
				res.Queued[r.reason]++
			}
		}
	}
	if err := s.sampleRandom(ctx, idleBefore, since, now, &res); err != nil {
		return res, err
	}
	if res.Total() > 0 || res.Capped > 0 {
		detail := map[string]any{"queued": res.Queued, "capped": res.Capped}
		if err := s.audit.Record(ctx, clinician.ActorSystem, "review.sample", "", detail); err != nil {
			return res, err
		}
	}
	return res, nil
}

// idleWindow is the condition every rule shares; $1 is idleBefore, $2 since, $3 the reason.
func (s *Sampler) idleWindow() string { return idleWindow + s.readyClause() }

// readyClause leaves out, when sampling without the idle wait, conversations whose
// handoff is still open: they are not finished.
func (s *Sampler) readyClause() string {
	if !s.opts.ReadyNow {
		return ""
	}
	return ` AND NOT EXISTS (SELECT 1 FROM handoffs oh WHERE oh.conversation_id = c.id AND oh.status <> 'resolved')`
}

const idleWindow = `c.last_active_at <= $1 AND c.last_active_at > $2
	AND NOT EXISTS (SELECT 1 FROM review_samples s WHERE s.conversation_id = c.id AND s.reason = $3)`

func (s *Sampler) findHandoffs(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, count(DISTINCT h.id), array_agg(DISTINCT h.level ORDER BY h.level),
		       coalesce(array_agg(DISTINCT cat) FILTER (WHERE cat IS NOT NULL), '{}')
		FROM conversations c
		JOIN handoffs h ON h.conversation_id = c.id
		LEFT JOIN LATERAL unnest(h.categories) cat ON true
		WHERE `+s.idleWindow()+`
		GROUP BY c.id ORDER BY min(h.created_at)`, idleBefore, since, ReasonHandoff)
	return collect(rows, err, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		var n int64
		var lv, cats []string
		err := row.Scan(&c.id, &n, &lv, &cats)
		c.priority = PriorityHandoff
		c.detail = map[string]any{"handoffs": n, "levels": lv, "categories": cats}
		return c, err
	})
}

func (s *Sampler) findFeedback(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, count(*) FILTER (WHERE f.rating = 'harmful'), count(*) FILTER (WHERE f.rating = 'unhelpful'),
		       array_agg(f.seq ORDER BY f.seq)
		FROM conversations c
		JOIN review_feedback f ON f.conversation_id = c.id
		WHERE `+s.idleWindow()+`
		GROUP BY c.id ORDER BY min(f.created_at)`, idleBefore, since, ReasonFeedback)
	return collect(rows, err, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		var harmful, unhelpful int64
		var seqs []int64
		err := row.Scan(&c.id, &harmful, &unhelpful, &seqs)
		c.priority = PriorityFeedbackUnhelpful
		if harmful > 0 {
			c.priority = PriorityFeedbackHarmful
		}
		c.detail = map[string]any{"harmful": harmful, "unhelpful": unhelpful, "seqs": seqs}
		return c, err
	})
}

func (s *Sampler) findWithheld(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, count(*), array_agg(m.seq ORDER BY m.seq)
		FROM conversations c
		JOIN messages m ON m.conversation_id = c.id AND m.kind = 'withheld'
		WHERE `+s.idleWindow()+`
		GROUP BY c.id ORDER BY min(m.created_at)`, idleBefore, since, ReasonWithheld)
	return collect(rows, err, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		var n int64
		var seqs []int64
		err := row.Scan(&c.id, &n, &seqs)
		c.priority = PriorityWithheld
		c.detail = map[string]any{"withheld": n, "seqs": seqs}
		return c, err
	})
}

// findUncertain finds conversations where the classifier was unsure: an assessment that
// records a layer failure, one whose evidence from different layers (the memory of
// earlier turns aside) reaches different levels, a "concern" verdict on a
// suicide-adjacent category, the band where a miss costs the most, or a "concern"
// verdict from the learned layer's review band.
func (s *Sampler) findUncertain(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	rows, err := s.pool.Query(ctx, `
		WITH judged AS (
			SELECT a.conversation_id, a.seq,
			       cardinality(a.errors) > 0 AS failed,
			       a.level = 'concern' AND a.categories && $4::text[] AS concern_suicide,
			       a.level = 'concern' AND jsonb_typeof(a.evidence) = 'array' AND a.evidence @> '[{"layer": "learned", "level": "concern"}]'::jsonb AS learned_review,
			       (SELECT count(DISTINCT l.top) FROM (
			            SELECT e->>'layer' AS layer, max(array_position($5::text[], e->>'level')) AS top
			            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.evidence) = 'array' THEN a.evidence ELSE '[]' END) e
			            WHERE coalesce(e->>'layer', '') NOT IN ('', 'memory')
			            GROUP BY 1) l) > 1 AS layers_disagree
			FROM conversations c
			JOIN assessments a ON a.conversation_id = c.id
			WHERE `+s.idleWindow()+`
		)
		SELECT conversation_id::text,
		       count(*) FILTER (WHERE failed), count(*) FILTER (WHERE layers_disagree), count(*) FILTER (WHERE concern_suicide), count(*) FILTER (WHERE learned_review),
		       array_agg(seq ORDER BY seq)
		FROM judged WHERE failed OR layers_disagree OR concern_suicide OR learned_review
		GROUP BY conversation_id ORDER BY conversation_id`,
		idleBefore, since, ReasonUncertain, suicideAdjacent, levels)
	return collect(rows, err, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		var failed, disagree, concern, learned int64
		var seqs []int64
		err := row.Scan(&c.id, &failed, &disagree, &concern, &learned, &seqs)
		c.priority = PriorityUncertain
		c.detail = map[string]any{"layer_errors": failed, "layers_disagree": disagree, "concern_suicide_adjacent": concern, "learned_review": learned, "seqs": seqs}
		return c, err
	})
}

// sampleRandom takes each idle conversation that no other rule queued, once, and queues
// it when its keyed hash falls below RandomRate and the day's cap is not reached.
func (s *Sampler) sampleRandom(ctx context.Context, idleBefore, since, now time.Time, res *SampleResult) error {
	if s.opts.RandomRate < 0 {
		return nil
	}
	salt, err := saltFor(ctx, s.pool, s.opts.Salt)
	if err != nil {
		return err
	}
	dayStart := now.Truncate(24 * time.Hour)
	for {
		rows, err := s.pool.Query(ctx, `
			SELECT c.id::text FROM conversations c
			WHERE c.last_active_at <= $1 AND c.last_active_at > $2
			  AND NOT EXISTS (SELECT 1 FROM review_samples s WHERE s.conversation_id = c.id)
			  AND NOT EXISTS (SELECT 1 FROM review_random_checked r WHERE r.conversation_id = c.id)
			  AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.author = 'resident')`+s.readyClause()+`
			ORDER BY c.last_active_at, c.id LIMIT 500`, idleBefore, since)
		ids, err := collect(rows, err, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("review: sample random: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			chosen := SampleFraction(salt, "random:"+id) < s.opts.RandomRate
			queued := false
			capped := false
			err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
				// One sampler at a time decides against the cap.
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7243108)`); err != nil {
					return err
				}
				if chosen && s.opts.DailyCap >= 0 {
					var today int
					if err := tx.QueryRow(ctx, `SELECT count(*) FROM review_samples WHERE reason = 'random' AND sampled_at >= $1`, dayStart).Scan(&today); err != nil {
						return err
					}
					capped = today >= s.opts.DailyCap
				}
				tag, err := tx.Exec(ctx, `INSERT INTO review_random_checked (conversation_id, chosen, capped, checked_at)
					VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, chosen, capped, now)
				if err != nil || tag.RowsAffected() == 0 || !chosen || capped {
					return err
				}
				queued, err = enqueueTx(ctx, tx, candidate{id: id, priority: PriorityRandom, detail: map[string]any{}}, ReasonRandom, now)
				return err
			})
			if err != nil {
				return fmt.Errorf("review: sample random: %w", err)
			}
			if queued {
				res.Queued[ReasonRandom]++
			}
			if capped {
				res.Capped++
			}
		}
	}
}

// enqueue records that c was sampled for reason: on the conversation's open item when it
// has one (raising its priority), else on a new item. It reports false when c was already
// queued for reason.
func (s *Sampler) enqueue(ctx context.Context, c candidate, reason string, now time.Time) (bool, error) {
	var queued bool
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		queued, err = enqueueTx(ctx, tx, c, reason, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("review: queue conversation for %s: %w", reason, err)
	}
	return queued, nil
}

func enqueueTx(ctx context.Context, tx pgx.Tx, c candidate, reason string, now time.Time) (bool, error) {
	// Serialise work on one conversation's items across samplers.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7243109, hashtext($1))`, c.id); err != nil {
		return false, err
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM review_samples WHERE conversation_id = $1 AND reason = $2)`,
		c.id, reason).Scan(&exists); err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}
	var level string
	var started time.Time
	err := tx.QueryRow(ctx, `
		SELECT ($2::text[])[greatest(
		           coalesce((SELECT max(array_position($2::text[], a.level)) FROM assessments a WHERE a.conversation_id = c.id), 1),
		           coalesce((SELECT max(array_position($2::text[], h.level)) FROM handoffs h WHERE h.conversation_id = c.id), 1))],
		       c.created_at
		FROM conversations c WHERE c.id = $1`, c.id, levels).Scan(&level, &started)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // deleted meanwhile
	}
	if err != nil {
		return false, err
	}
	var itemID int64
	err = tx.QueryRow(ctx, `UPDATE review_items SET priority = greatest(priority, $2), level = $3
		WHERE conversation_id = $1 AND status <> 'done' RETURNING id`, c.id, c.priority, level).Scan(&itemID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `INSERT INTO review_items (conversation_id, priority, level, conversation_started_at, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.id, c.priority, level, started, now).Scan(&itemID)
	}
	if err != nil {
		return false, err
	}
	detail, err := json.Marshal(c.detail)
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO review_samples (item_id, conversation_id, reason, priority, detail, sampled_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id, reason) DO NOTHING`,
		itemID, c.id, reason, c.priority, detail, now)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// SampleFraction maps HMAC-SHA256(salt, key) to [0, 1): the first 53 bits of the MAC
// over 2^53. The same salt and key always give the same fraction.
func SampleFraction(salt []byte, key string) float64 {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(key))
	sum := m.Sum(nil)
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

// saltFor returns configured when set, else the database's own salt.
func saltFor(ctx context.Context, q postgres.Querier, configured []byte) ([]byte, error) {
	if len(configured) > 0 {
		return configured, nil
	}
	var salt []byte
	if err := q.QueryRow(ctx, `SELECT salt FROM review_salt`).Scan(&salt); err != nil {
		return nil, fmt.Errorf("review: read sampling salt: %w", err)
	}
	return salt, nil
}

func collect[T any](rows pgx.Rows, err error, fn pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, fn)
}
