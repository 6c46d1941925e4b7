-- Conversations are pseudonymous: no account, IP address, user agent or name is stored.
-- Whoever holds the resume token (stored only as its SHA-256) may read a conversation.
CREATE TABLE conversations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash     bytea NOT NULL,
    role           text NOT NULL CHECK (role IN ('resident', 'fellow', 'student', 'nurse', 'app', 'attending')),
    pseudonym      text NOT NULL,
    -- ai: the assistant answers; human: a clinician handoff is open and the AI is silent.
    mode           text NOT NULL DEFAULT 'ai' CHECK (mode IN ('ai', 'human')),
    next_seq       bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_active_at timestamptz NOT NULL DEFAULT now(),
    disclosed_at   timestamptz
);

-- Every frame a person sees is a row here, numbered per conversation by seq.
CREATE TABLE messages (
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    author          text NOT NULL CHECK (author IN ('resident', 'assistant', 'clinician', 'system')),
    -- text: ordinary; disclosure: "this is an AI"; crisis: crisis resources; handoff: handoff notice;
    -- error: a visible failure; withheld: an assistant reply replaced by the safe message.
    kind            text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'disclosure', 'crisis', 'handoff', 'error', 'withheld')),
    body            text NOT NULL,
    client_id       text,
    reply_to        bigint,
    -- Resident messages only: the turn that answers them. pending turns are picked up again
    -- after a crash once their lease has run out.
    turn_state      text CHECK (turn_state IN ('pending', 'done', 'failed')),
    lease_until     timestamptz,
    citations       jsonb NOT NULL DEFAULT '[]',
    meta            jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id),
    CHECK ((author = 'resident') = (turn_state IS NOT NULL))
);

CREATE INDEX messages_pending_turns ON messages (created_at) WHERE turn_state = 'pending';

-- Why the classifier decided what it did, for every resident message and assistant reply.
CREATE TABLE assessments (
    id              bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL,
    seq             bigint NOT NULL,
    subject         text NOT NULL CHECK (subject IN ('message', 'reply')),
    level           text NOT NULL CHECK (level IN ('none', 'concern', 'urgent', 'emergency')),
    categories      text[] NOT NULL DEFAULT '{}',
    evidence        jsonb NOT NULL DEFAULT '[]',
    cssrs           smallint,
    version         text NOT NULL,
    errors          text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);

CREATE INDEX assessments_conversation ON assessments (conversation_id, seq);
