-- The clinician review queue: sampling, claims, reviews (filled in by the review work).
SELECT 1;
