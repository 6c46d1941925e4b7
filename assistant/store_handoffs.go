package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"nightfloat"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
	"nightfloat/safety"
)

const selectHandoffs = `
	SELECT h.id, h.conversation_id::text, c.pseudonym, c.role, h.level, h.categories, h.trigger_seq, h.status,
	       coalesce(h.claimed_by, 0), coalesce(h.claimed_by_name, ''), h.claimed_at, h.resolved_at, coalesce(h.disposition, ''),
	       h.alerts, h.last_alert_at, h.unattended_at, h.created_at,
	       h.flood, CASE WHEN h.flood THEN coalesce(c.source_tag, '') ELSE '' END
	FROM handoffs h
	JOIN conversations c ON c.id = h.conversation_id`

func scanHandoffs(rows pgx.Rows, err error) ([]Handoff, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Handoff, error) {
		var h Handoff
		err := row.Scan(&h.ID, &h.ConversationID, &h.Pseudonym, &h.Role, &h.Level, &h.Categories, &h.TriggerSeq, &h.Status,
			&h.ClaimedBy, &h.ClaimedByName, &h.ClaimedAt, &h.ResolvedAt, &h.Disposition,
			&h.Alerts, &h.LastAlertAt, &h.UnattendedAt, &h.CreatedAt,
			&h.Flood, &h.Burst)
		return h, err
	})
}

