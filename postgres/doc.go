// Package postgres owns the connection pool, the embedded schema migrations and the
// LISTEN/NOTIFY listener. It is the only place that knows how to reach PostgreSQL.
//
// It owns the schema (the numbered migrations) but no rows: each table
// belongs to the package that writes it (see the README's Structure section). It must not
// import any other package of the module.
package postgres
