package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"nightfloat"
	"nightfloat/clinician"
	"nightfloat/clinician/cliniciantest"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Conversations are written with SQL, as the assistant stores them, so that these tests
// exercise only this package.

type convFixture struct {
	t    *testing.T
	pool *pgxpool.Pool
	id   string
	seq  int64
}

func newConv(t *testing.T, pool *pgxpool.Pool, role string, lastActive time.Time) *convFixture {
	t.Helper()
	var id string
	err := pool.QueryRow(context.Background(), `INSERT INTO conversations (token_hash, role, pseudonym, created_at, last_active_at)
		VALUES ('\x00', $1, 'p', $2, $2) RETURNING id::text`, role, lastActive.Add(-10*time.Minute)).Scan(&id)
	if err != nil {
		t.Fatalf("create conversation: %v", err)
	}
	c := &convFixture{t: t, pool: pool, id: id}
	c.touch(lastActive)
	return c
}

func (c *convFixture) touch(at time.Time) {
	c.t.Helper()
	if _, err := c.pool.Exec(context.Background(), `UPDATE conversations SET last_active_at = $2 WHERE id = $1`, c.id, at); err != nil {
		c.t.Fatal(err)
	}
}

// msg appends a message and returns its seq.
func (c *convFixture) msg(author, kind, body string, meta map[string]any) int64 {
	c.t.Helper()
	c.seq++
	if meta == nil {
		meta = map[string]any{}
	}
	mb, _ := json.Marshal(meta)
	var state any
	if author == "resident" {
		state = "done"
	}
	_, err := c.pool.Exec(context.Background(), `INSERT INTO messages (conversation_id, seq, author, kind, body, turn_state, meta)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.id, c.seq, author, kind, body, state, mb)
	if err != nil {
		c.t.Fatalf("append message: %v", err)
	}
	return c.seq
}

func (c *convFixture) resident(body string) int64 { return c.msg("resident", "text", body, nil) }
func (c *convFixture) reply(body string) int64 {
	return c.msg("assistant", "text", body, map[string]any{"prompt_id": "resident", "prompt_version": "v3", "model": "test-model",
		"sources": []map[string]any{{"chunk_id": "sleep-after-night-float#2", "score": 0.83}}})
}

type ev struct{ layer, level, category, span string }

func (c *convFixture) assess(seq int64, subject, level string, categories []string, errs []string, evidence ...ev) {
	c.t.Helper()
	var es []map[string]any
	for _, e := range evidence {
		es = append(es, map[string]any{"layer": e.layer, "level": e.level, "category": e.category, "span": e.span, "rule_id": "r1", "start": -1, "end": -1})
	}
	if es == nil {
		es = []map[string]any{}
	}
	eb, _ := json.Marshal(es)
	if categories == nil {
		categories = []string{}
	}
	if errs == nil {
		errs = []string{}
	}
	_, err := c.pool.Exec(context.Background(), `INSERT INTO assessments (conversation_id, seq, subject, level, categories, evidence, version, errors)
		VALUES ($1, $2, $3, $4, $5, $6, 'test', $7)`, c.id, seq, subject, level, categories, eb, errs)
	if err != nil {
		c.t.Fatalf("assess: %v", err)
	}
}

func (c *convFixture) handoff(seq int64, level, status string, categories ...string) {
	c.t.Helper()
	var claimedBy any
	if status != "waiting" {
		// Claimed by an on-call clinician when there is one, as the console requires.
		if err := c.pool.QueryRow(context.Background(), `SELECT id FROM clinicians ORDER BY 'oncall' = ANY(roles) DESC, id LIMIT 1`).Scan(&claimedBy); err != nil {
			c.t.Fatalf("a claimed handoff needs a clinician: %v", err)
		}
	}
	if categories == nil {
		categories = []string{}
	}
	var resolvedAt, disposition, claimedAt any
	if status != "waiting" {
		claimedAt = time.Now()
	}
	if status == "resolved" {
		resolvedAt, disposition = time.Now(), "referred"
	}
	_, err := c.pool.Exec(context.Background(), `INSERT INTO handoffs (conversation_id, level, categories, trigger_seq, status, claimed_by, claimed_at, resolved_at, disposition)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.id, level, categories, seq, status, claimedBy, claimedAt, resolvedAt, disposition)
	if err != nil {
		c.t.Fatalf("handoff: %v", err)
	}
}

