package assistant

import (
	"context"
	"strconv"
	"time"

	"nightfloat"
	"nightfloat/internal/tick"
	"nightfloat/postgres"
	"nightfloat/safety"
)

// Follow-up after a handoff. A clinician resolving a handoff may schedule a check-in
// (ResolveWith). When it is due, a message in the conversation asks the resident how they
// are — stored by the check-in watch, or at once when the resident comes back — with a
// one-tap answer: "I'm OK", or "I'd like to talk", which opens a handoff. Devices that
// opted in get a push that carries no text (Notifier). A check-in nobody answered within
// Options.CheckinGrace of its time is listed on the console until a clinician closes it.
//
// The check-in belongs here, with the handoff whose lifecycle it continues: it is
// scheduled in the resolve's transaction and an answer opens a handoff, both of which
// this package owns.

// MaxCheckinAhead is how far ahead a check-in may be scheduled.
const MaxCheckinAhead = 60 * 24 * time.Hour

// Notifier tells a conversation's opted-in devices that something is waiting for them,
// without any text about the person or the conversation (push.Sender is one).
type Notifier interface {
	Notify(ctx context.Context, convID string) error
}

// checkCheckinTime refuses a check-in time that has passed or is too far ahead.
func (s *Service) checkCheckinTime(at time.Time) error {
	now := s.opts.Now()
	switch {
	case !at.After(now):
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the check-in time has already passed; choose a later one")
	case at.After(now.Add(MaxCheckinAhead)):
		return nightfloat.Errorf(nightfloat.CodeInvalid, "a check-in can be at most %d days ahead", int(MaxCheckinAhead.Hours()/24))
	}
	return nil
}

// DeliverCheckins stores the conversation's due check-ins as messages: what a resident
// who comes back finds. Their devices are not also pushed.
func (s *Service) DeliverCheckins(ctx context.Context, convID string) error {
	ks, err := s.store.DeliverDue(ctx, convID, s.opts.Now())
	if err != nil {
		return err
	}
	ids := make([]int64, len(ks))
	for i, k := range ks {
		ids[i] = k.ID
	}
	if len(ids) > 0 {
		_, err = s.store.MarkPushed(ctx, ids)
	}
	return err
}

// RunCheckinWatch delivers due check-ins every interval until ctx ends, and sends each
// conversation's devices their notification once.
func (s *Service) RunCheckinWatch(ctx context.Context, every time.Duration) {
	tick.NowAndEvery(ctx, every, func() {
		if err := s.deliverAndPush(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("deliver check-ins", "error", err)
			s.metrics.DBError("checkin_watch")
		}
	})
}

func (s *Service) deliverAndPush(ctx context.Context) error {
	ks, err := s.store.DeliverDue(ctx, "", s.opts.Now())
	if err != nil || len(ks) == 0 {
		return err
	}
	ids := make([]int64, len(ks))
	byID := map[int64]Checkin{}
	for i, k := range ks {
		ids[i], byID[k.ID] = k.ID, k
		s.logger.Info("check-in delivered", "conversation_id", k.ConversationID, "checkin_id", k.ID)
	}
	claimed, err := s.store.MarkPushed(ctx, ids)
	if err != nil || s.notifier == nil {
		return err
	}
	for _, id := range claimed {
		k := byID[id]
		if err := s.notifier.Notify(ctx, k.ConversationID); err != nil {
			s.logger.Warn("push check-in", "conversation_id", k.ConversationID, "checkin_id", id, "error", err)
		}
	}
	return nil
}

// AnswerCheckin stores the resident's answer to a check-in they were shown ("ok" or
// "talk"); "talk" hands the conversation to a clinician as a red flag does. A resend of a
// stored client id returns the stored answer.
func (s *Service) AnswerCheckin(ctx context.Context, conv Conversation, clientID string, checkinID int64, answer string) (Message, error) {
	if err := checkClientID(clientID); err != nil {
		return Message{}, err
	}
	if answer != CheckinOK && answer != CheckinTalk {
		return Message{}, nightfloat.Errorf(nightfloat.CodeInvalid, "a check-in's answer is %q or %q", CheckinOK, CheckinTalk)
	}
	notice := "Thank you for telling us. I'm connecting you with a clinician now — a person, not the AI. While you wait, you can reach someone right away:\n" +
		s.crisis.Text(safety.Urgent)
	msg, newHandoff, err := s.store.AnswerCheckin(ctx, CheckinReply{ConversationID: conv.ID, ClientID: clientID, CheckinID: checkinID,
		Answer: answer, Notice: notice})
	if err != nil {
		return Message{}, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: conv.ID, Seq: msg.Seq})
	s.logger.Info("check-in answered", "conversation_id", conv.ID, "checkin_id", checkinID, "answer", answer)
	if newHandoff != 0 {
		a := TalkAssessment(msg.Body)
		s.logger.Warn("handoff opened", "conversation_id", conv.ID, "handoff_id", newHandoff, "safety_level", a.Level.String(), "from", "checkin")
		s.referred(ctx, Referral{Kind: ReferralHandoff, Level: a.Level, Categories: assessmentCategories(a)})
		s.afterHandoff(newHandoff)
	}
	return msg, nil
}

// UnansweredCheckins lists the check-ins nobody answered within Options.CheckinGrace of
// their time and no clinician has closed, oldest first: the console's list.
func (s *Service) UnansweredCheckins(ctx context.Context) ([]Checkin, error) {
	return s.store.UnansweredCheckins(ctx, s.opts.Now().Add(-s.opts.CheckinGrace))
}

// CloseCheckin takes an unanswered check-in off the console's list, audited as
// checkin.close in the same transaction.
func (s *Service) CloseCheckin(ctx context.Context, by Clinician, id int64) error {
	target := "checkin:" + strconv.FormatInt(id, 10)
	return s.store.CloseCheckin(ctx, id, by, func(ctx context.Context, q postgres.Querier) error {
		return s.auditTarget(ctx, q, by, "checkin.close", target, nil)
	})
}
