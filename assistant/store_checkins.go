package assistant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"nightfloat"
	"nightfloat/postgres"
	"nightfloat/safety"
)

// Checkin is a follow-up a clinician scheduled when resolving a handoff (table checkins).
type Checkin struct {
	ID              int64           `json:"id"`
	ConversationID  string          `json:"-"`
	Pseudonym       string          `json:"pseudonym"`
	Role            nightfloat.Role `json:"role"`
	HandoffID       int64           `json:"handoff_id"`
	DueAt           time.Time       `json:"due_at"`
	ScheduledBy     int64           `json:"scheduled_by"`
	ScheduledByName string          `json:"scheduled_by_name"`
	DeliveredAt     *time.Time      `json:"delivered_at,omitempty"`
	MessageSeq      int64           `json:"-"`
	AnsweredAt      *time.Time      `json:"answered_at,omitempty"`
	Answer          string          `json:"answer,omitempty"`
}

// The resident's answers to a check-in.
const (
	CheckinOK   = "ok"   // "I'm OK"
	CheckinTalk = "talk" // "I'd like to talk": opens a handoff
)

const selectCheckins = `
	SELECT k.id, k.conversation_id::text, c.pseudonym, c.role, k.handoff_id, k.due_at, k.scheduled_by, k.scheduled_by_name,
	       k.delivered_at, coalesce(k.message_seq, 0), k.answered_at, coalesce(k.answer, '')
	FROM checkins k JOIN conversations c ON c.id = k.conversation_id`

func scanCheckins(rows pgx.Rows, err error) ([]Checkin, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Checkin, error) {
		var k Checkin
		err := row.Scan(&k.ID, &k.ConversationID, &k.Pseudonym, &k.Role, &k.HandoffID, &k.DueAt, &k.ScheduledBy, &k.ScheduledByName,
			&k.DeliveredAt, &k.MessageSeq, &k.AnsweredAt, &k.Answer)
		return k, err
	})
}

// scheduleCheckinTx stores a check-in for the handoff being resolved and tells the
// resident, in the resolve's transaction.
func scheduleCheckinTx(ctx context.Context, tx pgx.Tx, h Handoff, by Clinician, at time.Time) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO checkins (conversation_id, handoff_id, due_at, scheduled_by, scheduled_by_name)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, h.ConversationID, h.ID, at, by.ID, by.Name).Scan(&id)
	if err != nil {
		return fmt.Errorf("schedule check-in: %w", err)
	}
	_, err = appendTx(ctx, tx, h.ConversationID, []Message{{Author: AuthorSystem, Kind: KindCheckin, Body: checkinScheduledText,
		Checkin: &CheckinRef{ID: id, DueAt: at, Action: CheckinScheduled}}})
	return err
}

// checkinScheduledText tells the resident a check-in is coming; the page shows its time
// in the resident's own time zone beside it.
const checkinScheduledText = "The clinician would like to check in with you later. When it's time, you'll find a message here asking how you are. " +
	"Come back to this conversation then: it stays on this device unless you delete it or start a new one."

// checkinDueText asks the resident how they are.
const checkinDueText = "Hi — a clinician asked us to check in with you after your last conversation here. How are you doing?"

// DeliverDue stores the message of every check-in that is due and not yet delivered, of
// one conversation (convID) or of all (""), and returns those it delivered. Each is
// delivered in its own transaction and exactly once, however many replicas try.
func (s *Store) DeliverDue(ctx context.Context, convID string, now time.Time) ([]Checkin, error) {
	q := selectCheckins + ` WHERE k.delivered_at IS NULL AND k.due_at <= $1`
	args := []any{now}
	if convID != "" {
		q += ` AND k.conversation_id = $2`
		args = append(args, convID)
	}
	due, err := scanCheckins(s.pool.Query(ctx, q+` ORDER BY k.due_at LIMIT 200`, args...))
	if err != nil {
		return nil, unavailable("find due check-ins", err)
	}
	var out []Checkin
	for _, k := range due {
		ok, err := s.deliver(ctx, &k)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, k)
		}
	}
	return out, nil
}

// deliver stores k's message unless another writer did first.
func (s *Store) deliver(ctx context.Context, k *Checkin) (bool, error) {
	delivered := false
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockConversation(ctx, tx, k.ConversationID); err != nil {
			return err
		}
		var pending bool
		err := tx.QueryRow(ctx, `SELECT delivered_at IS NULL FROM checkins WHERE id = $1 FOR UPDATE`, k.ID).Scan(&pending)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !pending) {
			return nil
		}
		if err != nil {
			return err
		}
		msgs, err := appendTx(ctx, tx, k.ConversationID, []Message{{Author: AuthorSystem, Kind: KindCheckin, Body: checkinDueText,
			Checkin: &CheckinRef{ID: k.ID, DueAt: k.DueAt, Action: CheckinDue}}})
		if err != nil {
			return err
		}
		k.MessageSeq = msgs[0].Seq
		if err := tx.QueryRow(ctx, `UPDATE checkins SET delivered_at = now(), message_seq = $2 WHERE id = $1 RETURNING delivered_at`,
			k.ID, k.MessageSeq).Scan(&k.DeliveredAt); err != nil {
			return err
		}
		delivered = true
		return nil
	})
	if err != nil {
		return false, unavailable("deliver check-in", err)
	}
	return delivered, nil
}