// queued returns the reasons a conversation is queued for, sorted.
func queued(t *testing.T, pool *pgxpool.Pool, convID string) []string {
	t.Helper()
	var reasons []string
	err := pool.QueryRow(context.Background(), `SELECT coalesce(array_agg(reason ORDER BY reason), '{}') FROM review_samples WHERE conversation_id = $1`, convID).Scan(&reasons)
	if err != nil {
		t.Fatal(err)
	}
	return reasons
}

var testSalt = []byte("test-salt-for-review-sampling-0123456789")

func TestSamplingRules(t *testing.T) {
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	pool := f.DB.Pool
	now := f.Clock.Now()
	idle := now.Add(-31 * time.Minute)
	f.Create(t, "oncall1", clinician.RoleOncall)

	handoff := newConv(t, pool, "resident", idle)
	s := handoff.resident("I have a plan to end it tonight")
	handoff.assess(s, "message", "emergency", []string{"suicide_plan_or_intent"}, nil, ev{"rules", "emergency", "suicide_plan_or_intent", "plan to end it"})
	handoff.handoff(s, "emergency", "resolved", "suicide_plan_or_intent")

	feedback := newConv(t, pool, "nurse", idle)
	feedback.resident("how do I sleep after nights?")
	r := feedback.reply("Try blackout curtains.")
	if err := RecordFeedback(ctx, pool, Feedback{ConversationID: feedback.id, Seq: r, Rating: RatingHarmful, Comment: "felt dismissive"}); err != nil {
		t.Fatal(err)
	}

	withheld := newConv(t, pool, "resident", idle)
	withheld.resident("what dose would be lethal")
	withheld.msg("system", "withheld", "I started to write a reply that didn't meet our safety rules", map[string]any{"withheld": true})

	layerError := newConv(t, pool, "resident", idle)
	s = layerError.resident("rough week")
	layerError.assess(s, "message", "none", nil, []string{"model: timeout"})

	disagree := newConv(t, pool, "fellow", idle)
	s = disagree.resident("sometimes I think everyone would be better off")
	disagree.assess(s, "message", "urgent", []string{"suicidal_ideation"}, nil,
		ev{"rules", "concern", "distress", "better off"}, ev{"model", "urgent", "suicidal_ideation", "everyone would be better off"})

	concern := newConv(t, pool, "student", idle)
	s = concern.resident("I wish I could just not wake up for a while")
	concern.assess(s, "message", "concern", []string{"suicidal_ideation"}, nil, ev{"rules", "concern", "suicidal_ideation", "not wake up"})

	// The learned layer's review band, on a category that is not suicide-adjacent.
	learned := newConv(t, pool, "nurse", idle)
	s = learned.resident("where could someone get oxy without a script")
	learned.assess(s, "message", "concern", []string{"severe_impairment"}, nil, ev{"learned", "concern", "severe_impairment", "oxy, script"})

	// Not uncertain: rules and memory at different levels is history, not disagreement;
	// concern about burnout is not suicide-adjacent.
	plain := newConv(t, pool, "resident", idle)
	s = plain.resident("burned out after this rotation")
	plain.assess(s, "message", "concern", []string{"distress"}, nil, ev{"rules", "concern", "distress", "burned out"}, ev{"memory", "urgent", "suicidal_ideation", ""})

	active := newConv(t, pool, "resident", now.Add(-29*time.Minute)) // not idle yet
	s = active.resident("I want to kill myself")
	active.handoff(s, "emergency", "waiting")

	sampler := NewSampler(pool, f.Audit, SamplingOptions{Now: f.Clock.Now, Salt: testSalt, RandomRate: -1})
	res, err := sampler.SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		handoff.id: {ReasonHandoff}, feedback.id: {ReasonFeedback}, withheld.id: {ReasonWithheld},
		layerError.id: {ReasonUncertain}, disagree.id: {ReasonUncertain}, concern.id: {ReasonUncertain},
		learned.id: {ReasonUncertain}, plain.id: nil, active.id: nil,
	}
	for id, w := range want {
		if got := queued(t, pool, id); !slices.Equal(got, w) {
			t.Errorf("conversation %s queued for %v, want %v", id, got, w)
		}
	}
	if res.Queued[ReasonUncertain] != 4 || res.Total() != 7 {
		t.Errorf("result %+v, want 7 queued, 4 uncertain", res)
	}
	// Priorities: handoff first, then harmful feedback, withheld, uncertain.
	var prios []int
	rows, _ := pool.Query(ctx, `SELECT priority FROM review_items ORDER BY priority DESC, id`)
	for rows.Next() {
		var p int
		_ = rows.Scan(&p)
		prios = append(prios, p)
	}
	if want := []int{PriorityHandoff, PriorityFeedbackHarmful, PriorityWithheld, PriorityUncertain, PriorityUncertain, PriorityUncertain, PriorityUncertain}; !slices.Equal(prios, want) {
		t.Errorf("priorities %v, want %v", prios, want)
	}
	var level string
	if err := pool.QueryRow(ctx, `SELECT level FROM review_items WHERE conversation_id = $1`, handoff.id).Scan(&level); err != nil || level != "emergency" {
		t.Errorf("handoff item level %q (%v), want emergency", level, err)
	}

	// Once idle, the active conversation is queued; nothing is queued twice.
	f.Clock.Advance(2 * time.Minute)
	res, err = sampler.SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() != 1 || res.Queued[ReasonHandoff] != 1 {
		t.Errorf("second run queued %+v, want only the newly idle handoff", res.Queued)
	}
	res, err = sampler.SampleOnce(ctx)
	if err != nil || res.Total() != 0 {
		t.Errorf("third run queued %+v (%v), want nothing", res.Queued, err)
	}
	// A new reason on a conversation with an open item joins that item.
	s = feedback.resident("also I keep thinking about dying")
	feedback.assess(s, "message", "concern", []string{"suicidal_ideation"}, nil)
	feedback.touch(idle)
	if _, err := sampler.SampleOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var items int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT item_id) FROM review_samples WHERE conversation_id = $1`, feedback.id).Scan(&items); err != nil || items != 1 {
		t.Errorf("feedback conversation has %d items (%v), want its two reasons on one item", items, err)
	}
	if got := queued(t, pool, feedback.id); !slices.Equal(got, []string{ReasonFeedback, ReasonUncertain}) {
		t.Errorf("feedback conversation reasons %v", got)
	}
	// The database refuses a second sample for the same reason, whatever the code does.
	_, err = pool.Exec(ctx, `INSERT INTO review_samples (item_id, conversation_id, reason, priority)
		SELECT item_id, conversation_id, reason, priority FROM review_samples WHERE conversation_id = $1 AND reason = 'handoff'`, handoff.id)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("duplicate sample: %v, want a unique violation", err)
	}
	entries, _ := f.Audit.List(ctx, time.Time{}, 100)
	if !slices.ContainsFunc(entries, func(e clinician.AuditEntry) bool { return e.Action == "review.sample" }) {
		t.Error("sampling was not audited")
	}
}

func TestFeedbackValidation(t *testing.T) {
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	c := newConv(t, f.DB.Pool, "resident", f.Clock.Now())
	res := c.resident("hello")
	rep := c.reply("hi")
	other := newConv(t, f.DB.Pool, "resident", f.Clock.Now())
	for _, tc := range []struct {
		name string
		fb   Feedback
		code nightfloat.Code
	}{
		{"resident message", Feedback{ConversationID: c.id, Seq: res, Rating: RatingUnhelpful}, nightfloat.CodeInvalid},
		{"unknown rating", Feedback{ConversationID: c.id, Seq: rep, Rating: "meh"}, nightfloat.CodeInvalid},
		{"no such seq", Feedback{ConversationID: c.id, Seq: 99, Rating: RatingUnhelpful}, nightfloat.CodeNotFound},
		{"other conversation's seq", Feedback{ConversationID: other.id, Seq: rep, Rating: RatingUnhelpful}, nightfloat.CodeNotFound},
		{"long comment", Feedback{ConversationID: c.id, Seq: rep, Rating: RatingUnhelpful, Comment: string(make([]byte, MaxFeedbackComment+1))}, nightfloat.CodeInvalid},
	} {
		if err := RecordFeedback(ctx, f.DB.Pool, tc.fb); nightfloat.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if err := RecordFeedback(ctx, f.DB.Pool, Feedback{ConversationID: c.id, Seq: rep, Rating: RatingUnhelpful, Comment: "meh"}); err != nil {
		t.Fatal(err)
	}
	if err := RecordFeedback(ctx, f.DB.Pool, Feedback{ConversationID: c.id, Seq: rep, Rating: RatingHarmful}); err != nil {
		t.Fatal(err)
	}
	var rating string
	var n int
	_ = f.DB.Pool.QueryRow(ctx, `SELECT max(rating), count(*) FROM review_feedback WHERE conversation_id = $1`, c.id).Scan(&rating, &n)
	if rating != RatingHarmful || n != 1 {
		t.Errorf("after re-rating: %d rows, rating %q; want one harmful", n, rating)
	}
}

func TestRandomSampleIsDeterministicAndCapped(t *testing.T) {
	f := cliniciantest.New(t, clinician.AccountOptions{})
	ctx := context.Background()
	pool := f.DB.Pool
	idle := f.Clock.Now().Add(-time.Hour)
	var ids []string
	for range 80 {
		c := newConv(t, pool, "resident", idle)
		c.resident("just checking in")
		ids = append(ids, c.id)
	}
	silent := newConv(t, pool, "resident", idle) // no resident message: nothing to review

	const rate = 0.3
	var want []string
	for _, id := range ids {
		if SampleFraction(testSalt, "random:"+id) < rate {
			want = append(want, id)
		}
	}
	if len(want) < 10 || len(want) > 40 {
		t.Fatalf("the keyed hash chose %d of 80 at rate %.1f: not uniform", len(want), rate)
	}
	sampler := NewSampler(pool, f.Audit, SamplingOptions{Now: f.Clock.Now, Salt: testSalt, RandomRate: rate, DailyCap: -1})
	res, err := sampler.SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range append(ids, silent.id) {
		if r := queued(t, pool, id); len(r) > 0 {
			if !slices.Equal(r, []string{ReasonRandom}) {
				t.Errorf("%s queued for %v", id, r)
			}
			got = append(got, id)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || res.Queued[ReasonRandom] != len(want) {
		t.Errorf("random sample chose %d conversations (%d reported), want exactly the %d the keyed hash selects", len(got), res.Queued[ReasonRandom], len(want))
	}
	// The same salt gives the same fraction; a different salt a different sample.
	if SampleFraction(testSalt, "random:x") != SampleFraction(testSalt, "random:x") ||
		SampleFraction(testSalt, "random:x") == SampleFraction([]byte("other"), "random:x") {
		t.Error("SampleFraction is not a keyed deterministic function")
	}
	if res, _ := sampler.SampleOnce(ctx); res.Total() != 0 {
		t.Errorf("second run queued %v, want nothing: each conversation is decided once", res.Queued)
	}

	// A daily cap: rate 1 would take all; the cap takes 3 per UTC day.
	g := cliniciantest.New(t, clinician.AccountOptions{})
	for range 10 {
		c := newConv(t, g.DB.Pool, "resident", g.Clock.Now().Add(-time.Hour))
		c.resident("hi")
	}
	capped := NewSampler(g.DB.Pool, g.Audit, SamplingOptions{Now: g.Clock.Now, Salt: testSalt, RandomRate: 1, DailyCap: 3})
	res, err = capped.SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued[ReasonRandom] != 3 || res.Capped != 7 {
		t.Errorf("capped run: %+v, want 3 queued and 7 capped", res)
	}
	// The next day the cap is fresh, but capped conversations were already decided.
	g.Clock.Advance(24 * time.Hour)
	c := newConv(t, g.DB.Pool, "resident", g.Clock.Now().Add(-time.Hour))
	c.resident("new day")
	res, err = capped.SampleOnce(ctx)
	if err != nil || res.Queued[ReasonRandom] != 1 {
		t.Errorf("next day: %+v (%v), want only the new conversation", res, err)
	}
}

func TestSamplerRunStopsWithContext(t *testing.T) {
	f := cliniciantest.New(t, clinician.AccountOptions{})
	c := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	s := c.resident("x")
	c.assess(s, "message", "none", nil, []string{"model failed"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- NewSampler(f.DB.Pool, f.Audit, SamplingOptions{Now: f.Clock.Now, Salt: testSalt}).Run(ctx, 10*time.Millisecond)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(queued(t, f.DB.Pool, c.id)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not sample")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	_ = fmt.Sprint()
}
