-- The counsellor permission: reads new screens (results only, never a transcript) and
-- writes the personal reply the resident finds in their conversation. Like the others it
-- is explicit: no permission implies another.
ALTER TABLE clinicians DROP CONSTRAINT clinicians_roles_check;
ALTER TABLE clinicians ADD CONSTRAINT clinicians_roles_check
    CHECK (roles <@ ARRAY['oncall', 'reviewer', 'admin', 'counsellor']::text[]);

-- The review sampler may queue a conversation for a positive screen (or one that opened a
-- handoff through PHQ-9 item 9): reason 'screen'.
ALTER TABLE review_samples DROP CONSTRAINT review_samples_reason_check;
ALTER TABLE review_samples ADD CONSTRAINT review_samples_reason_check
    CHECK (reason IN ('handoff', 'feedback', 'uncertain', 'withheld', 'random', 'screen'));
