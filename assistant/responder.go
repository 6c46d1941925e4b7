package assistant

import (
	"context"
	"nightfloat"

	"nightfloat/retrieval"
	"nightfloat/safety"
)

// Classifier is the safety check every resident message and every assistant reply passes.
type Classifier interface {
	Assess(ctx context.Context, history []safety.Turn, message string) (safety.Assessment, error)
	CheckReply(ctx context.Context, reply string) (safety.Verdict, error)
}

// Retriever finds vetted content for a role; an empty result means nothing relevant.
type Retriever interface {
	Search(ctx context.Context, role nightfloat.Role, query string, k int) ([]retrieval.Result, error)
}

// Request is what a responder answers.
type Request struct {
	Conversation Conversation
	History      []Message // earlier messages, oldest first
	Message      Message   // the resident message being answered
	Assessment   safety.Assessment
	Sources      []retrieval.Result // vetted content retrieved for this message, best first
	AskedIfHuman bool
}

// Reply is a responder's answer.
type Reply struct {
	Text          string
	Cited         []string // chunk ids of Sources the reply used
	PromptID      string
	PromptVersion string
	Model         string
	// Note is shown after the reply, e.g. that the model was unavailable and the vetted
	// responder answered instead.
	Note string
}

// Responder writes the reply. It streams pieces through emit as it goes; emit returns an
// error when the output check stopped the stream, and the responder must then stop.
type Responder interface {
	Respond(ctx context.Context, req Request, emit func(piece string) error) (Reply, error)
}
