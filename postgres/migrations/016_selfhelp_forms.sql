-- What a resident writes for themselves (package selfhelp): their safety plan, one per
-- conversation, and guided exercises (thought records, behavioural-activation steps),
-- each kept as the JSON answers of its form. They are kept under the conversation's
-- pseudonym only, and go with it (deletion, retention).
CREATE TABLE selfhelp_forms (
    id              bigserial PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('safety_plan', 'thought_record', 'behavioural_activation')),
    answers         jsonb NOT NULL,
    -- Counts the saves, so a page can tell an older copy from the current one.
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX selfhelp_forms_one_plan ON selfhelp_forms (conversation_id) WHERE kind = 'safety_plan';
CREATE INDEX selfhelp_forms_conversation ON selfhelp_forms (conversation_id, id);

-- Two message kinds: form (a resident saved or deleted a form, or a clinician opened one
-- for them; the text stays in selfhelp_forms, never in the message) and checkin (a
-- clinician's follow-up after a handoff, and the resident's answer; migration 017).
--
-- The kinds are added to the check as it stands rather than by restating the whole list,
-- so that kinds another migration added before this one are kept whatever their order.
DO $$
DECLARE
    kinds text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO kinds
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
    WHERE c.conrelid = 'messages'::regclass AND c.conname = 'messages_kind_check';
    IF kinds IS NULL THEN
        RAISE EXCEPTION 'messages_kind_check not found';
    END IF;
    ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
    -- Written as kind IN (...), as migration 002 wrote it, so the same reading works again.
    EXECUTE format('ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN (%s))',
        (SELECT string_agg(quote_literal(k), ', ' ORDER BY k) FROM unnest(kinds || ARRAY['form', 'checkin']) AS k));
END
$$;
