package assistant

import (
	"context"
	"fmt"
	"nightfloat"
	"slices"
	"strings"
	"time"

	"nightfloat/postgres"
	"nightfloat/safety"
)

// The crisis-referral log counts every time a resident was shown crisis resources or
// handed to a clinician, for the annual reports state laws on AI mental-health chat ask
// for. A row names no conversation, message, clinician or time finer than the UTC day
// (migration 009): it is a count, not a record of anyone. This package writes the log;
// insights reads it for the report.

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
	if err := s.store.RecordReferral(wctx, r); err != nil {
		s.logger.Error("count crisis referral", "kind", r.Kind, "error", err)
	}
}
