-- Confidentiality and compliance: crisis-referral log and retention bookkeeping (filled in by that work).
SELECT 1;
