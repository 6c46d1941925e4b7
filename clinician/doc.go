// Package clinician owns the people who work in the console and the record of what they
// did: accounts and their permissions (on-call, reviewer, admin, counsellor), console sessions,
// passwords, login throttling, duty presence, and the insert-only audit log. It owns the
// tables clinicians, clinician_sessions, login_attempts and audit_log, and names no other
// table. It must not import assistant, review, web or config; other packages write audit
// entries through Audit.RecordIn, inside their own transactions.
//
// Security properties, each enforced here rather than left to callers:
//
//   - Passwords are hashed with argon2id and stored as PHC strings that carry their own
//     parameters and salt; they are checked for strength on creation. A login for an unknown
//     username costs the same argon2id work as one for a known username.
//   - Session and CSRF tokens are 256-bit random values. Only the SHA-256 of a session token
//     is stored; the token itself exists only in the clinician's cookie.
//   - Every request's session is checked against its expiry, an idle timeout, revocation and
//     the account's disabled flag, in one statement: disabling an account ends its sessions at
//     once.
//   - Logins are throttled per account and per client address, serialized with advisory
//     locks so that parallel guesses cannot slip past the limit.
//   - Every change to an account and every login, success or failure, is written to the
//     audit log in the same transaction as the change. The database refuses UPDATE, DELETE
//     and TRUNCATE on the audit log.
//
// Nothing in this package logs or records a password or a token. The client address is
// used only to throttle clinician logins and is never written to the audit log.
package clinician
