package assistant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"nightfloat"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres"
)

// MessagesChannel is the NOTIFY channel that announces new messages: payload "<conversation id>:<seq>".
const MessagesChannel = "nightfloat_messages"

// Store keeps conversations and messages in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// CreateConversation starts a conversation for role and returns it with its resume token.
func (s *Store) CreateConversation(ctx context.Context, role nightfloat.Role) (Conversation, string, error) {
	return s.CreateConversationFrom(ctx, role, "")
}

// CreateConversationFrom is CreateConversation with the source tag of the network it was
// started from (a keyed hash, never an address; "" for none), used to mark floods.
func (s *Store) CreateConversationFrom(ctx context.Context, role nightfloat.Role, sourceTag string) (Conversation, string, error) {
	if !role.Valid() {
		return Conversation{}, "", nightfloat.Errorf(nightfloat.CodeInvalid, "unknown role %q: want one of %s", role, nightfloat.RoleNames())
	}
	token, err := newToken()
	if err != nil {
		return Conversation{}, "", err
	}
	var c Conversation
	err = s.pool.QueryRow(ctx, `
		INSERT INTO conversations (token_hash, role, pseudonym, source_tag)
		VALUES ($1, $2, $3, NULLIF($4, ''))
		RETURNING `+conversationColumns,
		hashToken(token), role, newPseudonym(), sourceTag,
	).Scan(c.fields()...)
	if err != nil {
		return Conversation{}, "", unavailable("create conversation", err)
	}
	return c, token, nil
}

// OpenConversation returns the conversation id names when token is its resume token. A
// wrong token and an unknown id give the same error, so ids cannot be probed.
func (s *Store) OpenConversation(ctx context.Context, id, token string) (Conversation, error) {
	var c Conversation
	var hash []byte
	if !isUUID(id) {
		return Conversation{}, nightfloat.Errorf(nightfloat.CodeUnauthorized, "this conversation cannot be opened with that token")
	}
	err := s.pool.QueryRow(ctx, `SELECT `+conversationColumns+`, token_hash FROM conversations WHERE id = $1`, id).Scan(append(c.fields(), &hash)...)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && subtle.ConstantTimeCompare(hash, hashToken(token)) != 1) {
		return Conversation{}, nightfloat.Errorf(nightfloat.CodeUnauthorized, "this conversation cannot be opened with that token")
	}
	if err != nil {
		return Conversation{}, unavailable("open conversation", err)
	}
	return c, nil
}

// Conversation returns a conversation by id, for code that has already authorised access.
func (s *Store) Conversation(ctx context.Context, id string) (Conversation, error) {
	var c Conversation
	if !isUUID(id) {
		return Conversation{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
	}
	err := s.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id).Scan(c.fields()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Conversation{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
	}
	if err != nil {
		return Conversation{}, unavailable("read conversation", err)
	}
	return c, nil
}

// isUUID reports whether s is a canonical UUID, so that malformed ids are refused before
// they reach the database, and lookups compare uuids, which the primary key indexes.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

const conversationColumns = `id, role, pseudonym, mode, next_seq, created_at, last_active_at, disclosed_at, risk_reset_seq`

// fields are the scan targets for conversationColumns, in order.
func (c *Conversation) fields() []any {
	return []any{&c.ID, &c.Role, &c.Pseudonym, &c.Mode, &c.LastSeq, &c.CreatedAt, &c.LastActiveAt, &c.DisclosedAt, &c.RiskResetSeq}
}

// AppendResidentLimited stores a resident's message and marks its turn pending, in one
// transaction, before anything acknowledges or processes it. A resend with a client_id
// already stored returns the stored message with duplicate set, and stores nothing. A new
// message beyond limit resident messages since the given time is refused (rate_limited).
func (s *Store) AppendResidentLimited(ctx context.Context, convID, clientID, body string, since time.Time, limit int) (msg Message, duplicate bool, err error) {
	err = postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Locking the conversation row serialises seq allocation and the duplicate check.
		if _, err := lockConversation(ctx, tx, convID); err != nil {
			return err
		}
		existing, err := scanMessages(tx.Query(ctx, selectMessages+` WHERE conversation_id = $1 AND client_id = $2`, convID, clientID))
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			msg, duplicate = existing[0], true
			return nil
		}
		if err := checkRate(ctx, tx, convID, since, limit,
			"You're sending messages faster than I can answer. Please wait a minute; your message is kept and will be sent."); err != nil {
			return err
		}
		msg, err = insertMessage(ctx, tx, Message{ConversationID: convID, Author: AuthorResident, Kind: KindText, Body: body, ClientID: clientID})
		return err
	})
	if err != nil {
		return Message{}, false, unavailable("store message", err)
	}
	return msg, duplicate, nil
}

// Append stores messages written by the service (assistant, system) in order, in one
// transaction, and announces them.
func (s *Store) Append(ctx context.Context, convID string, msgs ...Message) ([]Message, error) {
	var out []Message
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = appendTx(ctx, tx, convID, msgs)
		return err
	})
	if err != nil {
		return nil, unavailable("store reply", err)
	}
	return out, nil
}

