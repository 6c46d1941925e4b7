// Package postgrestest gives each test a fresh, migrated PostgreSQL database.
//
// The server comes from NIGHTFLOAT_TEST_DATABASE_URL or DATABASE_URL (the README's test
// command sets it after starting the project-local cluster). A missing or unreachable
// server fails the test: storage tests never skip silently.
//
// It is for tests only and owns nothing; it may insert fixture rows into any table.
package postgrestest
