package assistant

import (
	"context"

	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
	"nightfloat/postgres"
	"nightfloat/safety"
	"nightfloat/selfhelp"
)

// FormSave is one save of a resident's form, as the service decided it.
type FormSave struct {
	On       Conversation // the conversation as the save was judged on
	ClientID string
	FormID   int64 // 0: a new exercise, or the conversation's safety plan
	Kept     selfhelp.Kept
	Forms    *selfhelp.Store
	// Since and Limit bound the resident's messages a minute, as for a message.
	Since time.Time
	Limit int
	// Assessment is the verdict on the save's new text; nil when nothing new was judged.
	Assessment *safety.Assessment
	Checked    []string // the paths of the fields judged
	Failed     bool     // the check failed: the save is kept as a failed turn
	Escalate   bool     // a red flag: open (or raise) the conversation's handoff
	// Notices are stored after the save's message, given its seq.
	Notices func(seq int64) []Message
}

// SaveForm stores a form save in one transaction: the form (through in.Forms), a
// resident message of kind form that acknowledges it, its assessment with the risk state
// raised by it, and when in.Escalate the handoff (the conversation goes to a clinician,
// as for a message) with in.Notices. It returns the handoff it opened, 0 when it opened
// none (none needed, or the conversation already had one, which is raised). It is refused
// with errConversationChanged when the conversation is no longer as the save was judged
// on, and with rate_limited past the resident's messages a minute.
func (s *Store) SaveForm(ctx context.Context, in FormSave) (res FormResult, newHandoff int64, err error) {
	convID := in.On.ID
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		if now.Mode != in.On.Mode || now.RiskResetSeq != in.On.RiskResetSeq {
			return errConversationChanged
		}
		if err := checkRate(ctx, tx, convID, in.Since, in.Limit, formRateLimited); err != nil {
			return err
		}
		if res.Form, err = in.Forms.SaveIn(ctx, tx, convID, in.FormID, in.Kept); err != nil {
			return err
		}
		state := TurnDone
		if in.Failed {
			state = TurnFailed
		}
		meta := map[string]any{}
		if len(in.Checked) > 0 {
			meta["checked"] = in.Checked
		}
		res.Message, err = insertResidentRecord(ctx, tx, Message{ConversationID: convID, Author: AuthorResident, Kind: KindForm,
			Body: "Saved my " + selfhelp.Name(in.Kept.Kind) + ".", ClientID: in.ClientID, Meta: meta,
			Form: &FormRef{Kind: string(in.Kept.Kind), ID: res.Form.ID, Action: FormSaved}}, state)
		if err != nil {
			return err
		}
		seq := res.Message.Seq
		if a := in.Assessment; a != nil {
			if err := insertAssessment(ctx, tx, convID, seq, "message", *a); err != nil {
				return err
			}
			if err := raiseRiskTx(ctx, tx, convID, now.RiskResetSeq, seq, *a); err != nil {
				return err
			}
		}
		if in.Escalate {
			res.HandedOff = true
			if _, err := tx.Exec(ctx, `UPDATE conversations SET mode = 'human' WHERE id = $1`, convID); err != nil {
				return err
			}
			id, err := openHandoffTx(ctx, tx, convID, seq, *in.Assessment)
			if err != nil {
				return err
			}
			if now.Mode != ModeHuman {
				newHandoff = id
			}
		}
		if in.Notices != nil {
			_, err = appendTx(ctx, tx, convID, in.Notices(seq))
		}
		return err
	})
	if err != nil {
		return FormResult{}, 0, unavailable("save form", err)
	}
	return res, newHandoff, nil
}

// DeleteForm removes a resident's form for good and stores a resident message of kind
// form that records the deletion (without its text), in one transaction. A resend of a
// stored client id returns the stored message and deletes nothing.
func (s *Store) DeleteForm(ctx context.Context, forms *selfhelp.Store, convID, clientID string, formID int64) (Message, error) {
	var out Message
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockConversation(ctx, tx, convID); err != nil {
			return err
		}
		if m, ok, err := messageByClientIDIn(ctx, tx, convID, clientID); err != nil || ok {
			out = m
			return err
		}
		gone, err := forms.DeleteIn(ctx, tx, convID, formID)
		if err != nil {
			return err
		}
		out, err = insertResidentRecord(ctx, tx, Message{ConversationID: convID, Author: AuthorResident, Kind: KindForm,
			Body: "Deleted my " + selfhelp.Name(gone.Kind) + ".", ClientID: clientID,
			Form: &FormRef{Kind: string(gone.Kind), ID: gone.ID, Action: FormDeleted}}, TurnDone)
		return err
	})
	if err != nil {
		return Message{}, unavailable("delete form", err)
	}
	return out, nil
}

// insertResidentRecord stores a resident message that is not a turn for the AI to answer
// (a form saved or deleted, a check-in answered), in the turn state given.
func insertResidentRecord(ctx context.Context, tx pgx.Tx, m Message, state string) (Message, error) {
	m, err := insertMessage(ctx, tx, m)
	if err != nil {
		return Message{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE messages SET turn_state = $3 WHERE conversation_id = $1 AND seq = $2`, m.ConversationID, m.Seq, state)
	return m, err
}

// formRateLimited is what a save past the resident's messages a minute is told.
const formRateLimited = "You're saving faster than I can keep up with. Please wait a minute; what you wrote is kept on this device and will be sent."

// checkRate refuses a resident's message past limit since the given time, saying why.
func checkRate(ctx context.Context, tx pgx.Tx, convID string, since time.Time, limit int, why string) error {
	var recent int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND author = 'resident' AND created_at > $2`,
		convID, since).Scan(&recent); err != nil {
		return err
	}
	if recent >= limit {
		return &nightfloat.Error{Code: nightfloat.CodeRateLimited, Message: why}
	}
	return nil
}

// MessageByClientID returns the conversation's message with the client id, if any.
func (s *Store) MessageByClientID(ctx context.Context, convID, clientID string) (Message, bool, error) {
	m, ok, err := messageByClientIDIn(ctx, s.pool, convID, clientID)
	if err != nil {
		return Message{}, false, unavailable("read message", err)
	}
	return m, ok, nil
}

func messageByClientIDIn(ctx context.Context, q postgres.Querier, convID, clientID string) (Message, bool, error) {
	msgs, err := scanMessages(q.Query(ctx, selectMessages+` WHERE conversation_id = $1 AND client_id = $2`, convID, clientID))
	if err != nil || len(msgs) == 0 {
		return Message{}, false, err
	}
	return msgs[0], true, nil
}
