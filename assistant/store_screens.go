package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"nightfloat"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat/postgres"
	"nightfloat/screening"
)

// screenWrite is a scored screen ready to store, with the texts the resident is shown.
type screenWrite struct {
	ClientID    string
	Version     string
	Result      screening.Result // Answers holds only the instrument's own, valid answers
	Complete    bool
	Summary     string // the message that tells the resident the result
	NoticeAI    string // the handoff notice when an alert question hands off from the AI...
	NoticeHuman string // ...and when a clinician already has the conversation
	Within      time.Duration
	PerHour     int // screens a conversation may store in an hour, alert screens aside
}

// ScreenOutcome is what storing a screen did.
type ScreenOutcome struct {
	Screen Screen
	// Duplicate is set when the client id was already stored: Screen is the stored screen
	// and nothing else was done.
	Duplicate bool
	// HandoffID is the handoff the screen opened or raised (PHQ-9 item 9); 0 for none.
	HandoffID int64
	// NewHandoff is set when the screen opened the handoff, rather than raising the one a
	// clinician already had open.
	NewHandoff bool
}

const selectScreens = `
	SELECT s.id, s.conversation_id::text, c.pseudonym, c.role, s.instrument, s.version, s.answers, s.complete,
	       coalesce(s.total, 0), coalesce(s.band, ''), coalesce(s.positive, false), s.level, s.alert_items,
	       s.summary_seq, coalesce(s.handoff_id, 0), s.reply_due_at, s.replied_at, coalesce(s.reply_seq, 0),
	       coalesce(s.next_step, ''), s.realerts, s.created_at
	FROM screens s
	JOIN conversations c ON c.id = s.conversation_id`

func scanScreens(rows pgx.Rows, err error) ([]Screen, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Screen, error) {
		var sc Screen
		var answers []byte
		r := &sc.Result
		err := row.Scan(&sc.ID, &sc.ConversationID, &sc.Pseudonym, &sc.Role, &r.Instrument, &sc.Version, &answers, &sc.Complete,
			&r.Total, &r.Band, &r.Positive, &r.Level, &r.Alerts,
			&sc.SummarySeq, &sc.HandoffID, &sc.ReplyDueAt, &sc.RepliedAt, &sc.ReplySeq,
			&sc.NextStep, &sc.ReAlerts, &sc.CreatedAt)
		if err != nil {
			return sc, err
		}
		if err := json.Unmarshal(answers, &r.Answers); err != nil {
			return sc, fmt.Errorf("decode screen answers: %w", err)
		}
		if len(r.Alerts) == 0 {
			r.Alerts = nil
		}
		if in, err := screening.Lookup(r.Instrument); err == nil && sc.Complete {
			r.Min, r.Max = in.MinTotal(), in.MaxTotal()
		}
		return sc, nil
	})
}

// StoreScreen stores a screen with its summary message, raises the conversation's risk
// state with it, and, when its level forces a handoff, hands the conversation to a
// clinician as Escalate does (the AI falls silent, a handoff is opened or the open one
// raised, the notice with crisis resources is stored): all in one transaction, so nothing
// is acknowledged that is not stored. A resend of a stored client id returns the stored
// screen and does nothing else. Beyond PerHour screens an hour a screen is refused
// (rate_limited), unless it hands off: that is never refused.
func (s *Store) StoreScreen(ctx context.Context, convID string, w screenWrite) (ScreenOutcome, error) {
	var out ScreenOutcome
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		now, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		stored, err := scanScreens(tx.Query(ctx, selectScreens+` WHERE s.conversation_id = $1 AND s.client_id = $2`, convID, w.ClientID))
		if err != nil {
			return err
		}
		if len(stored) > 0 {
			out = ScreenOutcome{Screen: stored[0], Duplicate: true, HandoffID: stored[0].HandoffID}
			return nil
		}
		alert := w.Result.Level.ForcesHandoff()
		if !alert {
			var recent int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM screens WHERE conversation_id = $1 AND created_at > now() - interval '1 hour'`,
				convID).Scan(&recent); err != nil {
				return err
			}
			if recent >= w.PerHour {
				return nightfloat.Errorf(nightfloat.CodeRateLimited, "That is a lot of questionnaires in one hour. Please wait a while before the next; your answers are kept on this device.")
			}
		}
		msgs, err := appendTx(ctx, tx, convID, []Message{{Author: AuthorSystem, Kind: KindText, Body: w.Summary,
			Meta: map[string]any{"screen": string(w.Result.Instrument)}}})
		if err != nil {
			return err
		}
		seq := msgs[0].Seq
		if alert {
			if out.HandoffID, err = s.handOffForScreen(ctx, tx, now, seq, w); err != nil {
				return err
			}
			out.NewHandoff = now.Mode != ModeHuman
		}
		if err := raiseScreenLevelTx(ctx, tx, convID, now.RiskResetSeq, w.Result.Level); err != nil {
			return err
		}
		out.Screen, err = insertScreenTx(ctx, tx, convID, seq, out.HandoffID, w)
		return err
	})
	if err != nil {
		return ScreenOutcome{}, unavailable("store screen", err)
	}
	return out, nil
}

// handOffForScreen raises the risk state with the screen's red flag and hands the
// conversation to a clinician, as Escalate does for a message.
func (s *Store) handOffForScreen(ctx context.Context, tx pgx.Tx, now Conversation, seq int64, w screenWrite) (int64, error) {
	a := screenAssessment(w.Result, w.Version)
	if err := raiseRiskTx(ctx, tx, now.ID, now.RiskResetSeq, seq, a); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET mode = 'human' WHERE id = $1`, now.ID); err != nil {
		return 0, err
	}
	id, err := openHandoffTx(ctx, tx, now.ID, seq, a)
	if err != nil {
		return 0, err
	}
	body := w.NoticeAI
	if now.Mode == ModeHuman {
		body = w.NoticeHuman
	}
	_, err = appendTx(ctx, tx, now.ID, []Message{{Author: AuthorSystem, Kind: KindHandoff, Body: body, ReplyTo: seq,
		Meta: map[string]any{"level": a.Level.String(), "categories": a.Categories, "screen": string(w.Result.Instrument)}}})
	return id, err
}

