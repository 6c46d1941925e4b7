package assistant

import (
	"nightfloat"
	"time"
)

// Conversation modes.
const (
	ModeAI    = "ai"    // the assistant answers
	ModeHuman = "human" // a handoff is open: only clinicians write, the AI is silent
	// ModeClosed: a clinician resolved the handoff without handing back to the AI.
	ModeClosed = "closed"
)

// Message authors.
const (
	AuthorResident  = "resident"
	AuthorAssistant = "assistant"
	AuthorClinician = "clinician"
	AuthorSystem    = "system"
)

// Message kinds.
const (
	KindText       = "text"
	KindDisclosure = "disclosure"
	KindCrisis     = "crisis"
	KindHandoff    = "handoff"
	KindError      = "error"
	KindWithheld   = "withheld"
)

// Conversation is one pseudonymous chat. It holds no identity: the resume token (kept only
// as a hash) is the sole key to it.
type Conversation struct {
	ID           string
	Role         nightfloat.Role
	Pseudonym    string
	Mode         string
	LastSeq      int64
	CreatedAt    time.Time
	LastActiveAt time.Time
	DisclosedAt  *time.Time
	// RiskResetSeq is where the classifier's memory of this conversation starts: the
	// seq of the last handoff resolution.
	RiskResetSeq int64
}

// Message is one row of a conversation, in seq order.
type Message struct {
	ConversationID string     `json:"-"`
	Seq            int64      `json:"seq"`
	Author         string     `json:"author"`
	Kind           string     `json:"kind"`
	Body           string     `json:"text"`
	ClientID       string     `json:"client_id,omitempty"`
	ReplyTo        int64      `json:"reply_to,omitempty"`
	Citations      []Citation `json:"citations,omitempty"`
	CreatedAt      time.Time  `json:"at"`
	// Counsellor marks a clinician's message that is a counsellor's reply to the
	// resident's screens, not a message in a handoff.
	Counsellor bool `json:"counsellor,omitempty"`
	// Meta is stored with the row for reviewers (prompt id and version, model, sources);
	// it is never sent to the resident.
	Meta map[string]any `json:"-"`
}

// Citation is a vetted document an assistant reply drew on, as the chat page shows it.
type Citation struct {
	ChunkID    string `json:"chunk_id"`
	DocID      string `json:"doc_id"`
	Title      string `json:"title"`
	Heading    string `json:"heading,omitempty"`
	ReviewedBy string `json:"reviewed_by"`
	ReviewedOn string `json:"reviewed_on"`
	Status     string `json:"status"`
}
