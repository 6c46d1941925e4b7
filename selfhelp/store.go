package selfhelp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat"
	"nightfloat/postgres"
)

// Saved is a form as stored with a conversation.
type Saved struct {
	ID        int64           `json:"id"`
	Kind      Kind            `json:"kind"`
	Answers   json.RawMessage `json:"answers"`
	Revision  int             `json:"revision"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Store keeps forms in the table selfhelp_forms, under the conversation's id only. The
// conversation's owner (package assistant) calls the ...In methods inside its own
// transaction, so that a form and the message recording its save commit together.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const selectForms = `SELECT id, kind, answers, revision, created_at, updated_at FROM selfhelp_forms`

func scanForms(rows pgx.Rows, err error) ([]Saved, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Saved, error) {
		var f Saved
		err := row.Scan(&f.ID, &f.Kind, &f.Answers, &f.Revision, &f.CreatedAt, &f.UpdatedAt)
		return f, err
	})
}

// Forms returns a conversation's forms, the safety plan first, then oldest first.
func (s *Store) Forms(ctx context.Context, convID string) ([]Saved, error) {
	fs, err := scanForms(s.pool.Query(ctx, selectForms+` WHERE conversation_id = $1 ORDER BY kind <> 'safety_plan', id`, convID))
	if err != nil {
		return nil, fmt.Errorf("selfhelp: read forms: %w", err)
	}
	return fs, nil
}

// FormIn returns the conversation's form id; for the safety plan id may be 0 (there is at
// most one). A form of another conversation is not found, like one that never existed.
func (s *Store) FormIn(ctx context.Context, q postgres.Querier, convID string, k Kind, id int64) (Saved, error) {
	var fs []Saved
	var err error
	if k == KindSafetyPlan && id == 0 {
		fs, err = scanForms(q.Query(ctx, selectForms+` WHERE conversation_id = $1 AND kind = 'safety_plan'`, convID))
	} else {
		fs, err = scanForms(q.Query(ctx, selectForms+` WHERE conversation_id = $1 AND id = $2 AND kind = $3`, convID, id, k))
	}
	if err != nil {
		return Saved{}, fmt.Errorf("selfhelp: read form: %w", err)
	}
	if len(fs) == 0 {
		return Saved{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such %s in this conversation", Name(k))
	}
	return fs[0], nil
}

// SaveIn stores a kept form through q. A safety plan replaces the conversation's plan, if
// it has one; an exercise with id 0 is a new one, and with an id replaces that exercise of
// the conversation (not_found when it has none of that kind with that id).
func (s *Store) SaveIn(ctx context.Context, q postgres.Querier, convID string, id int64, f Kept) (Saved, error) {
	var fs []Saved
	var err error
	switch {
	case f.Kind == KindSafetyPlan:
		fs, err = scanForms(q.Query(ctx, `
			INSERT INTO selfhelp_forms (conversation_id, kind, answers) VALUES ($1, 'safety_plan', $2)
			ON CONFLICT (conversation_id) WHERE kind = 'safety_plan' DO UPDATE
				SET answers = EXCLUDED.answers, revision = selfhelp_forms.revision + 1, updated_at = now()
			RETURNING id, kind, answers, revision, created_at, updated_at`, convID, f.Answers))
	case id == 0:
		fs, err = scanForms(q.Query(ctx, `
			INSERT INTO selfhelp_forms (conversation_id, kind, answers) VALUES ($1, $2, $3)
			RETURNING id, kind, answers, revision, created_at, updated_at`, convID, f.Kind, f.Answers))
	default:
		fs, err = scanForms(q.Query(ctx, `
			UPDATE selfhelp_forms SET answers = $4, revision = revision + 1, updated_at = now()
			WHERE conversation_id = $1 AND id = $2 AND kind = $3
			RETURNING id, kind, answers, revision, created_at, updated_at`, convID, id, f.Kind, f.Answers))
	}
	if err != nil {
		return Saved{}, fmt.Errorf("selfhelp: save %s: %w", f.Kind, err)
	}
	if len(fs) == 0 {
		return Saved{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such %s in this conversation", Name(f.Kind))
	}
	return fs[0], nil
}

// DeleteIn removes the conversation's form id through q, for good, and returns it as it
// was (not_found when the conversation has no such form).
func (s *Store) DeleteIn(ctx context.Context, q postgres.Querier, convID string, id int64) (Saved, error) {
	fs, err := scanForms(q.Query(ctx, `DELETE FROM selfhelp_forms WHERE conversation_id = $1 AND id = $2
		RETURNING id, kind, answers, revision, created_at, updated_at`, convID, id))
	if err != nil {
		return Saved{}, fmt.Errorf("selfhelp: delete form: %w", err)
	}
	if len(fs) == 0 {
		return Saved{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such form in this conversation")
	}
	return fs[0], nil
}

// Form is FormIn on the store's own pool.
func (s *Store) Form(ctx context.Context, convID string, k Kind, id int64) (Saved, error) {
	return s.FormIn(ctx, s.pool, convID, k, id)
}
