package insightstest

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// WeekPlan is how many conversations of each role were active in one week, and what they
// showed. Every conversation writes one resident message on the week's Tuesday.
type WeekPlan struct {
	Roles    map[string]int // conversations per role
	Concern  int            // of which assessed at concern (taken in role order)
	Urgent   int            // and at urgent, after the concern ones
	Distress int            // the first this many carry the "distress" category
	Cited    int            // the first this many had a reply citing "Early signs of burnout"
	Pulse    []int          // check-in scores, one per conversation from the first (topic "workload" when the score is 1 or 2)
}

// Month is four weeks of plausible activity with small groups in every table: students
// and attendings stay below any sensible minimum cell, and one week has a lone urgent
// conversation.
func Month() []WeekPlan {
	var plans []WeekPlan
	for w := range 4 {
		pulse := make([]int, 0, 30)
		for i := range 24 + 2*w {
			pulse = append(pulse, 1+(i*7+w)%5)
		}
		plans = append(plans, WeekPlan{
			Roles:    map[string]int{"resident": 34 + 3*w, "fellow": 12, "student": 3, "nurse": 15 - w, "app": 10, "attending": 1 + w%2},
			Concern:  14 + w,
			Urgent:   1 + 5*(w%2), // 1 or 6: below the minimum either way
			Distress: 18 + 2*w,
			Cited:    22,
			Pulse:    pulse,
		})
	}
	return plans
}

// Seed writes plans as the weeks starting at firstMonday (UTC), one week per plan.
func Seed(ctx context.Context, pool *pgxpool.Pool, firstMonday time.Time, plans []WeekPlan) error {
	roles := []string{"resident", "fellow", "student", "nurse", "app", "attending"}
	b := &pgx.Batch{}
	for w, p := range plans {
		at := firstMonday.AddDate(0, 0, 7*w+1).Add(14 * time.Hour)
		i := 0
		for _, role := range roles {
			for range p.Roles[role] {
				level, cats := "none", []string{}
				switch {
				case i < p.Concern:
					level = "concern"
				case i < p.Concern+p.Urgent:
					level = "urgent"
				}
				if i < p.Distress {
					cats = []string{"distress"}
				}
				citations := "[]"
				if i < p.Cited {
					citations = `[{"chunk_id":"c1","doc_id":"early-signs-of-burnout","title":"Early signs of burnout","reviewed_by":"x","reviewed_on":"2026-01-01","status":"reviewed"}]`
				}
				var score, topic any
				if i < len(p.Pulse) {
					score = p.Pulse[i]
					if p.Pulse[i] <= 2 {
						topic = "workload"
					}
				}
				b.Queue(`WITH c AS (
						INSERT INTO conversations (token_hash, role, pseudonym, created_at, last_active_at, next_seq)
						VALUES ('\x00', $1, 'p', $2, $2, 3) RETURNING id),
					m AS (
						INSERT INTO messages (conversation_id, seq, author, body, turn_state, created_at)
						SELECT id, 1, 'resident', 'seeded', 'done', $2 FROM c RETURNING conversation_id),
					r AS (
						INSERT INTO messages (conversation_id, seq, author, body, citations, reply_to, created_at)
						SELECT conversation_id, 2, 'assistant', 'seeded reply', $5::jsonb, 1, $2 FROM m RETURNING conversation_id),
					a AS (
						INSERT INTO assessments (conversation_id, seq, subject, level, categories, version, created_at)
						SELECT conversation_id, 1, 'message', $3, $4, 'seed', $2 FROM r RETURNING conversation_id)
					INSERT INTO pulse_checkins (conversation_id, week, score, topic)
					SELECT conversation_id, $6::date, $7, $8 FROM a WHERE $7::smallint IS NOT NULL`,
					role, at, level, cats, citations, firstMonday.AddDate(0, 0, 7*w), score, topic)
				i++
			}
		}
	}
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insightstest: seed: %w", err)
	}
	return nil
}
