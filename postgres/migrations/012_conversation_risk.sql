-- The classifier's memory of a whole conversation (safety.Memory), so that a red flag or a
-- risk signal from any earlier turn counts however long the conversation: the classifier is
-- shown only the last messages, and this row carries the rest. It is written in the same
-- transaction as each assessment of a resident message (assistant/store_risk.go).
CREATE TABLE conversation_risk (
    conversation_id      uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    -- Red flags carried forward: raised by an assessment, never lowered by a later message
    -- (a retraction does not lower it); only a clinician's resolution changes it.
    level                text NOT NULL DEFAULT 'none' CHECK (level IN ('none', 'urgent', 'emergency')),
    categories           text[] NOT NULL DEFAULT '{}',
    cssrs                integer CHECK (cssrs BETWEEN 1 AND 6),
    -- Signals raised by earlier resident messages (hopeless, ideation, means, timing...).
    signals              text[] NOT NULL DEFAULT '{}',
    -- How later signals combine with what came before:
    --   carry:               no resolution yet; red flags carry forward, signals combine.
    --   after_resolution:    a clinician found risk and resolved it (safety plan, referral,
    --                        emergency services): the carried level is cleared, and earlier
    --                        signals still combine with new ones (ideation before, a means
    --                        or a time now, hands off again).
    --   after_no_risk:       a clinician found no risk: level and signals are cleared; new
    --                        signals combine only with each other.
    --   after_resident_left: the resident left before the clinician could conclude: level
    --                        and signals are kept, so the next message reaches a clinician.
    combine              text NOT NULL DEFAULT 'carry'
                         CHECK (combine IN ('carry', 'after_resolution', 'after_no_risk', 'after_resident_left')),
    -- The conversation's risk_reset_seq this row belongs to: an assessment made before a
    -- resolution it did not see does not write over the resolution.
    reset_seq            bigint NOT NULL DEFAULT 0,
    -- What the clinician concluded at the last resolution, and the level it cleared.
    resolved_handoff_id  bigint REFERENCES handoffs (id) ON DELETE SET NULL,
    resolved_disposition text CHECK (resolved_disposition IN ('safety_plan_made', 'referred', 'emergency_services', 'no_risk_found', 'resident_left')),
    resolved_level       text CHECK (resolved_level IN ('none', 'urgent', 'emergency')),
    resolved_at          timestamptz,
    assessed_seq         bigint NOT NULL DEFAULT 0,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
