package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
	"nightfloat/safety"
	"nightfloat/selfhelp"
)

// Guided forms (package selfhelp): the safety plan a resident keeps, and the thought
// records and activity plans they work through. Every save is a resident message of kind
// form, committed in one transaction with the form before it is acknowledged. Every piece
// of free text in the save that was not in the form before is judged first by the same
// classifier as a message, with the conversation's memory and recent turns, and a red flag
// hands the conversation to a clinician like any message: crisis resources, on-call
// paged, the AI silent. A check that fails still saves the form (nothing typed is lost)
// and fails closed: the resident is told and given crisis resources.

// FormResult is the outcome of a save.
type FormResult struct {
	Message   Message        // the form message: the acknowledgement, with the client id
	Form      selfhelp.Saved // the form as kept (zero on a duplicate whose form is gone)
	Duplicate bool           // a resend of a stored client id: nothing was saved again
	HandedOff bool           // a red flag in it handed the conversation to a clinician
}

// errNoForms answers form requests on a service built without a form store.
var errNoForms = nightfloat.Errorf(nightfloat.CodeUnavailable, "Saving plans and exercises is not set up on this server.")

// SaveForm checks and stores a resident's form: formID 0 saves a new exercise (or the
// conversation's safety plan, of which there is one), another id replaces that form.
func (s *Service) SaveForm(ctx context.Context, conv Conversation, clientID string, formID int64, kind selfhelp.Kind, answers json.RawMessage) (FormResult, error) {
	if err := checkClientID(clientID); err != nil {
		return FormResult{}, err
	}
	if s.forms == nil {
		return FormResult{}, errNoForms
	}
	kept, err := selfhelp.Decode(kind, answers)
	if err != nil {
		return FormResult{}, err
	}
	if res, ok, err := s.formResend(ctx, conv.ID, clientID); err != nil || ok {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.TurnTimeout)
	defer cancel()
	var out formOutcome
	for attempt := 1; ; attempt++ {
		out, err = s.saveForm(ctx, conv.ID, clientID, formID, kept)
		if !errors.Is(err, errConversationChanged) || attempt == 3 {
			break
		}
		s.logger.Info("conversation resolved while a form was checked; checking again", "conversation_id", conv.ID)
	}
	if err != nil {
		return FormResult{}, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: conv.ID, Seq: out.res.Message.Seq})
	s.afterFormSave(ctx, conv.ID, out)
	return out.res, nil
}

// formOutcome is what a stored save led to.
type formOutcome struct {
	res        FormResult
	assessment safety.Assessment
	failed     bool  // the check failed: the failure notice was stored
	newHandoff int64 // the handoff a red flag opened; 0 when none was opened
}

// formResend returns the stored save a resent client id names.
func (s *Service) formResend(ctx context.Context, convID, clientID string) (FormResult, bool, error) {
	msg, ok, err := s.store.MessageByClientID(ctx, convID, clientID)
	if err != nil || !ok {
		return FormResult{}, false, err
	}
	res := FormResult{Message: msg, Duplicate: true}
	if msg.Form != nil && msg.Form.ID != 0 {
		f, err := s.forms.Form(ctx, convID, selfhelp.Kind(msg.Form.Kind), msg.Form.ID)
		if err != nil && nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
			return FormResult{}, false, unavailable("read form", err)
		}
		res.Form = f
	}
	return res, true, nil
}

