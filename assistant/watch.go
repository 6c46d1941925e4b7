package assistant

import (
	"context"
	"nightfloat"
	"time"

	"nightfloat/internal/tick"
	"nightfloat/safety"
)

// Roster tells whether any on-call clinician is on duty (clinician.Accounts implements it).
type Roster interface {
	AnyOnDuty(ctx context.Context) (bool, error)
}

// afterHandoff pages and, when nobody is on duty, tells the resident at once. It runs in the
// background: the resident already has the handoff notice and crisis resources.
func (s *Service) afterHandoff(id int64) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.base, 2*time.Minute)
		defer cancel()
		h, err := s.store.Handoff(ctx, id)
		if err != nil {
			s.logger.Error("read new handoff", "handoff_id", id, "error", err)
			return
		}
		s.pageNew(ctx, h)
		if s.roster == nil {
			return
		}
		on, err := s.roster.AnyOnDuty(ctx)
		if err != nil {
			s.logger.Error("check on-duty clinicians", "error", err)
			on = false // fail closed: tell the resident where else to turn
		}
		if !on {
			s.markUnattended(ctx, h, "No clinician is on duty right now.")
		}
	}()
}

// pageNew pages a new handoff. Of a burst of flood handoffs only the oldest open one is
// paged (however the new ones' pages interleave): the clinician knows of the burst from it
// and finds every handoff of it in the console.
func (s *Service) pageNew(ctx context.Context, h Handoff) {
	if !h.Flood {
		s.page(ctx, h, 0)
		return
	}
	first, n, err := s.store.FirstInBurst(ctx, h.Burst)
	if err != nil || first == h.ID {
		s.page(ctx, h, max(n, 1)) // a failed read fails towards paging
		return
	}
	s.logger.Warn("flood handoff not paged separately", "handoff_id", h.ID, "open_in_burst", n)
}

func (s *Service) page(ctx context.Context, h Handoff, burst int) {
	if s.pager == nil {
		return
	}
	err := s.pager.Page(ctx, Page{HandoffID: h.ID, Level: h.Level, Alert: h.Alerts, CreatedAt: h.CreatedAt, Burst: burst})
	if err != nil {
		s.logger.Error("page on-call clinicians", "handoff_id", h.ID, "error", err)
	}
}

// rePage pages the handoffs due for a re-alert, a burst once (its first due handoff,
// with the burst's count) rather than once per handoff.
func (s *Service) rePage(ctx context.Context, due []Handoff) {
	bursts := map[string]int{}
	for _, h := range due {
		if h.Flood {
			bursts[h.Burst]++
		}
	}
	for _, h := range due {
		s.logger.Warn("handoff still unclaimed; re-alerting", "handoff_id", h.ID, "alerts", h.Alerts, "flood", h.Flood)
		if !h.Flood {
			s.page(ctx, h, 0)
			continue
		}
		if n, ok := bursts[h.Burst]; ok {
			delete(bursts, h.Burst)
			s.page(ctx, h, n)
		}
	}
}

func (s *Service) markUnattended(ctx context.Context, h Handoff, why string) {
	level := safety.Urgent
	if h.Level == nightfloat.LevelEmergency {
		level = safety.Emergency
	}
	body := why + " Please reach a person now — they are there around the clock:\n" + s.crisis.Text(level) +
		"\nYour request stays open, and a clinician will join here as soon as one is available."
	marked, err := s.store.MarkUnattended(ctx, h.ID, body)
	if err != nil {
		s.logger.Error("tell the resident no clinician has joined", "handoff_id", h.ID, "error", err)
		return
	}
	if marked {
		s.logger.Warn("handoff unattended; resident given round-the-clock options", "handoff_id", h.ID)
		s.referred(ctx, Referral{Kind: ReferralUnattended, Level: h.Level, Categories: h.Categories})
	}
}

// RunHandoffWatch re-alerts (and re-pages) waiting handoffs every ReAlertAfter, and tells
// the resident honestly when no clinician has claimed one within UnattendedAfter.
func (s *Service) RunHandoffWatch(ctx context.Context, every time.Duration) {
	tick.Every(ctx, every, func(time.Time) {
		due, err := s.store.DueForAlert(ctx, s.opts.ReAlertAfter.String())
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("re-alert handoffs", "error", err)
			s.metrics.DBError("handoff_watch")
		}
		s.rePage(ctx, due)
		s.tellWhenNobodyOnDuty(ctx)
		late, err := s.store.UnattendedCandidates(ctx, s.opts.UnattendedAfter.String())
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("find unattended handoffs", "error", err)
		}
		for _, h := range late {
			s.markUnattended(ctx, h, "No clinician has been able to join yet.")
		}
	})
}

// tellWhenNobodyOnDuty tells the residents of waiting handoffs at once, not after
// UnattendedAfter, when the last clinician on duty has gone (signed out, or closed the
// console and its grace ran out).
func (s *Service) tellWhenNobodyOnDuty(ctx context.Context) {
	if s.roster == nil {
		return
	}
	waiting, err := s.store.UnattendedCandidates(ctx, "0s")
	if err != nil || len(waiting) == 0 {
		return // a failed read is retried on the next tick
	}
	on, err := s.roster.AnyOnDuty(ctx)
	if err != nil {
		s.logger.Error("check on-duty clinicians", "error", err)
		return // the database is failing: nothing could be stored for the resident either
	}
	if on {
		return
	}
	for _, h := range waiting {
		s.markUnattended(ctx, h, "No clinician is on duty right now.")
	}
}

// RosterFunc adapts a function to Roster.
type RosterFunc func(ctx context.Context) (bool, error)

// AnyOnDuty calls f.
func (f RosterFunc) AnyOnDuty(ctx context.Context) (bool, error) { return f(ctx) }
