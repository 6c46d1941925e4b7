package review

import (
	"context"
	"errors"
	"fmt"
	"nightfloat"
	"nightfloat/assistant"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/clinician"
	"nightfloat/redact"
)

// Item statuses: the round an item waits for, or done.
const (
	StatusFirst  = "first"
	StatusSecond = "second"
	StatusThird  = "third"
	StatusDone   = "done"
)

// QueueOptions tune the review queue. Zero fields take the defaults.
type QueueOptions struct {
	// ClaimTTL is how long a claim holds without a submission before another reviewer
	// may take the item; default 30m.
	ClaimTTL time.Duration
	// SecondShare is the share of items (deterministic per item) that get a second,
	// independent review besides those where the first reviewer found a missed
	// escalation; default 0.2. Negative means none.
	SecondShare float64
	// Salt keys the second-review share; empty means the database's own (review_salt).
	Salt []byte
	Now  func() time.Time
	// Conversations reads what is reviewed from its owner; nil means assistant's store on
	// the queue's pool.
	Conversations Conversations
	// Reviewers names the clinicians who wrote reviews; nil means the accounts on the
	// queue's pool.
	Reviewers Reviewers
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.ClaimTTL <= 0 {
		o.ClaimTTL = 30 * time.Minute
	}
	if o.SecondShare == 0 {
		o.SecondShare = 0.2
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Queue is the reviewers' work list: claims, transcripts and reviews. Every method takes
// the acting clinician and enforces that they hold the reviewer role; an item a reviewer
// may not see is reported as not found, never as forbidden, so ids cannot be probed.
type Queue struct {
	pool  *pgxpool.Pool
	audit *clinician.Audit
	opts  QueueOptions
}

// NewQueue returns the queue on pool. audit may be nil (then NewAudit(pool)).
func NewQueue(pool *pgxpool.Pool, audit *clinician.Audit, opts QueueOptions) *Queue {
	if audit == nil {
		audit = clinician.NewAudit(pool)
	}
	if opts.Conversations == nil {
		opts.Conversations = assistant.NewStore(pool)
	}
	if opts.Reviewers == nil {
		opts.Reviewers = clinician.NewAccounts(pool, audit, clinician.AccountOptions{})
	}
	return &Queue{pool: pool, audit: audit, opts: opts.withDefaults()}
}

func (q *Queue) now() time.Time { return q.opts.Now().UTC() }

// Filter narrows the queue list. Empty fields do not filter.
type Filter struct {
	Reason string // one of Reasons
	Level  string // none, concern, urgent, emergency
	// Status: "" or "open" (waiting for a review this reviewer may give, or claimed by
	// them), "mine" (claimed by them), "first", "second", "third", or "done" (items they
	// reviewed that are finished).
	Status string
	// Age: items queued within ("24h", "7d") or before ("older") a week.
	Age   string
	Limit int // 1..500, default 100
}

// Ages are the age filter's values.
var Ages = []string{"24h", "7d", "older"}

// ItemSummary is one row of the queue list. It carries no transcript text and no
// conversation id.
type ItemSummary struct {
	ID                  int64
	Reasons             []string
	Priority            int
	Level               string
	Status              string
	Disagreement        bool
	ClaimedByMe         bool
	ClaimedByOther      bool
	ClaimExpiresAt      *time.Time
	QueuedAt            time.Time
	ConversationStarted time.Time
	Turns               int
}

func requireReviewer(c clinician.Clinician) error {
	if !c.Has(clinician.RoleReviewer) {
		return nightfloat.Errorf(nightfloat.CodeForbidden, "only reviewers can use the review queue")
	}
	return nil
}

// List returns the items matching f that the reviewer may see, highest priority first.
func (q *Queue) List(ctx context.Context, viewer clinician.Clinician, f Filter) ([]ItemSummary, error) {
	if err := requireReviewer(viewer); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	now := q.now()
	handled, err := q.opts.Conversations.HandledBy(ctx, viewer.ID)
	if err != nil {
		return nil, fmt.Errorf("review: list: %w", err)
	}
	where := []string{"TRUE"}
	args := []any{viewer.ID, now}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	reviewedByMe := `EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = i.id AND r.reviewer_id = $1)`
	// A clinician does not review a conversation whose handoff they claimed.
	claimable := func() string {
		return `i.status <> 'done' AND i.conversation_id IS NOT NULL AND NOT ` + reviewedByMe +
			` AND NOT coalesce(i.conversation_id = ANY(` + arg(handled) + `::uuid[]), false)` +
			` AND (i.claimed_by IS NULL OR i.claimed_by = $1 OR i.claim_expires_at <= $2)`
	}
	switch f.Status {
	case "", "open":
		where = append(where, claimable())
	case "mine":
		where = append(where, `i.status <> 'done' AND i.claimed_by = $1`)
	case StatusFirst, StatusSecond, StatusThird:
		where = append(where, claimable(), "i.status = "+arg(f.Status))
	case StatusDone:
		where = append(where, "i.status = 'done' AND "+reviewedByMe)
	default:
		return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown status filter %q", f.Status)
	}
	if f.Reason != "" {
		if !slices.Contains(Reasons, f.Reason) {
			return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown reason %q", f.Reason)
		}
		where = append(where, "EXISTS (SELECT 1 FROM review_samples s WHERE s.item_id = i.id AND s.reason = "+arg(f.Reason)+")")
	}
	if f.Level != "" {
		if l, err := nightfloat.ParseLevel(f.Level); err != nil || l.String() != f.Level {
			return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown level %q", f.Level)
		}
		where = append(where, "i.level = "+arg(f.Level))
	}
	switch f.Age {
	case "":
	case "24h":
		where = append(where, "i.created_at > "+arg(now.Add(-24*time.Hour)))
	case "7d":
		where = append(where, "i.created_at > "+arg(now.Add(-7*24*time.Hour)))
	case "older":
		where = append(where, "i.created_at <= "+arg(now.Add(-7*24*time.Hour)))
	default:
		return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown age filter %q", f.Age)
	}
	rows, err := q.pool.Query(ctx, `
		SELECT i.id, coalesce((SELECT array_agg(s.reason ORDER BY s.priority DESC, s.reason) FROM review_samples s WHERE s.item_id = i.id), '{}'),
		       i.priority, i.level, i.status, i.disagreement,
		       coalesce(i.claimed_by = $1 AND i.claim_expires_at > $2, false),
		       coalesce(i.claimed_by <> $1 AND i.claim_expires_at > $2, false),
		       i.claim_expires_at, i.created_at, i.conversation_started_at, coalesce(i.conversation_id::text, '')
		FROM review_items i
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY (i.status = 'done'), i.priority DESC, i.created_at, i.id
		LIMIT `+arg(f.Limit), args...)
	var convIDs []string
	items, err := collect(rows, err, func(row pgx.CollectableRow) (ItemSummary, error) {
		var it ItemSummary
		var convID string
		err := row.Scan(&it.ID, &it.Reasons, &it.Priority, &it.Level, &it.Status, &it.Disagreement,
			&it.ClaimedByMe, &it.ClaimedByOther, &it.ClaimExpiresAt, &it.QueuedAt, &it.ConversationStarted, &convID)
		convIDs = append(convIDs, convID)
		return it, err
	})
	if err != nil {
		return nil, err
	}
	// An item whose transcript retention deleted has no conversation and no turns.
	turns, err := q.opts.Conversations.TurnCounts(ctx, slices.DeleteFunc(slices.Clone(convIDs), func(id string) bool { return id == "" }))
	if err != nil {
		return nil, fmt.Errorf("review: list: %w", err)
	}
	for i := range items {
		items[i].Turns = turns[convIDs[i]]
	}
	return items, nil
}

// itemRow is an item as stored.
type itemRow struct {
	ID             int64
	ConversationID *string
	Priority       int
	Level          string
	Status         string
	Disagreement   bool
	ClaimedBy      *int64
	ClaimExpiresAt *time.Time
	CreatedAt      time.Time
	Started        time.Time
	Role           string
	ReviewerIDs    []int64 // in round order
	HandledBy      []int64 // clinicians who claimed a handoff in the conversation
}

func (q *Queue) loadItem(ctx context.Context, tx pgx.Tx, id int64, lock bool) (itemRow, error) {
	var it itemRow
	forUpdate := ""
	if lock {
		forUpdate = " FOR UPDATE OF i"
	}
	err := tx.QueryRow(ctx, `
		SELECT i.id, i.conversation_id::text, i.priority, i.level, i.status, i.disagreement, i.claimed_by,
		       i.claim_expires_at, i.created_at, i.conversation_started_at
		FROM review_items i
		WHERE i.id = $1`+forUpdate, id).Scan(&it.ID, &it.ConversationID, &it.Priority, &it.Level, &it.Status,
		&it.Disagreement, &it.ClaimedBy, &it.ClaimExpiresAt, &it.CreatedAt, &it.Started)
	if errors.Is(err, pgx.ErrNoRows) {
		return it, nightfloat.Errorf(nightfloat.CodeNotFound, "no such review item")
	}
	if err != nil {
		return it, fmt.Errorf("review: read item: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT reviewer_id FROM reviews WHERE item_id = $1 ORDER BY round`, id)
	it.ReviewerIDs, err = collect(rows, err, pgx.RowTo[int64])
	if err != nil {
		return it, fmt.Errorf("review: read item reviews: %w", err)
	}
	if it.ConversationID != nil {
		conv, err := q.opts.Conversations.Conversation(ctx, *it.ConversationID)
		switch {
		case nightfloat.ErrorCode(err) == nightfloat.CodeNotFound: // deleted since: no role
		case err != nil:
			return it, fmt.Errorf("review: read item conversation: %w", err)
		default:
			it.Role = string(conv.Role)
		}
		handoffs, err := q.opts.Conversations.ConversationHandoffs(ctx, *it.ConversationID)
		if err != nil {
			return it, fmt.Errorf("review: read item handoffs: %w", err)
		}
		for _, h := range handoffs {
			if h.ClaimedBy != 0 && !slices.Contains(it.HandledBy, h.ClaimedBy) {
				it.HandledBy = append(it.HandledBy, h.ClaimedBy)
			}
		}
	}
	return it, nil
}

// visible reports whether viewer may open the item: it waits for a review and still has
// its transcript, or the viewer reviewed it. Anything else is "not found".
func (it itemRow) visible(viewer clinician.Clinician) bool {
	if slices.Contains(it.ReviewerIDs, viewer.ID) {
		return true
	}
	return it.Status != StatusDone && it.ConversationID != nil
}

// seesReviews reports whether viewer may read the item's earlier reviews: after giving
// their own (so a second review stays blind), or as the third reviewer adjudicating a
// disagreement between two others.
func (it itemRow) seesReviews(viewer clinician.Clinician) bool {
	if slices.Contains(it.ReviewerIDs, viewer.ID) {
		return true
	}
	return it.Status == StatusThird
}

// lockReviewable loads and locks an item that viewer may review next: one they can see
// (anything else is not found), not yet done, and not already reviewed by them (each
// round is by a different reviewer).
func (q *Queue) lockReviewable(ctx context.Context, tx pgx.Tx, viewer clinician.Clinician, id int64) (itemRow, error) {
	it, err := q.loadItem(ctx, tx, id, true)
	if err != nil {
		return it, err
	}
	switch {
	case !it.visible(viewer):
		return it, nightfloat.Errorf(nightfloat.CodeNotFound, "no such review item")
	case it.Status == StatusDone:
		return it, nightfloat.Errorf(nightfloat.CodeConflict, "this item is already reviewed")
	case slices.Contains(it.ReviewerIDs, viewer.ID):
		return it, nightfloat.Errorf(nightfloat.CodeForbidden, "you have already reviewed this conversation; a different reviewer must give the next review")
	case slices.Contains(it.HandledBy, viewer.ID):
		return it, nightfloat.Errorf(nightfloat.CodeForbidden, "you handled this conversation's handoff; another reviewer must review it")
	}
	return it, nil
}

// Claim gives the item to viewer for ClaimTTL. An item claimed by someone else whose claim
// has not expired is a conflict; an item viewer already reviewed cannot be claimed again
// (the second and third reviews are by different reviewers).
func (q *Queue) Claim(ctx context.Context, viewer clinician.Clinician, id int64) (time.Time, error) {
	if err := requireReviewer(viewer); err != nil {
		return time.Time{}, err
	}
	now := q.now()
	expires := now.Add(q.opts.ClaimTTL)
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		it, err := q.lockReviewable(ctx, tx, viewer, id)
		if err != nil {
			return err
		}
		if it.ClaimedBy != nil && *it.ClaimedBy != viewer.ID && it.ClaimExpiresAt.After(now) {
			return nightfloat.Errorf(nightfloat.CodeConflict, "another reviewer is working on this item")
		}
		if _, err := tx.Exec(ctx, `UPDATE review_items SET claimed_by = $2, claimed_at = $3, claim_expires_at = $4 WHERE id = $1`,
			id, viewer.ID, now, expires); err != nil {
			return fmt.Errorf("review: claim: %w", err)
		}
		detail := map[string]any{"round": roundOf(it.Status), "expires_at": expires}
		if it.ClaimedBy != nil && *it.ClaimedBy != viewer.ID {
			detail["took_over_expired_claim_of"] = clinician.ActorClinician(*it.ClaimedBy)
		}
		return q.audit.RecordIn(ctx, tx, viewer.Actor(), "review.claim", itemTarget(id), detail)
	})
	return expires, err
}

// Release gives up viewer's claim on the item.
func (q *Queue) Release(ctx context.Context, viewer clinician.Clinician, id int64) error {
	if err := requireReviewer(viewer); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		it, err := q.loadItem(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !it.visible(viewer) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no such review item")
		}
		if it.ClaimedBy == nil || *it.ClaimedBy != viewer.ID {
			return nightfloat.Errorf(nightfloat.CodeConflict, "you do not hold a claim on this item")
		}
		if _, err := tx.Exec(ctx, `UPDATE review_items SET claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL WHERE id = $1`, id); err != nil {
			return fmt.Errorf("review: release: %w", err)
		}
		return q.audit.RecordIn(ctx, tx, viewer.Actor(), "review.release", itemTarget(id), nil)
	})
}

