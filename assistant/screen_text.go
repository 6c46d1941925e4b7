package assistant

import (
	"context"
	"math"

	"nightfloat"
)

// Screen classifies text a resident wrote outside the chat's turns (a report to leadership)
// as the next message of conv would be, with the conversation's memory and recent turns,
// and stores nothing. The caller acts on the level: a red flag belongs in the conversation,
// where Submit hands it to a clinician. Any failure is an error; the caller fails closed.
func (s *Service) Screen(ctx context.Context, conv Conversation, text string) (nightfloat.Level, error) {
	risk, err := s.store.RiskState(ctx, conv.ID)
	if err != nil {
		return nightfloat.LevelEmergency, err
	}
	history, err := s.store.Recent(ctx, conv.ID, math.MaxInt64, s.opts.HistoryMessages)
	if err != nil {
		return nightfloat.LevelEmergency, err
	}
	a, err := s.assess(ctx, risk.Memory, sinceReset(history, conv.RiskResetSeq), Message{Author: AuthorResident, Body: text})
	if err != nil {
		return nightfloat.LevelEmergency, err
	}
	return a.Level, nil
}
