package assistant

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// UsageStore records the model tokens each conversation uses per UTC day (table
// model_usage), for daily limits and cost review. It stores counts only, never text.
type UsageStore struct {
	pool *pgxpool.Pool
}

// NewUsageStore returns a usage store on pool.
func NewUsageStore(pool *pgxpool.Pool) *UsageStore { return &UsageStore{pool: pool} }

// Usage is one model request's tokens.
type Usage struct {
	ConversationID   string
	Day              time.Time // the UTC day it counts towards
	Model            string
	PromptTokens     int
	CompletionTokens int
	Estimated        bool // the server did not report the counts; they were estimated from the text
}

// UsageTotals is the tokens (prompt and completion) used on one day.
type UsageTotals struct {
	Day          int64 // by every conversation
	Conversation int64 // by one conversation
}

// UsageLimits bound model tokens per UTC day; zero means no limit. They are checked before
// each request, so one reply may overshoot a limit by at most its own size.
type UsageLimits struct {
	DailyTokens        int64 // all conversations together
	ConversationTokens int64 // one conversation
}

// UsageDay is the UTC calendar day of t, the unit limits are counted in.
func UsageDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Add counts one request.
func (u *UsageStore) Add(ctx context.Context, r Usage) error {
	estimated := 0
	if r.Estimated {
		estimated = 1
	}
	_, err := u.pool.Exec(ctx, `
		INSERT INTO model_usage (day, conversation_id, model, prompt_tokens, completion_tokens, requests, estimated)
		VALUES ($1, $2, $3, $4, $5, 1, $6)
		ON CONFLICT (day, conversation_id, model) DO UPDATE SET
			prompt_tokens     = model_usage.prompt_tokens + excluded.prompt_tokens,
			completion_tokens = model_usage.completion_tokens + excluded.completion_tokens,
			requests          = model_usage.requests + 1,
			estimated         = model_usage.estimated + excluded.estimated,
			updated_at        = now()`,
		UsageDay(r.Day), r.ConversationID, r.Model, max(r.PromptTokens, 0), max(r.CompletionTokens, 0), estimated)
	if err != nil {
		return unavailable("record model usage", err)
	}
	return nil
}

// Totals returns the tokens used on day, overall and by one conversation.
func (u *UsageStore) Totals(ctx context.Context, day time.Time, convID string) (UsageTotals, error) {
	var t UsageTotals
	err := u.pool.QueryRow(ctx, `
		SELECT coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint,
		       coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE conversation_id = $2), 0)::bigint
		FROM model_usage WHERE day = $1`, UsageDay(day), convID).Scan(&t.Day, &t.Conversation)
	if err != nil {
		return UsageTotals{}, unavailable("read model usage", err)
	}
	return t, nil
}
