package postgrestest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/postgres"
)

// AdminURL returns the URL of the server tests create databases on.
func AdminURL(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"NIGHTFLOAT_TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	tb.Fatal("postgrestest: no database: run the README's test command (make test), or set DATABASE_URL to a PostgreSQL with pgvector")
	return ""
}

// DB is one test's database.
type DB struct {
	URL  string
	Pool *pgxpool.Pool
}

// New creates a fresh database cloned from a migrated template, opens a pool on it, and
// drops it when the test ends.
func New(tb testing.TB) *DB {
	tb.Helper()
	return NewSeeded(tb, "", nil)
}

// Seed fills a freshly migrated template database once; every test database cloned from
// it starts with that data.
type Seed func(ctx context.Context, pool *pgxpool.Pool) error

// NewSeeded is New with a template that seed has filled. key must change whenever what
// seed writes changes (e.g. a hash of the files it loads): templates are reused by key.
func NewSeeded(tb testing.TB, key string, seed Seed) *DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := AdminURL(tb)
	tmpl, err := ensureTemplate(ctx, admin, key, seed)
	if err != nil {
		tb.Fatalf("postgrestest: template: %v", err)
	}
	name := "nf_test_" + randomHex(8)
	if err := createFromTemplate(ctx, admin, name, tmpl); err != nil {
		tb.Fatalf("postgrestest: create %s: %v", name, err)
	}
	dbURL := withDatabase(tb, admin, name)
	pool, err := postgres.Open(ctx, dbURL, 20)
	if err != nil {
		tb.Fatalf("postgrestest: open %s: %v", name, err)
	}
	tb.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("postgrestest: drop %s: %v", name, err)
		}
	})
	return &DB{URL: dbURL, Pool: pool}
}

// ensureTemplate makes (once per migration set and seed key) a database with every
// migration applied and the seed loaded. Its name carries a hash of both, so a changed
// migration or seed gets a new template.
func ensureTemplate(ctx context.Context, admin, key string, seed Seed) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "nf_template_" + sum[:16]
	if key != "" {
		k := sha256.Sum256([]byte(key))
		name += "_" + hex.EncodeToString(k[:])[:12]
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", redact(admin), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Test binaries of several packages run at once: one builds the template, the others wait.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7243001)"); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7243001)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up template: %w", err)
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop half-built template: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	buildURL := replaceDatabase(admin, building)
	if err := postgres.Migrate(ctx, buildURL); err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if seed != nil {
		pool, err := postgres.Open(ctx, buildURL, 4)
		if err != nil {
			return "", fmt.Errorf("open template: %w", err)
		}
		err = seed(ctx, pool)
		pool.Close()
		if err != nil {
			return "", fmt.Errorf("seed template: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func createFromTemplate(ctx context.Context, admin, name, tmpl string) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = exec(ctx, admin, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		// Two clones of one template at the same instant can see each other as "other users".
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		time.Sleep(time.Duration(50+attempt*50) * time.Millisecond)
	}
	return err
}

func exec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect %s: %w", redact(admin), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(postgres.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(postgres.Migrations(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func withDatabase(tb testing.TB, admin, name string) string {
	tb.Helper()
	u := replaceDatabase(admin, name)
	if u == "" {
		tb.Fatalf("postgrestest: cannot parse database URL %s", redact(admin))
	}
	return u
}

// replaceDatabase swaps the database name in a postgres:// URL.
func replaceDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SetConnections allows or refuses connections to a test database, terminating the open
// ones when refusing: as close to "the database went down" as one shared cluster allows,
// and it touches no other database.
func SetConnections(tb testing.TB, dbURL string, allow bool) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, AdminURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	name := cfg.Database
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %v", pgx.Identifier{name}.Sanitize(), allow)); err != nil {
		tb.Fatal(err)
	}
	if !allow {
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
			tb.Fatal(err)
		}
	}
}
