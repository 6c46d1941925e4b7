-- A check-in a clinician schedules when resolving a handoff (package assistant): at due_at
-- the resident finds a message in the conversation asking how they are, with a one-tap
-- answer, and subscribed devices get a push notification that carries no text. One per
-- handoff; it goes with the conversation.
CREATE TABLE checkins (
    id                bigserial PRIMARY KEY,
    conversation_id   uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    handoff_id        bigint NOT NULL UNIQUE REFERENCES handoffs (id) ON DELETE CASCADE,
    due_at            timestamptz NOT NULL,
    scheduled_by      bigint NOT NULL REFERENCES clinicians (id),
    scheduled_by_name text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- When the check-in message was stored in the conversation, and its seq.
    delivered_at      timestamptz,
    message_seq       bigint,
    -- When subscribed devices were sent a push (or there were none to send to).
    pushed_at         timestamptz,
    -- The resident's answer: ok ("I'm OK") or talk ("I'd like to talk", which opens a handoff).
    answered_at       timestamptz,
    answer            text CHECK (answer IN ('ok', 'talk')),
    -- A clinician took an unanswered check-in off the console's list.
    closed_at         timestamptz,
    closed_by_name    text,
    CHECK ((answered_at IS NULL) = (answer IS NULL)),
    CHECK ((delivered_at IS NULL) = (message_seq IS NULL))
);

CREATE INDEX checkins_undelivered ON checkins (due_at) WHERE delivered_at IS NULL;
CREATE INDEX checkins_unanswered ON checkins (due_at) WHERE answered_at IS NULL AND closed_at IS NULL;
CREATE INDEX checkins_conversation ON checkins (conversation_id);