// saveForm judges the new text of a save on the conversation as it stands and stores the
// outcome.
func (s *Service) saveForm(ctx context.Context, convID, clientID string, formID int64, kept selfhelp.Kept) (formOutcome, error) {
	conv, err := s.store.Conversation(ctx, convID)
	if err != nil {
		return formOutcome{}, err
	}
	before, err := s.formTexts(ctx, convID, kept.Kind, formID)
	if err != nil {
		return formOutcome{}, err
	}
	history, err := s.store.Recent(ctx, convID, conv.LastSeq, s.opts.HistoryMessages)
	if err != nil {
		return formOutcome{}, err
	}
	risk, err := s.store.RiskState(ctx, convID)
	if err != nil {
		return formOutcome{}, err
	}
	var fresh []selfhelp.Field
	for _, f := range kept.Fields {
		if !before[f.Text] {
			fresh = append(fresh, f)
		}
	}
	a, checkErr := s.assessFields(ctx, risk.Memory, sinceReset(history, conv.RiskResetSeq), fresh)
	if checkErr != nil && ctx.Err() != nil {
		// The socket went away or the bound ran out: nothing is saved or acknowledged,
		// and the page sends the form again.
		return formOutcome{}, fmt.Errorf("assistant: check form: %w", checkErr)
	}
	in := FormSave{On: conv, ClientID: clientID, FormID: formID, Kept: kept, Forms: s.forms,
		Since: s.opts.Now().Add(-time.Minute), Limit: s.opts.RateLimitPerMinute}
	switch {
	case checkErr != nil:
		s.logger.Error("form check failed; gave the resident crisis resources", "conversation_id", convID, "form", kept.Kind, "error", checkErr)
		in.Failed = true
		in.Notices = func(int64) []Message {
			return []Message{{Author: AuthorSystem, Kind: KindError, Body: s.formCheckFailed()}}
		}
	case len(fresh) > 0:
		in.Assessment = &a
		in.Checked = fieldPaths(fresh)
		if a.Level.ForcesHandoff() {
			in.Escalate = true
			in.Notices = func(seq int64) []Message { return s.formHandoffNotices(conv, a, seq) }
		}
	}
	res, handoffID, err := s.store.SaveForm(ctx, in)
	if err != nil {
		return formOutcome{}, err
	}
	return formOutcome{res: res, assessment: a, failed: in.Failed, newHandoff: handoffID}, nil
}

// formTexts returns the text already in the form being saved (empty for a new one).
func (s *Service) formTexts(ctx context.Context, convID string, kind selfhelp.Kind, formID int64) (map[string]bool, error) {
	out := map[string]bool{}
	if formID == 0 && kind != selfhelp.KindSafetyPlan {
		return out, nil
	}
	f, err := s.forms.Form(ctx, convID, kind, formID)
	if nightfloat.ErrorCode(err) == nightfloat.CodeNotFound {
		if formID != 0 {
			return nil, err
		}
		return out, nil
	}
	if err != nil {
		return nil, unavailable("read form", err)
	}
	prev, err := selfhelp.Decode(kind, f.Answers)
	if err != nil {
		// A form kept under older rules that no longer pass: judge all of the new one.
		return out, nil
	}
	for _, fl := range prev.Fields {
		out[fl.Text] = true
	}
	return out, nil
}

// assessFields judges each field in turn as the classifier judges a message, with the
// conversation's memory raised by the fields before it, and merges the verdicts: the
// form's verdict is the highest of its fields' (safety.Merge only raises).
func (s *Service) assessFields(ctx context.Context, mem safety.Memory, history []Message, fields []selfhelp.Field) (safety.Assessment, error) {
	var all []safety.Assessment
	for _, f := range fields {
		a, err := s.assess(ctx, mem, history, Message{Body: f.Text})
		if err != nil {
			return safety.Assessment{}, err
		}
		all = append(all, a)
		mem = mem.Remember(a)
	}
	return safety.Merge(all...), nil
}

func fieldPaths(fields []selfhelp.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Path
	}
	return slices.Clip(out)
}

// formHandoffNotices are what a red flag in a form answers with: for someone else in
// danger now, what to do first; then, unless a clinician already has the conversation,
// the handoff notice with crisis resources.
func (s *Service) formHandoffNotices(conv Conversation, a safety.Assessment, seq int64) []Message {
	notices := s.crisis.thirdPartyReplies(a, seq)
	if conv.Mode == ModeHuman {
		return notices
	}
	body := "Something in what you just saved makes me want a person to check in with you, so I'm connecting you with a clinician now — a person, not the AI. " +
		"What you wrote is saved. While you wait, you can reach someone right away:\n" + s.crisis.Text(a.Level)
	return append(notices, Message{Author: AuthorSystem, Kind: KindHandoff, Body: body, ReplyTo: seq,
		Meta: map[string]any{"level": a.Level.String(), "categories": a.Categories}})
}

