-- Duty follows presence: a clinician counts as on duty only while their console is open.
-- The console renews duty_until every few seconds; when it stops (the browser closed, the
-- network dropped) duty lapses after a short grace period. Logout and the end of the
-- session end duty at once.
ALTER TABLE clinicians ADD COLUMN duty_until timestamptz;
UPDATE clinicians SET duty_until = now() WHERE on_duty;
