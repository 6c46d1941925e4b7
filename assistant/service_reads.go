package assistant

import (
	"context"
	"errors"

	"nightfloat"
	"nightfloat/retrieval"
)

// What the pages and sockets read, and the resident's own requests. Callers authorise
// first: a resident by the conversation's resume token (Resume), a clinician by role and
// need to know. The store itself is not handed out.

// Resume opens the conversation id names when token is its resume token. A wrong token and
// an unknown id give the same error (unauthorized), so ids cannot be probed.
func (s *Service) Resume(ctx context.Context, id, token string) (Conversation, error) {
	return s.store.OpenConversation(ctx, id, token)
}

// DeleteConversation removes a conversation and everything that hangs off it, at the
// resident's request: gone from the database, not hidden.
func (s *Service) DeleteConversation(ctx context.Context, convID string) error {
	return s.store.DeleteConversation(ctx, convID)
}

// Conversation returns a conversation by id.
func (s *Service) Conversation(ctx context.Context, id string) (Conversation, error) {
	return s.store.Conversation(ctx, id)
}

// MessagesAfter returns up to limit of a conversation's messages with seq greater than
// after, in order: what a client that has seen up to after lacks.
func (s *Service) MessagesAfter(ctx context.Context, convID string, after int64, limit int) ([]Message, error) {
	return s.store.After(ctx, convID, after, limit)
}

// Assessments returns every stored safety assessment of a conversation, in message order.
func (s *Service) Assessments(ctx context.Context, convID string) ([]StoredAssessment, error) {
	return s.store.Assessments(ctx, convID)
}

// Handoff returns one handoff (not_found when there is none, as after a deletion).
func (s *Service) Handoff(ctx context.Context, id int64) (Handoff, error) {
	return s.store.Handoff(ctx, id)
}

// CurrentHandoff returns the conversation's open handoff, or else its latest one
// (not_found when it never had one).
func (s *Service) CurrentHandoff(ctx context.Context, convID string) (Handoff, error) {
	return s.store.CurrentHandoff(ctx, convID)
}

// OpenHandoffs lists the handoffs not yet resolved, emergencies first, then oldest first.
func (s *Service) OpenHandoffs(ctx context.Context) ([]Handoff, error) {
	return s.store.OpenHandoffs(ctx)
}

// guideReader is a Retriever that can lay a whole content document out for reading
// (retrieval.Searcher can).
type guideReader interface {
	Guide(ctx context.Context, id string) (retrieval.Guide, error)
}

// Guide returns a vetted content document to read whole, as the chat page links to the
// explanation behind a guided exercise: only what the retriever serves (approved content,
// and drafts where drafts are served). It is not_found otherwise.
func (s *Service) Guide(ctx context.Context, id string) (retrieval.Guide, error) {
	gr, ok := s.retriever.(guideReader)
	if !ok {
		return retrieval.Guide{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such guide")
	}
	g, err := gr.Guide(ctx, id)
	if errors.Is(err, retrieval.ErrNoGuide) {
		return retrieval.Guide{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such guide")
	}
	if err != nil {
		return retrieval.Guide{}, &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: "The guide cannot be read right now.", Err: err}
	}
	return g, nil
}
