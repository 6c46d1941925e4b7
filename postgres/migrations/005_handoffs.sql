-- A handoff: a red flag took the conversation away from the AI and asked for a clinician.
-- At most one is open per conversation; a later, higher red flag raises its level.
ALTER TABLE conversations DROP CONSTRAINT conversations_mode_check;
-- closed: a clinician resolved the handoff without giving the conversation back to the AI.
ALTER TABLE conversations ADD CONSTRAINT conversations_mode_check CHECK (mode IN ('ai', 'human', 'closed'));
-- The classifier's conversation memory starts after this seq: a clinician's resolution
-- closes the episode that escalated, so it does not escalate the next message again.
ALTER TABLE conversations ADD COLUMN risk_reset_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE handoffs (
    id              bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    level           text NOT NULL CHECK (level IN ('urgent', 'emergency')),
    categories      text[] NOT NULL DEFAULT '{}',
    trigger_seq     bigint NOT NULL,
    status          text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'claimed', 'resolved')),
    claimed_by      bigint REFERENCES clinicians (id),
    claimed_at      timestamptz,
    resolved_at     timestamptz,
    disposition     text CHECK (disposition IN ('safety_plan_made', 'referred', 'emergency_services', 'no_risk_found', 'resident_left')),
    note            text,
    ai_reenabled    boolean,
    alerts          integer NOT NULL DEFAULT 1,
    last_alert_at   timestamptz NOT NULL DEFAULT now(),
    -- When the resident was told that no clinician has joined yet (and given the
    -- round-the-clock human options directly).
    unattended_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'waiting') = (claimed_by IS NULL)),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND disposition IS NOT NULL))
);

CREATE UNIQUE INDEX handoffs_one_open ON handoffs (conversation_id) WHERE status <> 'resolved';
CREATE INDEX handoffs_open ON handoffs (status, created_at) WHERE status <> 'resolved';
