-- Screens: a resident's answers to one validated questionnaire (PHQ-9, GAD-7 or the
-- single-item burnout measure; package screening), scored with the published cut-offs and
-- kept with the conversation under its pseudonym. assistant owns the table: a screen is
-- stored in the same transaction as the message that tells the resident the result, the
-- raise of the conversation's risk state and, when PHQ-9 item 9 is answered above "Not at
-- all", the handoff it opens. No free text is stored here; the counsellor's reply is a
-- message of the conversation (reply_seq).
CREATE TABLE screens (
    id              bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- Makes a resend idempotent, like a message's client_id.
    client_id       text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 100),
    instrument      text NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'burnout')),
    -- screening.Instrument.Version: the wording and scoring the answers were given to.
    version         text NOT NULL,
    -- The answers by question id ("phq9_9": 2), only to the instrument's own questions.
    answers         jsonb NOT NULL DEFAULT '{}',
    -- A complete screen is scored; an incomplete one is kept only when an alert question
    -- (item 9) was answered, so that the handoff it opened has its reason on record.
    complete        boolean NOT NULL,
    total           integer,
    band            text,
    positive        boolean,
    level           text NOT NULL CHECK (level IN ('none', 'concern', 'urgent', 'emergency')),
    -- The questions that raised the level by themselves (PHQ-9 item 9).
    alert_items     text[] NOT NULL DEFAULT '{}',
    -- The system message that told the resident the result (and the handoff trigger).
    summary_seq     bigint NOT NULL,
    handoff_id      bigint REFERENCES handoffs (id) ON DELETE SET NULL,
    -- The counsellor's reply: due by reply_due_at (NIGHTFLOAT_SCREEN_REPLY_WITHIN after the
    -- screen, fixed when the resident is told), the message it was delivered as, who wrote
    -- it and the next step it suggested.
    reply_due_at    timestamptz NOT NULL,
    replied_at      timestamptz,
    reply_seq       bigint,
    replied_by      bigint REFERENCES clinicians (id),
    next_step       text CHECK (next_step IN ('peer_support', 'programme_counselling', 'physician_support_line', 'eap', 'appointment')),
    -- Re-alerts sent since the reply fell due.
    realerts        integer NOT NULL DEFAULT 0,
    last_realert_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, client_id),
    FOREIGN KEY (conversation_id, summary_seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE,
    CHECK (complete = (total IS NOT NULL AND band IS NOT NULL AND positive IS NOT NULL)),
    CHECK ((replied_at IS NULL) = (reply_seq IS NULL) AND (replied_at IS NULL) = (replied_by IS NULL)),
    CHECK (next_step IS NULL OR replied_at IS NOT NULL)
);

CREATE INDEX screens_awaiting ON screens (reply_due_at) WHERE replied_at IS NULL;
CREATE INDEX screens_conversation ON screens (conversation_id, id);

-- The conversation's risk state records the highest level a screen reached (concern for a
-- positive screen, urgent for item 9). Like the rest of the row it only rises; the red
-- flag an item-9 answer raises is also carried in level, categories and signals, as a
-- red-flag message's is.
ALTER TABLE conversation_risk ADD COLUMN screen_level text NOT NULL DEFAULT 'none'
    CHECK (screen_level IN ('none', 'concern', 'urgent', 'emergency'));