// raiseScreenLevelTx raises the risk state's screen_level to level; it never lowers it.
func raiseScreenLevelTx(ctx context.Context, tx pgx.Tx, convID string, resetSeq int64, level nightfloat.Level) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO conversation_risk (conversation_id, reset_seq, screen_level) VALUES ($1, $2, $3)
		ON CONFLICT (conversation_id) DO UPDATE SET
			screen_level = CASE WHEN array_position($4::text[], EXCLUDED.screen_level) > array_position($4::text[], conversation_risk.screen_level)
				THEN EXCLUDED.screen_level ELSE conversation_risk.screen_level END,
			updated_at = now()`, convID, resetSeq, level.String(), levelNames())
	return err
}

func insertScreenTx(ctx context.Context, tx pgx.Tx, convID string, seq, handoffID int64, w screenWrite) (Screen, error) {
	r := w.Result
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return Screen{}, fmt.Errorf("encode screen answers: %w", err)
	}
	var total *int
	var band *string
	var positive *bool
	if w.Complete {
		total, band, positive = &r.Total, &r.Band, &r.Positive
	}
	var handoff *int64
	if handoffID != 0 {
		handoff = &handoffID
	}
	alerts := r.Alerts
	if alerts == nil {
		alerts = []string{}
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO screens (conversation_id, client_id, instrument, version, answers, complete, total, band, positive,
			level, alert_items, summary_seq, handoff_id, reply_due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now() + $14::interval)
		RETURNING id`,
		convID, w.ClientID, string(r.Instrument), w.Version, answers, w.Complete, total, band, positive,
		r.Level.String(), alerts, seq, handoff, w.Within.String()).Scan(&id); err != nil {
		return Screen{}, fmt.Errorf("insert screen: %w", err)
	}
	got, err := scanScreens(tx.Query(ctx, selectScreens+` WHERE s.id = $1`, id))
	if err != nil || len(got) == 0 {
		return Screen{}, fmt.Errorf("read stored screen: %v", err)
	}
	return got[0], nil
}

// ScreensAwaiting returns every screen no counsellor has answered yet, oldest first.
func (s *Store) ScreensAwaiting(ctx context.Context) ([]Screen, error) {
	out, err := scanScreens(s.pool.Query(ctx, selectScreens+` WHERE s.replied_at IS NULL ORDER BY s.created_at, s.id`))
	if err != nil {
		return nil, unavailable("list screens", err)
	}
	return out, nil
}

// ConversationScreens returns a conversation's screens, oldest first.
func (s *Store) ConversationScreens(ctx context.Context, convID string) ([]Screen, error) {
	if !isUUID(convID) {
		return nil, nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
	}
	out, err := scanScreens(s.pool.Query(ctx, selectScreens+` WHERE s.conversation_id = $1 ORDER BY s.created_at, s.id`, convID))
	if err != nil {
		return nil, unavailable("read screens", err)
	}
	return out, nil
}

// screenTarget names a screen in the audit log.
func screenTarget(id int64) string { return "screen:" + strconv.FormatInt(id, 10) }