// openHandoffTx opens a handoff for the conversation, or raises the level of the one already
// open (a handoff never goes down), and announces it.
func openHandoffTx(ctx context.Context, tx pgx.Tx, convID string, seq int64, a safety.Assessment) (int64, error) {
	cats := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		cats[i] = string(c)
	}
	level := a.Level.String()
	var id int64
	err := tx.QueryRow(ctx, `
		UPDATE handoffs SET
			level = CASE WHEN $2 = 'emergency' THEN 'emergency' ELSE level END,
			categories = ARRAY(SELECT DISTINCT unnest(categories || $3::text[]))
		WHERE conversation_id = $1 AND status <> 'resolved'
		RETURNING id`, convID, level, cats).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		var flood bool
		if flood, err = floodingTx(ctx, tx, convID); err == nil {
			err = tx.QueryRow(ctx, `
				INSERT INTO handoffs (conversation_id, level, categories, trigger_seq, flood)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, convID, level, cats, seq, flood).Scan(&id)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("open handoff: %w", err)
	}
	if err := notifyHandoff(ctx, tx, id, convID); err != nil {
		return 0, err
	}
	return id, nil
}

// OpenHandoffs lists the handoffs not yet resolved, emergencies first, then oldest first.
func (s *Store) OpenHandoffs(ctx context.Context) ([]Handoff, error) {
	hs, err := scanHandoffs(s.pool.Query(ctx, selectHandoffs+`
		WHERE h.status <> 'resolved'
		ORDER BY h.level = 'emergency' DESC, h.created_at`))
	if err != nil {
		return nil, unavailable("list handoffs", err)
	}
	return hs, nil
}

// Handoff returns one handoff.
func (s *Store) Handoff(ctx context.Context, id int64) (Handoff, error) {
	hs, err := scanHandoffs(s.pool.Query(ctx, selectHandoffs+` WHERE h.id = $1`, id))
	if err != nil {
		return Handoff{}, unavailable("read handoff", err)
	}
	if len(hs) == 0 {
		return Handoff{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no handoff %d", id)
	}
	return hs[0], nil
}

// CurrentHandoff returns the conversation's open handoff, or else its latest one.
func (s *Store) CurrentHandoff(ctx context.Context, convID string) (Handoff, error) {
	hs, err := scanHandoffs(s.pool.Query(ctx, selectHandoffs+`
		WHERE h.conversation_id = $1 ORDER BY h.status <> 'resolved' DESC, h.id DESC LIMIT 1`, convID))
	if err != nil {
		return Handoff{}, unavailable("read handoff", err)
	}
	if len(hs) == 0 {
		return Handoff{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no handoff in this conversation")
	}
	return hs[0], nil
}

// TxWork is work done inside the transaction of a store change, such as writing the
// change's audit entry, so that the change and that work commit together or not at all.
type TxWork func(ctx context.Context, q postgres.Querier) error

// changeHandoff runs fn in a transaction holding the conversation's and then the handoff's
// row lock (the order every writer takes them in), then also, then announces it.
func (s *Store) changeHandoff(ctx context.Context, id int64, fn func(tx pgx.Tx, h Handoff) error, also ...TxWork) error {
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var convID string
		err := tx.QueryRow(ctx, `SELECT conversation_id::text FROM handoffs WHERE id = $1`, id).Scan(&convID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no handoff %d", id)
		}
		if err != nil {
			return err
		}
		if _, err := lockConversation(ctx, tx, convID); err != nil {
			return err
		}
		hs, err := scanHandoffs(tx.Query(ctx, selectHandoffs+` WHERE h.id = $1 FOR UPDATE OF h`, id))
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no handoff %d", id)
		}
		if err := fn(tx, hs[0]); err != nil {
			return err
		}
		for _, f := range also {
			if err := f(ctx, tx); err != nil {
				return err
			}
		}
		return notifyHandoff(ctx, tx, id, hs[0].ConversationID)
	})
	if err != nil {
		return unavailable("change handoff", err)
	}
	return nil
}

// ClaimHandoff gives a waiting handoff to a clinician and tells the resident a person
// joined; also runs in the same transaction.
func (s *Store) ClaimHandoff(ctx context.Context, id int64, by Clinician, also ...TxWork) error {
	return s.changeHandoff(ctx, id, func(tx pgx.Tx, h Handoff) error {
		if h.Status != HandoffWaiting {
			return nightfloat.Errorf(nightfloat.CodeConflict, "this handoff is already %s", h.Status)
		}
		if _, err := tx.Exec(ctx, `UPDATE handoffs SET status = 'claimed', claimed_by = $2, claimed_by_name = $3, claimed_at = now() WHERE id = $1`,
			id, by.ID, by.Name); err != nil {
			return err
		}
		_, err := appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorSystem, Kind: KindHandoff,
			Body: "A clinician has joined the conversation. From here on you are talking with a person, not the AI."}})
		return err
	}, also...)
}

// ClinicianSay stores a clinician's message in a handoff they hold (a resend of a stored
// client id returns the stored message); also runs in the same transaction.
func (s *Store) ClinicianSay(ctx context.Context, id, clinicianID int64, clientID, body string, also ...TxWork) (Message, error) {
	for what, v := range map[string]string{"message": body, "client_id": clientID} {
		if err := checkStorable(what, v); err != nil {
			return Message{}, err
		}
	}
	var out Message
	err := s.changeHandoff(ctx, id, func(tx pgx.Tx, h Handoff) error {
		if h.Status != HandoffClaimed || h.ClaimedBy != clinicianID {
			return nightfloat.Errorf(nightfloat.CodeConflict, "only the clinician who claimed this handoff can write in it")
		}
		if clientID != "" {
			existing, err := scanMessages(tx.Query(ctx, selectMessages+` WHERE conversation_id = $1 AND client_id = $2`, h.ConversationID, clientID))
			if err != nil {
				return err
			}
			if len(existing) > 0 {
				out = existing[0]
				return nil
			}
		}
		msgs, err := appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorClinician, Kind: KindText, Body: body, ClientID: clientID}})
		if err != nil {
			return err
		}
		out = msgs[0]
		return nil
	}, also...)
	return out, err
}

// ResolveHandoff closes a handoff with a disposition. Only then may the AI answer again,
// and only when the clinician chooses so; otherwise the conversation is closed. also runs
// in the same transaction.
func (s *Store) ResolveHandoff(ctx context.Context, id, clinicianID int64, disposition, note string, reenableAI bool, also ...TxWork) error {
	return s.ResolveHandoffWith(ctx, id, Clinician{ID: clinicianID},
		Resolution{Disposition: disposition, Note: note, ReenableAI: reenableAI}, also...)
}

// Resolution is how a clinician closes a handoff.
type Resolution struct {
	Disposition string
	Note        string
	ReenableAI  bool
	// CheckinAt schedules a check-in with the resident (zero: none): see service_checkins.go.
	CheckinAt time.Time
}

// ResolveHandoffWith is ResolveHandoff with a resolution that may also schedule a
// check-in, stored in the same transaction with a message telling the resident.
func (s *Store) ResolveHandoffWith(ctx context.Context, id int64, by Clinician, r Resolution, also ...TxWork) error {
	if !validDisposition(r.Disposition) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "unknown disposition %q", r.Disposition)
	}
	if err := checkStorable("note", r.Note); err != nil {
		return err
	}
	return s.changeHandoff(ctx, id, func(tx pgx.Tx, h Handoff) error {
		if h.Status != HandoffClaimed || h.ClaimedBy != by.ID {
			return nightfloat.Errorf(nightfloat.CodeConflict, "only the clinician who claimed this handoff can resolve it")
		}
		if _, err := tx.Exec(ctx, `UPDATE handoffs SET status = 'resolved', resolved_at = now(), disposition = $2, note = $3, ai_reenabled = $4 WHERE id = $1`,
			id, r.Disposition, r.Note, r.ReenableAI); err != nil {
			return err
		}
		if err := recordReferral(ctx, tx, Referral{Kind: ReferralResolved, Level: h.Level, Categories: h.Categories, Disposition: r.Disposition}); err != nil {
			return err
		}
		mode, body := ModeClosed, "The clinician has closed this conversation. You can start a new one any time, and people are always there:\n"+
			"• Call or text 988 (Suicide & Crisis Lifeline, 24/7).\n• Text HOME to 741741 (Crisis Text Line).\n• In an emergency, call 911."
		if r.ReenableAI {
			mode, body = ModeAI, "The clinician has handed the conversation back to Nightfloat's AI assistant — not a person. You can ask for a clinician again at any time."
		}
		msgs, err := appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorSystem, Kind: KindHandoff, Body: body}})
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE conversations SET mode = $2, risk_reset_seq = $3 WHERE id = $1`, h.ConversationID, mode, msgs[0].Seq); err != nil {
			return err
		}
		if err := resolveRiskTx(ctx, tx, h.ConversationID, id, r.Disposition, msgs[0].Seq); err != nil {
			return err
		}
		if r.CheckinAt.IsZero() {
			return nil
		}
		return scheduleCheckinTx(ctx, tx, h, by, r.CheckinAt)
	}, also...)
}

