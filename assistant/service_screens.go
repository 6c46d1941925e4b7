package assistant

import (
	"cmp"
	"context"
	"nightfloat"
	"slices"
	"strings"
	"time"

	"nightfloat/internal/tick"
	"nightfloat/safety"
	"nightfloat/screening"
)

// SubmitScreen scores a resident's answers to one questionnaire with screening.Score and
// stores the screen with the message that tells them the result. The screen raises the
// conversation's risk state, and when its level forces a handoff (PHQ-9 item 9 above "Not
// at all") it hands the conversation to a clinician at once, exactly as a red-flag message
// does: the crisis resources to the resident, a page to on-call, and the AI falls silent.
// Everything is committed before SubmitScreen returns, so a returned outcome is an
// acknowledgement; a resend of a stored client id returns the stored screen.
//
// An incomplete or invalid screen is refused (CodeInvalid, saying which questions need an
// answer) unless its answers already force a handoff: then it is kept unscored, with its
// valid answers, and hands off all the same. Safety checks only raise.
func (s *Service) SubmitScreen(ctx context.Context, conv Conversation, clientID string, id screening.ID, answers screening.Responses) (ScreenOutcome, error) {
	switch {
	case clientID == "" || len(clientID) > 100:
		return ScreenOutcome{}, nightfloat.Errorf(nightfloat.CodeInvalid, "each questionnaire needs a client_id of 1 to 100 characters")
	case checkStorable("client_id", clientID) != nil:
		return ScreenOutcome{}, checkStorable("client_id", clientID)
	}
	res, scoreErr := screening.Score(id, answers)
	complete := scoreErr == nil
	if !complete && !res.Level.ForcesHandoff() {
		return ScreenOutcome{}, scoreErr
	}
	in, err := screening.Lookup(id)
	if err != nil {
		return ScreenOutcome{}, err // unreachable: an unknown instrument raises nothing
	}
	if !complete {
		res.Answers = validAnswers(in, answers)
	}
	out, err := s.store.StoreScreen(ctx, conv.ID, screenWrite{
		ClientID: clientID, Version: in.Version(), Result: res, Complete: complete,
		Summary:  screenSummary(in, res, complete, nightfloat.ErrorMessage(scoreErr), s.opts.ScreenReplyWithin),
		NoticeAI: s.crisis.screenHandoffNotice(false), NoticeHuman: s.crisis.screenHandoffNotice(true),
		Within: s.opts.ScreenReplyWithin, PerHour: s.opts.ScreensPerHour,
	})
	if err != nil {
		return ScreenOutcome{}, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: conv.ID, Seq: out.Screen.SummarySeq})
	if out.Duplicate {
		return out, nil
	}
	s.logger.Info("screen stored", "conversation_id", conv.ID, "screen_id", out.Screen.ID, "instrument", string(id),
		"complete", complete, "safety_level", res.Level.String())
	if out.NewHandoff {
		s.logger.Warn("handoff opened", "conversation_id", conv.ID, "handoff_id", out.HandoffID, "safety_level", res.Level.String(),
			"categories", []string{string(safety.SuicidalIdeation)}, "source", "screen")
		s.referred(ctx, Referral{Kind: ReferralHandoff, Level: res.Level, Categories: []string{string(safety.SuicidalIdeation)}})
		s.afterHandoff(out.HandoffID)
	}
	return out, nil
}

// validAnswers keeps the answers to the instrument's own questions that are among their
// options: what an unscored screen stores.
func validAnswers(in screening.Instrument, answers screening.Responses) screening.Responses {
	out := screening.Responses{}
	for _, q := range in.Items {
		v, ok := answers[q.ID]
		if !ok {
			continue
		}
		for _, o := range q.Options {
			if o.Value == v {
				out[q.ID] = v
			}
		}
	}
	return out
}

// ReplyToScreen delivers a counsellor's personal reply as a message of the screen's
// conversation, with the suggested next step's line under it (step "" for none), and marks
// every screen of that conversation still waiting as answered by it. The reply and its
// audit entry (screen.reply) are written in one transaction, or not at all. A screen
// already answered is a conflict. Callers check that by is a counsellor.
func (s *Service) ReplyToScreen(ctx context.Context, by Clinician, screenID int64, text, step string) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxClinicianMessage {
		return Message{}, nightfloat.Errorf(nightfloat.CodeInvalid, "a reply must have 1 to %d characters", maxClinicianMessage)
	}
	if err := checkStorable("reply", text); err != nil {
		return Message{}, err
	}
	next, ok := nextStep(step)
	if !ok {
		return Message{}, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown next step %q", step)
	}
	body := text
	if step != "" {
		body += "\n\n" + next.Text
	}
	audit := func(ids []int64) TxWork {
		return s.auditAs(by, "screen.reply", screenTarget(screenID), map[string]any{"screens": ids, "next_step": step})
	}
	msg, ids, err := s.store.ReplyToScreens(ctx, screenID, by.ID, body, step, audit)
	if err != nil {
		return Message{}, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: msg.ConversationID, Seq: msg.Seq})
	s.logger.Info("counsellor replied to screens", "conversation_id", msg.ConversationID, "screen_id", screenID, "screens", len(ids), "next_step", step)
	return msg, nil
}

