-- The clinician review queue: residents' feedback on replies, the sampler's choices and
-- reasons, claims, reviews with their rubric, and the secret that makes sampling
-- deterministic without being predictable.
--
-- Retention (review/retention.go) deletes old conversations with their messages; the
-- review tables survive them: items and samples lose their conversation (SET NULL),
-- reviews keep their ratings, and the free text a reviewer wrote (review_notes, the notes
-- on turn marks) is removed with the transcript, since it may quote it. Turn marks keep
-- their seq and mark only.

-- A resident's thumbs-down on one reply. The comment is the resident's own text: it is
-- shown to reviewers only through redaction, and is deleted with the conversation.
CREATE TABLE review_feedback (
    conversation_id uuid NOT NULL,
    seq             bigint NOT NULL,
    rating          text NOT NULL CHECK (rating IN ('unhelpful', 'harmful')),
    comment         text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, seq),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages (conversation_id, seq) ON DELETE CASCADE
);

CREATE INDEX review_feedback_created ON review_feedback (created_at);

-- One review of one conversation. At most one item per conversation is open at a time;
-- a reason found after the item was done opens a new one.
-- status: first, second and third are the review round the item waits for.
CREATE TABLE review_items (
    id                      bigserial PRIMARY KEY,
    conversation_id         uuid REFERENCES conversations (id) ON DELETE SET NULL,
    priority                integer NOT NULL,
    level                   text NOT NULL CHECK (level IN ('none', 'concern', 'urgent', 'emergency')),
    status                  text NOT NULL DEFAULT 'first' CHECK (status IN ('first', 'second', 'third', 'done')),
    disagreement            boolean NOT NULL DEFAULT false,
    claimed_by              bigint REFERENCES clinicians (id),
    claimed_at              timestamptz,
    claim_expires_at        timestamptz,
    conversation_started_at timestamptz NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    done_at                 timestamptz,
    CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
    CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)),
    CHECK ((status = 'done') = (done_at IS NOT NULL)),
    CHECK (status <> 'done' OR claimed_by IS NULL)
);

CREATE UNIQUE INDEX review_items_one_open ON review_items (conversation_id) WHERE status <> 'done';
CREATE INDEX review_items_queue ON review_items (status, priority DESC, created_at);
CREATE INDEX review_items_created ON review_items (created_at);

-- Why a conversation was queued. Never twice for the same reason. detail holds levels,
-- categories and counts, never transcript text.
CREATE TABLE review_samples (
    id              bigserial PRIMARY KEY,
    item_id         bigint NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    reason          text NOT NULL CHECK (reason IN ('handoff', 'feedback', 'uncertain', 'withheld', 'random')),
    priority        integer NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}',
    sampled_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, reason)
);

CREATE INDEX review_samples_item ON review_samples (item_id);
CREATE INDEX review_samples_random_day ON review_samples (sampled_at) WHERE reason = 'random';

-- The random sample's decision, taken once per conversation: chosen by the keyed hash,
-- and capped when the day's quota was already full.
CREATE TABLE review_random_checked (
    conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    chosen          boolean NOT NULL,
    capped          boolean NOT NULL DEFAULT false,
    checked_at      timestamptz NOT NULL DEFAULT now()
);

-- A submitted review. Ratings only; free text lives in review_notes and review_marks.note.
CREATE TABLE reviews (
    id          bigserial PRIMARY KEY,
    item_id     bigint NOT NULL REFERENCES review_items (id),
    reviewer_id bigint NOT NULL REFERENCES clinicians (id),
    round       smallint NOT NULL CHECK (round BETWEEN 1 AND 3),
    escalation  text NOT NULL CHECK (escalation IN ('appropriate', 'missed', 'over_escalated', 'n/a')),
    accuracy    smallint NOT NULL CHECK (accuracy BETWEEN 1 AND 5),
    grounding   smallint NOT NULL CHECK (grounding BETWEEN 1 AND 5),
    empathy     smallint NOT NULL CHECK (empathy BETWEEN 1 AND 5),
    role_fit    smallint NOT NULL CHECK (role_fit BETWEEN 1 AND 5),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, round),
    UNIQUE (item_id, reviewer_id)
);

CREATE INDEX reviews_created ON reviews (created_at);

CREATE TABLE review_notes (
    review_id bigint PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    note      text NOT NULL CHECK (length(note) <= 4000)
);

CREATE TABLE review_marks (
    review_id bigint NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    seq       bigint NOT NULL,
    mark      text NOT NULL CHECK (mark IN ('good', 'inaccurate', 'ungrounded', 'unempathetic', 'wrong_role',
                                            'missed_escalation', 'over_escalation')),
    note      text CHECK (length(note) <= 1000),
    PRIMARY KEY (review_id, seq, mark)
);

-- The sampler and retention look conversations up by their last activity.
CREATE INDEX conversations_last_active ON conversations (last_active_at);

-- The default key for the deterministic random sample and second-review share: 32 random
-- bytes per database, so that nobody can predict which conversations are sampled. A
-- configured salt (NIGHTFLOAT_REVIEW_SALT) takes precedence.
CREATE TABLE review_salt (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    salt     bytea NOT NULL CHECK (length(salt) >= 16)
);

INSERT INTO review_salt (salt) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