// formCheckFailed is the notice for a save whose check failed: it is kept, and the
// resident is pointed to people.
func (s *Service) formCheckFailed() string {
	return "Your form is saved, but something went wrong on our side while checking it, so I can't respond to it safely right now. " +
		"If you need someone now, please reach a person:\n" + s.crisis.Text(safety.Concern)
}

// afterFormSave logs, counts and pages what a save led to, once it is committed, as a
// turn does for a message.
func (s *Service) afterFormSave(ctx context.Context, convID string, out formOutcome) {
	if out.res.Duplicate {
		return
	}
	a := out.assessment
	if !out.failed && len(a.Version) > 0 {
		s.metrics.Assessed(a.Level.String())
		s.logger.Info("form assessed", "conversation_id", convID, "seq", out.res.Message.Seq, "safety_level", a.Level.String(), "categories", a.Categories)
	}
	switch {
	case out.failed:
		s.referred(ctx, Referral{Kind: ReferralFailClosed})
	case out.newHandoff != 0:
		s.logger.Warn("handoff opened", "conversation_id", convID, "handoff_id", out.newHandoff, "safety_level", a.Level.String(), "categories", a.Categories, "from", "form")
		s.referred(ctx, Referral{Kind: ReferralHandoff, Level: a.Level, Categories: assessmentCategories(a)})
		s.afterHandoff(out.newHandoff)
	}
}

// Forms returns the conversation's forms, the safety plan first: what the chat page shows
// on every (re)connect.
func (s *Service) Forms(ctx context.Context, convID string) ([]selfhelp.Saved, error) {
	if s.forms == nil {
		return nil, nil
	}
	fs, err := s.forms.Forms(ctx, convID)
	if err != nil {
		return nil, unavailable("read forms", err)
	}
	return fs, nil
}

// DeleteForm removes the resident's form for good, at their request, and records the
// deletion (never the text) as a resident message of kind form. A resend of a stored
// client id deletes nothing again.
func (s *Service) DeleteForm(ctx context.Context, conv Conversation, clientID string, formID int64) (Message, error) {
	if err := checkClientID(clientID); err != nil {
		return Message{}, err
	}
	if s.forms == nil {
		return Message{}, errNoForms
	}
	msg, err := s.store.DeleteForm(ctx, s.forms, conv.ID, clientID, formID)
	if err != nil {
		return Message{}, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: conv.ID, Seq: msg.Seq})
	return msg, nil
}

// OfferForm opens a form in the resident's chat from a handoff the clinician holds: a
// clinician's message of kind form, which the page shows with the form open. It is
// audited as handoff.form_offer in the same transaction.
func (s *Service) OfferForm(ctx context.Context, by Clinician, handoffID int64, kind selfhelp.Kind) error {
	if _, err := selfhelp.Steps(kind); err != nil {
		return err
	}
	body := "I've opened your " + selfhelp.Name(kind) + " so we can work on it together. Fill in what you can — a few words is plenty — and we can talk about any of it here."
	detail := map[string]any{"form": string(kind)}
	return s.store.changeHandoff(ctx, handoffID, func(tx pgx.Tx, h Handoff) error {
		if h.Status != HandoffClaimed || h.ClaimedBy != by.ID {
			return nightfloat.Errorf(nightfloat.CodeConflict, "only the clinician who claimed this handoff can open a form in it")
		}
		_, err := appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorClinician, Kind: KindForm, Body: body,
			Form: &FormRef{Kind: string(kind), Action: FormOffered}}})
		return err
	}, s.auditIn(by, "handoff.form_offer", handoffID, detail))
}