func itemTarget(id int64) string { return fmt.Sprintf("review_item:%d", id) }

func roundOf(status string) int {
	switch status {
	case StatusSecond:
		return 2
	case StatusThird:
		return 3
	case StatusDone:
		return 0
	}
	return 1
}

// ItemView is what a reviewer reads: the redacted transcript with, for every turn, what
// the classifier and the assistant recorded about it.
type ItemView struct {
	ID                  int64
	Reasons             []Sample
	Level               string
	Status              string
	Round               int // the round the item waits for; 0 when done
	Role                string
	Disagreement        bool
	ConversationStarted time.Time
	QueuedAt            time.Time
	ClaimedByMe         bool
	ClaimedByOther      bool
	ClaimExpiresAt      *time.Time
	CanClaim            bool // viewer may claim (or renew their claim on) it
	CanSubmit           bool // viewer holds the claim and has not reviewed it
	OwnHandoff          bool // viewer claimed a handoff in this conversation, so may not review it
	TranscriptDeleted   bool // retention removed the conversation
	Handoffs            []HandoffSummary
	Screens             []ScreenSummary // the questionnaires the resident filled in
	Turns               []Turn
	// Reviews are the submitted reviews, present only when viewer may see them (after
	// their own submission, or as third reviewer); ReviewsHidden counts the others.
	Reviews       []Review
	ReviewsHidden int
}

