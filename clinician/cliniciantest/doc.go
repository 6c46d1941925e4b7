// Package cliniciantest is the one test kit for clinician accounts: a fresh database with an
// audit log, accounts on a settable clock, and helpers to create and sign in clinicians.
// It is for tests only and owns nothing.
package cliniciantest