// DueForAlert marks waiting handoffs whose last alert is older than every, counting one
// more alert each, and returns them. The update is the claim: on several replicas only one
// re-alerts a given handoff.
func (s *Store) DueForAlert(ctx context.Context, every string) ([]Handoff, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE handoffs SET alerts = alerts + 1, last_alert_at = now()
		WHERE status = 'waiting' AND last_alert_at < now() - $1::interval
		RETURNING id`, every)
	if err != nil {
		return nil, unavailable("re-alert handoffs", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, unavailable("re-alert handoffs", err)
	}
	var out []Handoff
	for _, id := range ids {
		h, err := s.Handoff(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := notifyHandoff(ctx, s.pool, id, h.ConversationID); err != nil {
			return nil, unavailable("re-alert handoffs", err)
		}
		out = append(out, h)
	}
	return out, nil
}

// MarkUnattended tells the resident, once, that no clinician has joined yet, with the
// round-the-clock human options, and keeps the handoff open for the next clinician.
// It returns false when the handoff was already marked, claimed or resolved.
func (s *Store) MarkUnattended(ctx context.Context, id int64, body string) (bool, error) {
	marked := false
	err := s.changeHandoff(ctx, id, func(tx pgx.Tx, h Handoff) error {
		if h.Status != HandoffWaiting || h.UnattendedAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE handoffs SET unattended_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		marked = true
		_, err := appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorSystem, Kind: KindCrisis, Body: body}})
		return err
	})
	return marked, err
}

// UnattendedCandidates lists waiting handoffs not yet marked unattended that are older than age.
func (s *Store) UnattendedCandidates(ctx context.Context, age string) ([]Handoff, error) {
	hs, err := scanHandoffs(s.pool.Query(ctx, selectHandoffs+`
		WHERE h.status = 'waiting' AND h.unattended_at IS NULL AND h.created_at < now() - $1::interval`, age))
	if err != nil {
		return nil, unavailable("list unattended handoffs", err)
	}
	return hs, nil
}

// notifyHandoff announces a new or changed handoff: payload "<handoff id>:<conversation id>".
func notifyHandoff(ctx context.Context, q postgres.Querier, id int64, convID string) error {
	return postgres.Notify(ctx, q, HandoffsChannel, strconv.FormatInt(id, 10)+":"+convID)
}

// StoredAssessment is an assessment as kept with its message.
type StoredAssessment struct {
	Seq        int64           `json:"seq"`
	Subject    string          `json:"subject"`
	Level      string          `json:"level"`
	Categories []string        `json:"categories"`
	Evidence   json.RawMessage `json:"evidence"`
	CSSRS      int             `json:"cssrs,omitempty"`
	Version    string          `json:"version"`
	Errors     []string        `json:"errors,omitempty"`
}

// Assessments returns every stored assessment of a conversation, in message order.
func (s *Store) Assessments(ctx context.Context, convID string) ([]StoredAssessment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT seq, subject, level, categories, evidence, coalesce(cssrs, 0), version, errors
		FROM assessments WHERE conversation_id = $1 ORDER BY seq, id`, convID)
	if err != nil {
		return nil, unavailable("read assessments", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StoredAssessment, error) {
		var a StoredAssessment
		err := row.Scan(&a.Seq, &a.Subject, &a.Level, &a.Categories, &a.Evidence, &a.CSSRS, &a.Version, &a.Errors)
		return a, err
	})
	if err != nil {
		return nil, unavailable("read assessments", err)
	}
	return out, nil
}