func appendTx(ctx context.Context, tx pgx.Tx, convID string, msgs []Message) ([]Message, error) {
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		m.ConversationID = convID
		stored, err := insertMessage(ctx, tx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	return out, nil
}

// insertMessage allocates the next seq and inserts m; the NOTIFY is delivered on commit.
func insertMessage(ctx context.Context, tx pgx.Tx, m Message) (Message, error) {
	var seq int64
	err := tx.QueryRow(ctx, `
		UPDATE conversations SET next_seq = next_seq + 1, last_active_at = now()
		WHERE id = $1 RETURNING next_seq`, m.ConversationID).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
	}
	if err != nil {
		return Message{}, fmt.Errorf("allocate seq: %w", err)
	}
	cites, err := json.Marshal(nonNil(m.Citations))
	if err != nil {
		return Message{}, fmt.Errorf("encode citations: %w", err)
	}
	var turnState *string
	if m.Author == AuthorResident {
		p := "pending"
		turnState = &p
	}
	var clientID *string
	if m.ClientID != "" {
		clientID = &m.ClientID
	}
	var replyTo *int64
	if m.ReplyTo > 0 {
		replyTo = &m.ReplyTo
	}
	meta := map[string]any{}
	for k, v := range m.Meta {
		meta[k] = v
	}
	if m.Form != nil {
		meta["form"] = m.Form
	}
	if m.Checkin != nil {
		meta["checkin"] = m.Checkin
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO messages (conversation_id, seq, author, kind, body, client_id, reply_to, turn_state, citations, meta)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING created_at`,
		m.ConversationID, seq, m.Author, m.Kind, m.Body, clientID, replyTo, turnState, cites, meta,
	).Scan(&m.CreatedAt)
	if err != nil {
		return Message{}, fmt.Errorf("insert message: %w", err)
	}
	m.Seq = seq
	if err := postgres.Notify(ctx, tx, MessagesChannel, fmt.Sprintf("%s:%d", m.ConversationID, seq)); err != nil {
		return Message{}, err
	}
	return m, nil
}

const selectMessages = `SELECT conversation_id::text, seq, author, kind, body, coalesce(client_id, ''), coalesce(reply_to, 0), citations, created_at,
	(meta->'screen_reply') IS NOT NULL AS counsellor,
	meta->'form', meta->'checkin' FROM messages`

// After returns up to limit messages with seq greater than after, in order.
func (s *Store) After(ctx context.Context, convID string, after int64, limit int) ([]Message, error) {
	msgs, err := scanMessages(s.pool.Query(ctx, selectMessages+` WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, convID, after, limit))
	if err != nil {
		return nil, unavailable("read messages", err)
	}
	return msgs, nil
}

// Recent returns the last limit messages up to and including seq, oldest first.
func (s *Store) Recent(ctx context.Context, convID string, upTo int64, limit int) ([]Message, error) {
	msgs, err := scanMessages(s.pool.Query(ctx, `SELECT * FROM (`+selectMessages+
		` WHERE conversation_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT $3) m ORDER BY seq`, convID, upTo, limit))
	if err != nil {
		return nil, unavailable("read history", err)
	}
	return msgs, nil
}

func scanMessages(rows pgx.Rows, err error) ([]Message, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var m Message
		var cites []byte
		err := row.Scan(&m.ConversationID, &m.Seq, &m.Author, &m.Kind, &m.Body, &m.ClientID, &m.ReplyTo, &cites, &m.CreatedAt, &m.Counsellor,
			&m.Form, &m.Checkin)
		if err != nil {
			return m, err
		}
		if len(cites) > 2 {
			if err := json.Unmarshal(cites, &m.Citations); err != nil {
				return m, fmt.Errorf("decode citations: %w", err)
			}
		}
		return m, nil
	})
}

// MarkDisclosed records that the AI disclosure was shown now.
func (s *Store) MarkDisclosed(ctx context.Context, convID string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE conversations SET disclosed_at = now() WHERE id = $1`, convID); err != nil {
		return unavailable("record disclosure", err)
	}
	return nil
}

// unavailable wraps a database failure; a context cancellation stays what it is.
func unavailable(op string, err error) error {
	var e *nightfloat.Error
	if errors.As(err, &e) || errors.Is(err, errConversationChanged) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return &nightfloat.Error{Code: nightfloat.CodeInternal, Message: "Something went wrong saving this conversation.", Err: fmt.Errorf("assistant: %s: %w", op, err)}
	}
	return &nightfloat.Error{Code: nightfloat.CodeUnavailable, Message: "The service cannot reach its database right now.", Err: fmt.Errorf("assistant: %s: %w", op, err)}
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("assistant: make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

var pseudonymWords = []string{
	"Heron", "Kestrel", "Willow", "Cedar", "Otter", "Lark", "Aspen", "Falcon", "Birch", "Wren",
	"Juniper", "Marten", "Plover", "Rowan", "Sparrow", "Tern", "Alder", "Finch", "Hazel", "Linden",
}

// newPseudonym is what clinicians call a conversation: random, never derived from anyone.
func newPseudonym() string {
	w, _ := rand.Int(rand.Reader, big.NewInt(int64(len(pseudonymWords))))
	n, _ := rand.Int(rand.Reader, big.NewInt(9000))
	return fmt.Sprintf("%s-%04d", pseudonymWords[w.Int64()], 1000+n.Int64())
}

func nonNil(c []Citation) []Citation {
	if c == nil {
		return []Citation{}
	}
	return c
}

// DeleteConversation removes a conversation and everything that hangs off it (messages,
// assessments, handoffs, review items): gone from the database, not hidden. Open
// handoffs are announced first so consoles drop them.
func (s *Store) DeleteConversation(ctx context.Context, convID string) error {
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock first, so that a handoff opened by a turn committing just before is seen.
		if _, err := lockConversation(ctx, tx, convID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM handoffs WHERE conversation_id = $1 AND status <> 'resolved'`, convID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM conversations WHERE id = $1`, convID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
		}
		for _, id := range ids {
			if err := notifyHandoff(ctx, tx, id, convID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return unavailable("delete conversation", err)
	}
	return nil
}
