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
	"nightfloat/insights"
	"nightfloat/internal/tick"
	"nightfloat/postgres"
)

// Why a conversation was queued for review.
const (
	ReasonHandoff   = "handoff"   // a clinician handoff happened
	ReasonFeedback  = "feedback"  // the resident marked a reply unhelpful or harmful
	ReasonUncertain = "uncertain" // the classifier was unsure or its layers disagreed
	ReasonWithheld  = "withheld"  // the output check withheld an assistant reply
	ReasonScreen    = "screen"    // the resident's screen was positive (or handed off through item 9)
	ReasonRandom    = "random"    // the random sample of everything else
)

// Reasons lists every reason, highest priority first.
var Reasons = []string{ReasonHandoff, ReasonFeedback, ReasonWithheld, ReasonScreen, ReasonUncertain, ReasonRandom}

// Priorities: the queue shows higher first.
const (
	PriorityHandoff           = 100
	PriorityFeedbackHarmful   = 80
	PriorityWithheld          = 70
	PriorityScreen            = 65
	PriorityUncertain         = 60
	PriorityFeedbackUnhelpful = 50
	PriorityRandom            = 10
)

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

// Sampler chooses idle conversations for clinician review. It reads its candidates through
// insights (the conversations are assistant's) and writes only review's own tables.
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
	tick.NowAndEvery(ctx, interval, func() {
		res, err := s.SampleOnce(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			s.opts.Logger.Error("review sampling failed", "error", err)
		case res.Total() > 0:
			s.opts.Logger.Info("review sampling queued conversations", "queued", res.Queued, "capped", res.Capped)
		}
	})
	return nil
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
		{ReasonScreen, s.findScreens},
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

// window is the conversations a rule for reason considers.
func (s *Sampler) window(idleBefore, since time.Time, reason string) insights.SampleWindow {
	return insights.SampleWindow{IdleBefore: idleBefore, Since: since, Reason: reason, ReadyNow: s.opts.ReadyNow}
}

func (s *Sampler) findHandoffs(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	found, err := insights.HandoffCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonHandoff))
	return candidates(found, err, func(f insights.HandoffCandidate) candidate {
		return candidate{id: f.ConversationID, priority: PriorityHandoff,
			detail: map[string]any{"handoffs": f.Handoffs, "levels": f.Levels, "categories": f.Categories}}
	})
}

func (s *Sampler) findFeedback(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	found, err := insights.FeedbackCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonFeedback))
	return candidates(found, err, func(f insights.FeedbackCandidate) candidate {
		c := candidate{id: f.ConversationID, priority: PriorityFeedbackUnhelpful,
			detail: map[string]any{"harmful": f.Harmful, "unhelpful": f.Unhelpful, "seqs": f.Seqs}}
		if f.Harmful > 0 {
			c.priority = PriorityFeedbackHarmful
		}
		return c
	})
}

func (s *Sampler) findWithheld(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	found, err := insights.WithheldCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonWithheld))
	return candidates(found, err, func(f insights.WithheldCandidate) candidate {
		return candidate{id: f.ConversationID, priority: PriorityWithheld,
			detail: map[string]any{"withheld": f.Withheld, "seqs": f.Seqs}}
	})
}

// findScreens finds the conversations whose resident filled in a positive screen, or
// one whose item-9 answer handed off: how the AI answered someone who is struggling is
// worth a clinician's look.
func (s *Sampler) findScreens(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	found, err := insights.ScreenCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonScreen))
	return candidates(found, err, func(f insights.ScreenCandidate) candidate {
		return candidate{id: f.ConversationID, priority: PriorityScreen,
			detail: map[string]any{"screens": f.Screens, "instruments": f.Instruments, "levels": f.Levels}}
	})
}

// findUncertain finds the conversations where the classifier was unsure
// (insights.UncertainCandidates says when).
func (s *Sampler) findUncertain(ctx context.Context, idleBefore, since time.Time) ([]candidate, error) {
	found, err := insights.UncertainCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonUncertain))
	return candidates(found, err, func(f insights.UncertainCandidate) candidate {
		return candidate{id: f.ConversationID, priority: PriorityUncertain,
			detail: map[string]any{"layer_errors": f.LayerErrors, "layers_disagree": f.LayersDisagree,
				"concern_suicide_adjacent": f.ConcernSuicideAdjacent, "learned_review": f.LearnedReview, "seqs": f.Seqs}}
	})
}

// candidates turns what insights found into candidates to queue.
func candidates[T any](found []T, err error, fn func(T) candidate) ([]candidate, error) {
	if err != nil {
		return nil, err
	}
	out := make([]candidate, len(found))
	for i, f := range found {
		out[i] = fn(f)
	}
	return out, nil
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
		ids, err := insights.RandomCandidates(ctx, s.pool, s.window(idleBefore, since, ReasonRandom), 500)
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
	level, started, ok, err := insights.ConversationLevel(ctx, tx, c.id)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, nil // deleted meanwhile
	}
	var itemID int64
	err = tx.QueryRow(ctx, `UPDATE review_items SET priority = greatest(priority, $2), level = $3
		WHERE conversation_id = $1 AND status <> 'done' RETURNING id`, c.id, c.priority, level.String()).Scan(&itemID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `INSERT INTO review_items (conversation_id, priority, level, conversation_started_at, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.id, c.priority, level.String(), started, now).Scan(&itemID)
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
