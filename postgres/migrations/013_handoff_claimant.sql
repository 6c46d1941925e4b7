-- The handoff records the name of the clinician who claimed it, as it was at the claim, so
-- that reading a handoff needs no table but handoffs (the clinicians table belongs to the
-- accounts). Existing claims take the name the account has now.
ALTER TABLE handoffs ADD COLUMN claimed_by_name text;
UPDATE handoffs h SET claimed_by_name = c.display_name FROM clinicians c WHERE c.id = h.claimed_by;
