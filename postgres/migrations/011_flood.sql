-- Flood marking. A conversation carries a tag for the network it was started from: a keyed
-- hash of its client address (the key lives only in the server's memory, so the tag cannot
-- be turned back into an address, and it changes when the server restarts). Handoffs opened
-- while the same tag already has several open are marked as a flood: they are still opened,
-- shown and claimable, but the console groups them and the pager is told about them once.
ALTER TABLE conversations ADD COLUMN source_tag text CHECK (length(source_tag) <= 32);
ALTER TABLE handoffs ADD COLUMN flood boolean NOT NULL DEFAULT false;
CREATE INDEX conversations_source_tag ON conversations (source_tag) WHERE source_tag IS NOT NULL;
