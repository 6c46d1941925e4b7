package assistant

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"nightfloat"
)

// AuthorAndKind returns who wrote message seq of the conversation and its kind (Author* and
// Kind*), for packages that act on one message without reading the transcript: review lets
// a resident rate only the assistant's replies. It is a CodeNotFound error when the
// conversation has no such message.
func (s *Store) AuthorAndKind(ctx context.Context, convID string, seq int64) (author, kind string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT author, kind FROM messages WHERE conversation_id = $1 AND seq = $2`, convID, seq).Scan(&author, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nightfloat.Errorf(nightfloat.CodeNotFound, "no such message in this conversation")
	}
	if err != nil {
		return "", "", unavailable("read a message's author", err)
	}
	return author, kind, nil
}
