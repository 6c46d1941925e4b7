-- Issue 20: programme insight without exposing anyone.

-- The leadership permission: aggregates and released reports only. The list keeps every
-- permission the code knows (counsellor comes from issue 19), so that migrations adding
-- permissions in either order leave all of them allowed.
ALTER TABLE clinicians DROP CONSTRAINT IF EXISTS clinicians_roles_check;
ALTER TABLE clinicians ADD CONSTRAINT clinicians_roles_check
    CHECK (roles <@ ARRAY['oncall', 'reviewer', 'admin', 'counsellor', 'leadership']::text[]);

-- The weekly pulse: one tap, 1 (struggling) to 5 (doing well), at most once per ISO week
-- per conversation, with an optional topic from a fixed list. It is never shown on its own:
-- only insights reads it, as suppressed weekly aggregates. week is the Monday (UTC) of the
-- ISO week; no time of day is kept.
CREATE TABLE pulse_checkins (
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    week            date NOT NULL CHECK (extract(isodow FROM week) = 1),
    score           smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    topic           text CHECK (topic IN ('workload', 'sleep', 'supervision', 'team', 'personal', 'other')),
    PRIMARY KEY (conversation_id, week)
);

-- Reports to leadership (mistreatment, duty hours, unsafe staffing). Stored redacted only,
-- and with no link to the conversation that sent them. They wait unreleased (batch_id NULL)
-- until a batch holds enough of them and each has waited the configured delay; leadership
-- then sees the batch's time, never a submission time.
CREATE TABLE leadership_report_batches (
    id          bigserial PRIMARY KEY,
    released_at timestamptz NOT NULL
);

CREATE TABLE leadership_reports (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('mistreatment', 'duty_hours', 'unsafe_staffing')),
    body         text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    batch_id     bigint REFERENCES leadership_report_batches (id) ON DELETE CASCADE
);

CREATE INDEX leadership_reports_waiting ON leadership_reports (submitted_at) WHERE batch_id IS NULL;
