-- Clinician accounts, their console sessions, login throttling and the insert-only audit log.
--
-- Residents have no accounts and none of these tables ever refers to a resident.

CREATE TABLE clinicians (
    id                  bigserial PRIMARY KEY,
    username            text NOT NULL UNIQUE
                        CHECK (username = lower(username) AND username ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
    display_name        text NOT NULL CHECK (length(btrim(display_name)) > 0),
    -- argon2id in PHC form: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash       text NOT NULL,
    -- Roles are explicit: admin does not imply oncall or reviewer.
    roles               text[] NOT NULL DEFAULT '{}'
                        CHECK (roles <@ ARRAY['oncall', 'reviewer', 'admin']::text[]),
    on_duty             boolean NOT NULL DEFAULT false,
    on_duty_since       timestamptz,
    disabled_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (on_duty = (on_duty_since IS NOT NULL))
);

-- A session row is keyed by the SHA-256 of its bearer token; the token itself is never stored.
CREATE TABLE clinician_sessions (
    id           bytea PRIMARY KEY CHECK (length(id) = 32),
    clinician_id bigint NOT NULL REFERENCES clinicians (id),
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);

CREATE INDEX clinician_sessions_clinician ON clinician_sessions (clinician_id) WHERE revoked_at IS NULL;

-- Clinician login attempts, used only to throttle guessing. address is the client IP of a
-- clinician console login; it is never recorded for residents.
-- Retention: throttling looks back 15 minutes only. The application deletes attempts older
-- than 24 hours as logins happen (see review/throttle.go); the audit log, which never holds
-- the address, is the long-term record of logins.
CREATE TABLE login_attempts (
    id       bigserial PRIMARY KEY,
    username text NOT NULL,
    address  text NOT NULL,
    success  boolean NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- Who did what, when. Insert-only: the triggers below refuse UPDATE, DELETE and TRUNCATE for
-- every role that is subject to triggers, so no application path can rewrite history.
-- A deployment should additionally run the application as a separate database role holding
-- only INSERT and SELECT on audit_log (and USAGE on its sequence), so that not even a role that
-- could drop the triggers is available to the service:
--   REVOKE ALL ON audit_log FROM nightfloat_app;
--   GRANT INSERT, SELECT ON audit_log TO nightfloat_app;
--   GRANT USAGE ON SEQUENCE audit_log_id_seq TO nightfloat_app;
CREATE TABLE audit_log (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL CHECK (length(actor) > 0),   -- "clinician:12", "system", "cli"
    action text NOT NULL CHECK (length(action) > 0),
    target text NOT NULL DEFAULT '',
    detail jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is insert-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_insert_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_insert_only();