// ScreenCase is a conversation whose screens wait for a counsellor's reply: what the
// counsellor's queue shows, with no transcript and nothing but the pseudonym and role of
// who filled them in.
type ScreenCase struct {
	ConversationID string
	Pseudonym      string
	Role           nightfloat.Role
	Screens        []Screen // waiting, oldest first
	Pressing       Screen   // the most pressing of them (screening.Compare)
	DueAt          time.Time
	ReAlerts       int   // the most re-alerts any of them has had
	HandoffID      int64 // a handoff one of them opened (item 9); 0 for none
}

// Overdue reports whether the reply was due before now.
func (c ScreenCase) Overdue(now time.Time) bool { return now.After(c.DueAt) }

// ScreensAwaiting lists the conversations with screens no counsellor has answered, most
// pressing first (screening.Compare of each one's most pressing screen), then the
// earliest deadline.
func (s *Service) ScreensAwaiting(ctx context.Context) ([]ScreenCase, error) {
	screens, err := s.store.ScreensAwaiting(ctx)
	if err != nil {
		return nil, err
	}
	var cases []ScreenCase
	at := map[string]int{}
	for _, sc := range screens {
		i, ok := at[sc.ConversationID]
		if !ok {
			i = len(cases)
			at[sc.ConversationID] = i
			cases = append(cases, ScreenCase{ConversationID: sc.ConversationID, Pseudonym: sc.Pseudonym, Role: sc.Role,
				Pressing: sc, DueAt: sc.ReplyDueAt})
		}
		c := &cases[i]
		c.Screens = append(c.Screens, sc)
		if screening.Compare(sc.Result, c.Pressing.Result) < 0 {
			c.Pressing = sc
		}
		if sc.ReplyDueAt.Before(c.DueAt) {
			c.DueAt = sc.ReplyDueAt
		}
		c.ReAlerts = max(c.ReAlerts, sc.ReAlerts)
		if sc.HandoffID != 0 {
			c.HandoffID = sc.HandoffID
		}
	}
	slices.SortStableFunc(cases, func(a, b ScreenCase) int {
		if c := screening.Compare(a.Pressing.Result, b.Pressing.Result); c != 0 {
			return c
		}
		return cmp.Compare(a.DueAt.UnixNano(), b.DueAt.UnixNano())
	})
	return cases, nil
}

// ConversationScreens returns a conversation's screens, oldest first.
func (s *Service) ConversationScreens(ctx context.Context, convID string) ([]Screen, error) {
	return s.store.ConversationScreens(ctx, convID)
}

// ScreenReplyWithin is how long a counsellor has to answer a screen.
func (s *Service) ScreenReplyWithin() time.Duration { return s.opts.ScreenReplyWithin }

// RunScreenWatch re-alerts every tick the screens whose reply is overdue, again each
// ScreenReAlertEvery until a counsellor answers: a warning in the log and a page through
// the pager, if one is configured. The counsellors' page shows them as overdue.
func (s *Service) RunScreenWatch(ctx context.Context, every time.Duration) {
	tick.Every(ctx, every, func(time.Time) {
		due, err := s.store.ScreensDueForAlert(ctx, s.opts.ScreenReAlertEvery)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("re-alert screens", "error", err)
			s.metrics.DBError("screen_watch")
		}
		for _, sc := range due {
			s.logger.Warn("screen reply overdue; re-alerting", "screen_id", sc.ID, "conversation_id", sc.ConversationID,
				"realerts", sc.ReAlerts, "safety_level", sc.Result.Level.String())
			if s.pager == nil {
				continue
			}
			if err := s.pager.Page(ctx, Page{ScreenID: sc.ID, Level: sc.Result.Level, Alert: sc.ReAlerts, CreatedAt: sc.CreatedAt}); err != nil {
				s.logger.Error("page about an overdue screen", "screen_id", sc.ID, "error", err)
			}
		}
	})
}
