package assistant

import (
	"context"
	"fmt"
	"nightfloat"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
	"nightfloat/safety"
)

// The crisis-referral log counts every time a resident was shown crisis resources or
// handed to a clinician, for the annual reports state laws on AI mental-health chat ask
// for. A row names no conversation, message, clinician or time finer than the UTC day
// (migration 009): it is a count, not a record of anyone.

// Referral kinds.
const (
	ReferralHandoff    = "handoff"     // a red flag handed the conversation to a clinician
	ReferralFailClosed = "fail_closed" // a failed turn: the failure notice with resources
	ReferralConcern    = "concern"     // a supportive reply to distress with resources
	ReferralWithheld   = "withheld"    // an unsafe reply replaced by resources
	ReferralClosed     = "closed"      // the AI declined in a closed conversation, with resources
	ReferralUnattended = "unattended"  // nobody joined in time; told where else to turn
	ReferralResolved   = "resolved"    // a clinician closed a handoff with a disposition
)

// ReferralKinds lists the kinds in report order.
func ReferralKinds() []string {
	return []string{ReferralHandoff, ReferralUnattended, ReferralResolved, ReferralConcern, ReferralWithheld, ReferralClosed, ReferralFailClosed}
}

// Referral is one event for the log.
type Referral struct {
	Kind        string
	Level       nightfloat.Level // LevelNone when not assessed
	Categories  []string         // the classifier's categories
	Disposition string           // resolved handoffs only
}

// ReferralCount is one row of the log summed over a period.
type ReferralCount struct {
	Kind        string
	Level       string
	Category    string // sorted, comma-separated categories; "" when none
	Disposition string
	Count       int64
}

func referralCategories(cats []string) string {
	c := slices.Clone(cats)
	slices.Sort(c)
	return strings.Join(slices.Compact(c), ",")
}

func assessmentCategories(a safety.Assessment) []string {
	out := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		out[i] = string(c)
	}
	return out
}

// recordReferral counts one event through q (a transaction, when the event is part of one).
func recordReferral(ctx context.Context, q postgres.Querier, r Referral) error {
	level := "" // stored empty when none or not assessed
	if r.Level != nightfloat.LevelNone {
		level = r.Level.String()
	}
	_, err := q.Exec(ctx, `
		INSERT INTO crisis_referrals (day, kind, level, category, disposition, count)
		VALUES ((now() AT TIME ZONE 'UTC')::date, $1, $2, $3, $4, 1)
		ON CONFLICT (day, kind, level, category, disposition) DO UPDATE SET count = crisis_referrals.count + 1`,
		r.Kind, level, referralCategories(r.Categories), r.Disposition)
	if err != nil {
		return fmt.Errorf("assistant: record crisis referral: %w", err)
	}
	return nil
}

// RecordReferral counts one event.
func (s *Store) RecordReferral(ctx context.Context, r Referral) error {
	return recordReferral(ctx, s.pool, r)
}

// referred counts an event the resident has already seen. A failure to count is logged,
// never shown: the resident got the resources either way.
func (s *Service) referred(ctx context.Context, r Referral) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Store.RecordReferral(wctx, r); err != nil {
		s.Logger.Error("count crisis referral", "kind", r.Kind, "error", err)
	}
}

// ReferralCounts sums the log over the days from..to inclusive.
func (s *Store) ReferralCounts(ctx context.Context, from, to time.Time) ([]ReferralCount, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT kind, level, category, disposition, sum(count)::bigint
		FROM crisis_referrals WHERE day BETWEEN $1::date AND $2::date
		GROUP BY kind, level, category, disposition
		ORDER BY kind, level, category, disposition`, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, unavailable("read crisis referrals", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReferralCount, error) {
		var c ReferralCount
		err := row.Scan(&c.Kind, &c.Level, &c.Category, &c.Disposition, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, unavailable("read crisis referrals", err)
	}
	return out, nil
}
