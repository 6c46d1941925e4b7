package assistant

import (
	"nightfloat"
	"time"
)

// Handoff statuses.
const (
	HandoffWaiting  = "waiting"
	HandoffClaimed  = "claimed"
	HandoffResolved = "resolved"
)

// Dispositions a clinician resolves a handoff with.
var Dispositions = []string{"safety_plan_made", "referred", "emergency_services", "no_risk_found", "resident_left"}

// HandoffsChannel is the NOTIFY channel announcing a new or changed handoff.
const HandoffsChannel = "nightfloat_handoffs"

// Handoff is a request for a clinician to take a conversation over.
type Handoff struct {
	ID             int64            `json:"id"`
	ConversationID string           `json:"conversation_id"`
	Pseudonym      string           `json:"pseudonym"`
	Role           nightfloat.Role  `json:"role"`
	Level          nightfloat.Level `json:"level"`
	Categories     []string         `json:"categories"`
	TriggerSeq     int64            `json:"trigger_seq"`
	Status         string           `json:"status"`
	ClaimedBy      int64            `json:"claimed_by,omitempty"`
	ClaimedByName  string           `json:"claimed_by_name,omitempty"`
	ClaimedAt      *time.Time       `json:"claimed_at,omitempty"`
	ResolvedAt     *time.Time       `json:"resolved_at,omitempty"`
	Disposition    string           `json:"disposition,omitempty"`
	Alerts         int              `json:"alerts"`
	LastAlertAt    time.Time        `json:"last_alert_at"`
	UnattendedAt   *time.Time       `json:"unattended_at,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	// Flood marks a handoff opened while its source already had FloodOpenHandoffs open:
	// it is opened and claimable like any other, but shown and paged as part of a burst.
	Flood bool `json:"flood"`
	// Burst names the burst a flood handoff belongs to (its source tag); "" otherwise.
	Burst string `json:"burst,omitempty"`
}

// Open reports whether the handoff still needs or has a clinician.
func (h Handoff) Open() bool { return h.Status != HandoffResolved }

func validDisposition(d string) bool {
	for _, x := range Dispositions {
		if x == d {
			return true
		}
	}
	return false
}
