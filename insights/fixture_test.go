package insights_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/clinician"
	"nightfloat/clinician/cliniciantest"
	"nightfloat/review"
)

// Conversations are written with SQL, as the assistant stores them, and review items through
// review's own queue, so that these tests read what the owners really write.

var testSalt = []byte("test-salt-for-insights-sampling-0123456789")

// fixture is a database with clinicians, a review queue and a sampler on the kit's clock.
type fixture struct {
	*cliniciantest.Kit
	q       *review.Queue
	sampler *review.Sampler
}

func newFixture(t *testing.T, opts review.QueueOptions) *fixture {
	t.Helper()
	k := cliniciantest.New(t, clinician.AccountOptions{})
	if opts.Now == nil {
		opts.Now = k.Clock.Now
	}
	if opts.Salt == nil {
		opts.Salt = testSalt
	}
	return &fixture{Kit: k, q: review.NewQueue(k.DB.Pool, k.Audit, opts),
		sampler: review.NewSampler(k.DB.Pool, k.Audit, review.SamplingOptions{Now: k.Clock.Now, Salt: testSalt, RandomRate: -1})}
}

// item queues a conversation (a withheld reply) and returns its review item id.
func (f *fixture) item(t *testing.T, residentText string) int64 {
	t.Helper()
	c := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	c.resident(residentText)
	c.msg("assistant", "text", "That sounds hard. Paced breathing can help.", nil)
	c.msg("system", "withheld", "I started to write a reply that didn't meet our safety rules", map[string]any{"withheld": true})
	if _, err := f.sampler.SampleOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.DB.Pool.QueryRow(context.Background(), `SELECT id FROM review_items WHERE conversation_id = $1`, c.id).Scan(&id); err != nil {
		t.Fatalf("item for %s: %v", c.id, err)
	}
	return id
}

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
		VALUES ('\x00', $1, 'p', $2, $3) RETURNING id::text`, role, lastActive.Add(-10*time.Minute), lastActive).Scan(&id)
	if err != nil {
		t.Fatalf("create conversation: %v", err)
	}
	return &convFixture{t: t, pool: pool, id: id}
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

// handoff opens a handoff on message seq; any status but "waiting" is claimed by the first
// clinician (on-call ones first).
func (c *convFixture) handoff(seq int64, level, status string, categories ...string) {
	c.t.Helper()
	var claimedBy, claimedAt, resolvedAt, disposition any
	if status != "waiting" {
		if err := c.pool.QueryRow(context.Background(), `SELECT id FROM clinicians ORDER BY 'oncall' = ANY(roles) DESC, id LIMIT 1`).Scan(&claimedBy); err != nil {
			c.t.Fatalf("a claimed handoff needs a clinician: %v", err)
		}
		claimedAt = time.Now()
	}
	if status == "resolved" {
		resolvedAt, disposition = time.Now(), "referred"
	}
	if categories == nil {
		categories = []string{}
	}
	_, err := c.pool.Exec(context.Background(), `INSERT INTO handoffs (conversation_id, level, categories, trigger_seq, status, claimed_by, claimed_at, resolved_at, disposition)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.id, level, categories, seq, status, claimedBy, claimedAt, resolvedAt, disposition)
	if err != nil {
		c.t.Fatalf("handoff: %v", err)
	}
}
