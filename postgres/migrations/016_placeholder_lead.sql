-- Placeholder on branch lead only, so that the branch migrates on its own (tern needs
-- contiguous numbers). Issue 19 (branches screen2 and plan) owns 014 to 018: drop this file
-- when merging their migrations.
SELECT 1;
