package review

import (
	"context"
	"fmt"
	"time"

	"nightfloat/assistant"
	"nightfloat/screening"
)

// ScreenSummary is one questionnaire of a reviewed conversation as a reviewer reads it:
// the instrument and the version of its wording, the score, band and level, each answer
// against its question, and whether and how a counsellor answered. A screen holds no free
// text; the counsellor's reply is a turn of the transcript and is redacted there.
type ScreenSummary struct {
	Instrument    string // its name, "PHQ-9"
	Version       string
	Complete      bool // scored; an unscored screen was kept because item 9 handed off
	Score         string
	Band          string
	Positive      bool
	Level         string
	Alerts        []int // the numbers of the questions that raised the level by themselves
	Answers       []ScreenAnswer
	TakenAt       time.Time
	HandoffOpened bool
	RepliedAfter  *time.Duration // from the screen to the counsellor's reply; nil while waiting
	ReplySeq      int64
	NextStep      string // the next step the reply suggested, as the console labels it
	Overdue       bool   // waiting past its deadline
	ReAlerts      int
}

// ScreenAnswer is one answer of a screen.
type ScreenAnswer struct {
	Number   int
	Question string
	Answer   string
}

// loadScreens reads a conversation's screens from their owner (assistant) and lays each
// answer beside its published question and option.
func (q *Queue) loadScreens(ctx context.Context, convID string) ([]ScreenSummary, error) {
	screens, err := q.opts.Conversations.ConversationScreens(ctx, convID)
	if err != nil {
		return nil, fmt.Errorf("review: read screens: %w", err)
	}
	out := make([]ScreenSummary, len(screens))
	for i, sc := range screens {
		r := sc.Result
		s := ScreenSummary{Instrument: string(r.Instrument), Version: sc.Version, Complete: sc.Complete, Level: r.Level.String(),
			TakenAt: sc.CreatedAt, HandoffOpened: sc.HandoffID != 0, ReplySeq: sc.ReplySeq, ReAlerts: sc.ReAlerts,
			Overdue: sc.Overdue(q.now())}
		if sc.Complete {
			s.Score, s.Band, s.Positive = fmt.Sprintf("%d / %d", r.Total, r.Max), screening.BandLabel(r.Band), r.Positive
		}
		if in, err := screening.Lookup(r.Instrument); err == nil {
			s.Instrument = in.Name
			for _, it := range in.Items {
				for _, a := range r.Alerts {
					if a == it.ID {
						s.Alerts = append(s.Alerts, it.Number)
					}
				}
				v, ok := r.Answers[it.ID]
				if !ok {
					continue
				}
				ans := ScreenAnswer{Number: it.Number, Question: it.Text, Answer: fmt.Sprint(v)}
				for _, o := range it.Options {
					if o.Value == v {
						ans.Answer = o.Label
					}
				}
				s.Answers = append(s.Answers, ans)
			}
		}
		if sc.RepliedAt != nil {
			d := sc.RepliedAt.Sub(sc.CreatedAt).Round(time.Minute)
			s.RepliedAfter = &d
		}
		for _, n := range assistant.NextSteps {
			if n.Code == sc.NextStep {
				s.NextStep = n.Label
			}
		}
		out[i] = s
	}
	return out, nil
}
