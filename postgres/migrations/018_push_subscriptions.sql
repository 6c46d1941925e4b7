-- Web-push subscriptions a resident opted in to (package push), kept under the
-- conversation's pseudonym only and deleted with it. An endpoint is a capability URL of
-- the browser's push service: it is treated as a secret (never logged or shown), and one
-- endpoint belongs to one conversation at a time, so that no two pseudonyms are linked by
-- a shared device.
CREATE TABLE push_subscriptions (
    id              bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    endpoint_hash   bytea NOT NULL UNIQUE,
    endpoint        text NOT NULL,
    p256dh          text NOT NULL,
    auth            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX push_subscriptions_conversation ON push_subscriptions (conversation_id);