// Sample is one reason an item is queued.
type Sample struct {
	Reason    string
	Priority  int
	Detail    map[string]any
	SampledAt time.Time
}

// Turn is one message, redacted, with its reviewer-only context.
type Turn struct {
	Seq           int64
	Author        string
	Kind          string
	Text          string // redacted
	At            time.Time
	Assessments   []TurnAssessment
	Sources       []TurnSource
	Citations     []string // titles of the cited documents
	PromptID      string
	PromptVersion string
	Model         string
	Withheld      []TurnEvidence // why the output check withheld the reply (spans redacted)
	Feedback      *TurnFeedback
	Counsellor    bool // a counsellor's reply to the resident's screens, not an on-call clinician's message
}

// TurnAssessment is the classifier's verdict on a message or reply.
type TurnAssessment struct {
	Subject    string
	Level      string
	Categories []string
	Evidence   []TurnEvidence
	CSSRS      int
	Version    string
	Errors     []string
}

// TurnEvidence is one finding; Span is redacted.
type TurnEvidence struct {
	Layer    string `json:"layer"`
	RuleID   string `json:"rule_id"`
	Category string `json:"category"`
	Level    string `json:"level"`
	Span     string `json:"span"`
}

// TurnSource is one retrieved chunk and its score.
type TurnSource struct {
	ChunkID string  `json:"chunk_id"`
	Score   float64 `json:"score"`
}

