package insights

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// DB is what insights reads through: a pool, a connection or a transaction. It offers
// queries only, because insights writes nothing.
type DB interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
