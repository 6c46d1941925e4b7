package assistant

import (
	"context"
	"errors"
	"nightfloat"

	"github.com/jackc/pgx/v5"
)

// errConversationChanged refuses a turn's write when the conversation is no longer as the
// turn found it: a clinician resolved its handoff while the turn was being decided, which
// changes both who answers and what the classifier may remember. The turn decides again.
var errConversationChanged = errors.New("assistant: the conversation changed while its turn was being decided")

// lockConversation takes the conversation's row lock and returns it as it now stands.
//
// Every transaction that writes to a conversation and to its handoffs or to several of
// its rows takes this lock first (adding a message takes it anyway, to allocate the seq).
// A clinician's resolve used to lock the handoff and then the conversation (to add its
// notice) while a resident's turn escalating at the same moment locked them the other way
// round; PostgreSQL broke the deadlock by failing one of them. Single-row updates that
// wait on nothing else (renewing a turn's lease, counting a re-alert) need not take it.
// FOR NO KEY UPDATE is the lock an UPDATE of the row takes: it orders writers without
// blocking inserts that merely reference the conversation.
func lockConversation(ctx context.Context, tx pgx.Tx, convID string) (Conversation, error) {
	c := Conversation{}
	err := tx.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1 FOR NO KEY UPDATE`, convID).Scan(c.fields()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nightfloat.Errorf(nightfloat.CodeNotFound, "no such conversation")
	}
	return c, err
}

// expectUnchanged locks the conversation and refuses with errConversationChanged when its
// mode or the start of the classifier's memory differ from what the turn decided on.
func expectUnchanged(ctx context.Context, tx pgx.Tx, on Conversation) error {
	now, err := lockConversation(ctx, tx, on.ID)
	if err != nil {
		return err
	}
	if now.Mode != on.Mode || now.RiskResetSeq != on.RiskResetSeq {
		return errConversationChanged
	}
	return nil
}