// TurnFeedback is the resident's rating of a reply; Comment is redacted.
type TurnFeedback struct {
	Rating  string
	Comment string
}

// Item returns the item for viewer to read, and audits the view. It is "not found" unless
// the item is in the queue (or viewer reviewed it).
func (q *Queue) Item(ctx context.Context, viewer clinician.Clinician, id int64) (ItemView, error) {
	if err := requireReviewer(viewer); err != nil {
		return ItemView{}, err
	}
	now := q.now()
	var v ItemView
	err := pgx.BeginFunc(ctx, q.pool, func(tx pgx.Tx) error {
		it, err := q.loadItem(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !it.visible(viewer) {
			return nightfloat.Errorf(nightfloat.CodeNotFound, "no such review item")
		}
		live := it.ClaimedBy != nil && it.ClaimExpiresAt.After(now)
		mine := it.ClaimedBy != nil && *it.ClaimedBy == viewer.ID
		reviewed := slices.Contains(it.ReviewerIDs, viewer.ID)
		v = ItemView{ID: it.ID, Level: it.Level, Status: it.Status, Round: roundOf(it.Status), Role: it.Role,
			Disagreement: it.Disagreement, ConversationStarted: it.Started, QueuedAt: it.CreatedAt,
			ClaimedByMe: mine && live, ClaimedByOther: !mine && live, ClaimExpiresAt: it.ClaimExpiresAt,
			TranscriptDeleted: it.ConversationID == nil}
		v.OwnHandoff = slices.Contains(it.HandledBy, viewer.ID)
		v.CanClaim = it.Status != StatusDone && !reviewed && !v.OwnHandoff && it.ConversationID != nil && !v.ClaimedByOther
		// A claim that ran out but that nobody else took still lets its holder submit.
		v.CanSubmit = it.Status != StatusDone && !reviewed && !v.OwnHandoff && mine && it.ConversationID != nil
		if v.Reasons, err = loadSamples(ctx, tx, id); err != nil {
			return err
		}
		if it.ConversationID != nil {
			if v.Turns, err = q.loadTurns(ctx, tx, *it.ConversationID); err != nil {
				return err
			}
			if v.Handoffs, err = q.loadHandoffs(ctx, *it.ConversationID); err != nil {
				return err
			}
			if v.Screens, err = q.loadScreens(ctx, *it.ConversationID); err != nil {
				return err
			}
		}
		all, err := q.loadReviews(ctx, tx, id)
		if err != nil {
			return err
		}
		if it.seesReviews(viewer) {
			v.Reviews = all
		} else {
			v.ReviewsHidden = len(all)
		}
		return q.audit.RecordIn(ctx, tx, viewer.Actor(), "review.view", itemTarget(id),
			map[string]any{"round": v.Round, "reviews_shown": len(v.Reviews), "turns": len(v.Turns), "screens": len(v.Screens)})
	})
	return v, err
}

func loadSamples(ctx context.Context, tx pgx.Tx, itemID int64) ([]Sample, error) {
	rows, err := tx.Query(ctx, `SELECT reason, priority, detail, sampled_at FROM review_samples
		WHERE item_id = $1 ORDER BY priority DESC, reason`, itemID)
	out, err := collect(rows, err, func(row pgx.CollectableRow) (Sample, error) {
		var s Sample
		err := row.Scan(&s.Reason, &s.Priority, &s.Detail, &s.SampledAt)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("review: read samples: %w", err)
	}
	return out, nil
}

func redactEvidence(ev []TurnEvidence) []TurnEvidence {
	for i := range ev {
		ev[i].Span = redact.Text(ev[i].Span)
	}
	return ev
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
