package assistant

import (
	"context"
	"nightfloat"
	"strconv"
	"time"

	"nightfloat/postgres"
)

// A clinician's actions on a handoff: claim it, write in it, resolve it. Each change and
// its audit entry are written in one transaction, so neither is ever stored without the
// other: when the audit log cannot be written, the change does not happen.

// Clinician is who acts on a handoff: the account the handoff records as its holder, and
// the name the audit log gives them (clinician.Clinician's Actor).
type Clinician struct {
	ID    int64
	Name  string // as the console shows the handoff's holder to other clinicians
	Actor string
}

// maxClinicianMessage bounds a clinician's message, in bytes.
const maxClinicianMessage = 8000

// errNotAudited is the answer to an action whose audit entry could not be written.
const errNotAudited = "The action could not be recorded in the audit log."

// Claim gives a waiting handoff to the clinician, tells the resident a person joined and
// audits it as handoff.claim.
func (s *Service) Claim(ctx context.Context, by Clinician, handoffID int64) error {
	return s.store.ClaimHandoff(ctx, handoffID, by, s.auditIn(by, "handoff.claim", handoffID, nil))
}

// Say stores a clinician's message in a handoff they hold and audits it as
// handoff.message. A resend of a stored client id returns the stored message.
func (s *Service) Say(ctx context.Context, by Clinician, handoffID int64, clientID, text string) (Message, error) {
	if text == "" || len(text) > maxClinicianMessage {
		return Message{}, nightfloat.Errorf(nightfloat.CodeInvalid, "a message must have 1 to %d characters", maxClinicianMessage)
	}
	return s.store.ClinicianSay(ctx, handoffID, by.ID, clientID, text, s.auditIn(by, "handoff.message", handoffID, nil))
}

// Resolve closes a handoff the clinician holds with a disposition, handing the
// conversation back to the AI when reenableAI is set and closing it otherwise, and audits
// it as handoff.resolve with the disposition and the choice.
func (s *Service) Resolve(ctx context.Context, by Clinician, handoffID int64, disposition, note string, reenableAI bool) error {
	return s.ResolveWith(ctx, by, handoffID, Resolution{Disposition: disposition, Note: note, ReenableAI: reenableAI})
}

// ResolveWith is Resolve with a resolution that may schedule a check-in with the resident
// (service_checkins.go); the audit entry records when.
func (s *Service) ResolveWith(ctx context.Context, by Clinician, handoffID int64, r Resolution) error {
	detail := map[string]any{"disposition": r.Disposition, "ai_reenabled": r.ReenableAI}
	if !r.CheckinAt.IsZero() {
		if err := s.checkCheckinTime(r.CheckinAt); err != nil {
			return err
		}
		r.CheckinAt = r.CheckinAt.UTC().Truncate(time.Second)
		detail["checkin_at"] = r.CheckinAt.Format(time.RFC3339)
	}
	return s.store.ResolveHandoffWith(ctx, handoffID, by, r, s.auditIn(by, "handoff.resolve", handoffID, detail))
}

// auditIn writes the audit entry of a handoff action inside the action's transaction. A
// failure, or a service built without an auditor, fails the transaction with a message
// that says why nothing was done.
func (s *Service) auditIn(by Clinician, action string, handoffID int64, detail map[string]any) TxWork {
	return s.auditAs(by, action, "handoff:"+strconv.FormatInt(handoffID, 10), detail)
}

// auditAs is auditTarget as work for the action's transaction.
func (s *Service) auditAs(by Clinician, action, target string, detail map[string]any) TxWork {
	return func(ctx context.Context, q postgres.Querier) error {
		return s.auditTarget(ctx, q, by, action, target, detail)
	}
}

// auditTarget writes one audit entry through q (see auditIn).
func (s *Service) auditTarget(ctx context.Context, q postgres.Querier, by Clinician, action, target string, detail map[string]any) error {
	if s.audit == nil {
		return &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: errNotAudited}
	}
	if err := s.audit.RecordIn(ctx, q, by.Actor, action, target, detail); err != nil {
		return &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: errNotAudited, Err: err}
	}
	return nil
}
