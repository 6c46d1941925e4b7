package safety

import "context"

// Turn is one earlier turn of the conversation.
type Turn struct {
	Author string // "resident", "assistant", "clinician", "system"
	Text   string
}

// Authors of turns.
const (
	AuthorResident  = "resident"
	AuthorAssistant = "assistant"
	AuthorClinician = "clinician"
	AuthorSystem    = "system"
)

// Layer is one classifier layer. The rules layer is built in; optional layers
// (for example a model) are added with WithLayer. A layer can only raise the
// verdict: its assessment is merged upward into the rules verdict.
type Layer interface {
	Name() string
	Assess(ctx context.Context, history []Turn, message string) (Assessment, error)
}
