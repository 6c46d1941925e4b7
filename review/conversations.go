package review

import (
	"context"

	"nightfloat/assistant"
	"nightfloat/clinician"
)

// Conversations is what review reads of the conversations it reviews, from their owner
// (assistant.Store is one). review names no table of assistant's.
type Conversations interface {
	Conversation(ctx context.Context, id string) (assistant.Conversation, error)
	Transcript(ctx context.Context, id string) ([]assistant.Message, error)
	Assessments(ctx context.Context, id string) ([]assistant.StoredAssessment, error)
	ConversationHandoffs(ctx context.Context, id string) ([]assistant.Handoff, error)
	ConversationScreens(ctx context.Context, id string) ([]assistant.Screen, error)
	TurnCounts(ctx context.Context, ids []string) (map[string]int, error)
	HandledBy(ctx context.Context, clinicianID int64) ([]string, error)
}

// Reviewers names the clinicians who wrote reviews (clinician.Accounts is one).
type Reviewers interface {
	Get(ctx context.Context, id int64) (clinician.Clinician, error)
}