// MarkPushed records that the check-ins' devices were sent their notification (or had
// none), and returns those not marked before: each is pushed once.
func (s *Store) MarkPushed(ctx context.Context, ids []int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `UPDATE checkins SET pushed_at = now() WHERE id = ANY($1) AND pushed_at IS NULL RETURNING id`, ids)
	if err != nil {
		return nil, unavailable("mark check-ins pushed", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, unavailable("mark check-ins pushed", err)
	}
	return out, nil
}

// CheckinReply is a resident's answer to a check-in.
type CheckinReply struct {
	ConversationID string
	ClientID       string
	CheckinID      int64
	Answer         string // CheckinOK or CheckinTalk
	// Notice, for CheckinTalk, is the handoff notice to store after the answer.
	Notice string
}

// AnswerCheckin stores the resident's answer in one transaction: a resident message of
// kind checkin replying to the check-in's message, the answer on the check-in, and for
// CheckinTalk a handoff, exactly as a red flag opens one (the AI falls silent, the notice
// is stored), assessed as a request for a person. It returns the answer's message and the
// handoff it opened (0 when none was opened: an "I'm OK", or a conversation that already
// had one open). A resend of a stored client id returns the stored message.
func (s *Store) AnswerCheckin(ctx context.Context, in CheckinReply) (msg Message, newHandoff int64, err error) {
	convID := in.ConversationID
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		conv, err := lockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		if m, ok, err := messageByClientIDIn(ctx, tx, convID, in.ClientID); err != nil || ok {
			msg = m
			return err
		}
		ks, err := scanCheckins(tx.Query(ctx, selectCheckins+` WHERE k.id = $1 AND k.conversation_id = $2 FOR UPDATE OF k`, in.CheckinID, convID))
		if err != nil {
			return err
		}
		if len(ks) == 0 || ks[0].DeliveredAt == nil {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no such check-in in this conversation")
		}
		k := ks[0]
		if k.AnsweredAt != nil {
			return nightfloat.Errorf(nightfloat.CodeConflict, "You have already answered this check-in.")
		}
		body := "I'm OK."
		if in.Answer == CheckinTalk {
			body = "I'd like to talk to someone."
		}
		msg, err = insertResidentRecord(ctx, tx, Message{ConversationID: convID, Author: AuthorResident, Kind: KindCheckin, Body: body,
			ClientID: in.ClientID, ReplyTo: k.MessageSeq, Checkin: &CheckinRef{ID: k.ID, DueAt: k.DueAt, Action: CheckinAnswer, Answer: in.Answer}}, TurnDone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE checkins SET answered_at = now(), answer = $2 WHERE id = $1`, k.ID, in.Answer); err != nil {
			return err
		}
		if in.Answer != CheckinTalk {
			return nil
		}
		newHandoff, err = talkHandoffTx(ctx, tx, conv, msg, in.Notice)
		return err
	})
	if err != nil {
		return Message{}, 0, unavailable("answer check-in", err)
	}
	return msg, newHandoff, nil
}

// TalkAssessment is how an "I'd like to talk" answer is recorded: a request for a person,
// which is always honoured, as the rules honour one typed in a message.
func TalkAssessment(body string) safety.Assessment {
	return safety.Assessment{Level: safety.Urgent, Categories: []safety.Category{safety.RequestForHuman}, Version: "checkin-v1",
		Evidence: []safety.Evidence{{Layer: "checkin", RuleID: "checkin.talk", Category: safety.RequestForHuman, Level: safety.Urgent,
			Span: body, Start: 0, End: len(body)}}}
}

// talkHandoffTx opens (or raises) the conversation's handoff for a resident who asked to
// talk, with the notice; it returns the handoff when it is new.
func talkHandoffTx(ctx context.Context, tx pgx.Tx, conv Conversation, msg Message, notice string) (int64, error) {
	a := TalkAssessment(msg.Body)
	if err := insertAssessment(ctx, tx, conv.ID, msg.Seq, "message", a); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET mode = 'human' WHERE id = $1`, conv.ID); err != nil {
		return 0, err
	}
	id, err := openHandoffTx(ctx, tx, conv.ID, msg.Seq, a)
	if err != nil {
		return 0, err
	}
	if conv.Mode == ModeHuman {
		return 0, nil
	}
	_, err = appendTx(ctx, tx, conv.ID, []Message{{Author: AuthorSystem, Kind: KindHandoff, Body: notice, ReplyTo: msg.Seq,
		Meta: map[string]any{"level": a.Level.String(), "categories": a.Categories}}})
	return id, err
}

// UnansweredCheckins lists check-ins delivered or due before cutoff that nobody answered
// and no clinician closed, oldest first.
func (s *Store) UnansweredCheckins(ctx context.Context, cutoff time.Time) ([]Checkin, error) {
	ks, err := scanCheckins(s.pool.Query(ctx, selectCheckins+`
		WHERE k.answered_at IS NULL AND k.closed_at IS NULL AND k.due_at < $1 ORDER BY k.due_at, k.id`, cutoff))
	if err != nil {
		return nil, unavailable("list unanswered check-ins", err)
	}
	return ks, nil
}

// CloseCheckin takes an unanswered check-in off the console's list; also runs in the
// same transaction.
func (s *Store) CloseCheckin(ctx context.Context, id int64, by Clinician, also ...TxWork) error {
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE checkins SET closed_at = now(), closed_by_name = $2
			WHERE id = $1 AND answered_at IS NULL AND closed_at IS NULL`, id, by.Name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nightfloat.Errorf(nightfloat.CodeConflict, "this check-in was answered or closed already")
		}
		for _, f := range also {
			if err := f(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return unavailable("close check-in", err)
	}
	return nil
}
