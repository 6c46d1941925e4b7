package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable records which migrations have run.
const versionTable = "schema_version"

// Migrations returns the embedded SQL migrations, named NNN_what.sql.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		// fs.Sub fails only on an invalid path literal, which the embed above rules out.
		panic(fmt.Sprintf("postgres: embedded migrations: %v", err))
	}
	return sub
}

// Migrate applies every pending migration, each in its own transaction. tern holds a
// PostgreSQL advisory lock while it migrates, so replicas starting together do not race:
// the second waits and then finds nothing to do.
func Migrate(ctx context.Context, databaseURL string) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("postgres: migrate: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := m.LoadMigrations(Migrations()); err != nil {
		return fmt.Errorf("postgres: migrate: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Pending reports how many embedded migrations the database has not applied yet.
func Pending(ctx context.Context, q Querier) (int, error) {
	n, err := countMigrations()
	if err != nil {
		return 0, err
	}
	var current int32
	err = q.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&current)
	if err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	return n - int(current), nil
}

func countMigrations() (int, error) {
	entries, err := fs.ReadDir(Migrations(), ".")
	if err != nil {
		return 0, fmt.Errorf("postgres: list migrations: %w", err)
	}
	return len(entries), nil
}
