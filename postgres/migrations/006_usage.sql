-- Model tokens used, per conversation, per model and per UTC day, so that daily limits can
-- be enforced before a request is made and costs can be reviewed. No text is stored here.
-- Counts come from the server's own usage report when it sends one (estimated > 0 counts
-- the requests whose tokens had to be estimated instead).
CREATE TABLE model_usage (
    day               date NOT NULL,
    conversation_id   uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    model             text NOT NULL,
    prompt_tokens     bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    requests          integer NOT NULL DEFAULT 0 CHECK (requests >= 0),
    estimated         integer NOT NULL DEFAULT 0 CHECK (estimated >= 0),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, conversation_id, model)
);

CREATE INDEX model_usage_conversation ON model_usage (conversation_id, day);
