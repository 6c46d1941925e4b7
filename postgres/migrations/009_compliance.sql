-- Confidentiality and compliance: the crisis-referral log.
--
-- State laws on AI companions and mental-health chat (California SB 243, New York General
-- Business Law article 47, Utah HB 452) ask an operator to show how often people were
-- referred to crisis services. This table is what such a report is made from, and it is
-- built so that it cannot point at anyone: no conversation id, no message number, no
-- clinician, no time finer than the (UTC) day; only counts per day, kind of referral,
-- level, categories and disposition. It is kept when conversations are deleted.
CREATE TABLE crisis_referrals (
    day         date NOT NULL,
    -- handoff: a red flag handed the conversation to a clinician, with crisis resources;
    -- fail_closed: a turn failed and the resident got the failure notice with resources;
    -- concern: a supportive reply to distress that included crisis resources;
    -- withheld: a reply that failed the output check was replaced by resources;
    -- closed: the AI declined to answer in a conversation a clinician closed, with resources;
    -- unattended: no clinician joined in time and the resident was told where else to turn;
    -- resolved: a clinician closed a handoff with a disposition.
    kind        text NOT NULL CHECK (kind IN ('handoff', 'fail_closed', 'concern', 'withheld', 'closed', 'unattended', 'resolved')),
    level       text NOT NULL DEFAULT '' CHECK (level IN ('', 'concern', 'urgent', 'emergency')),
    -- The classifier's categories of the event, sorted and comma-separated ('' when none).
    category    text NOT NULL DEFAULT '' CHECK (category ~ '^[a-z_,]*$'),
    disposition text NOT NULL DEFAULT '' CHECK (disposition IN ('', 'safety_plan_made', 'referred', 'emergency_services', 'no_risk_found', 'resident_left')),
    count       bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (day, kind, level, category, disposition)
);
