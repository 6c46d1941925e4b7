package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/screening"
)

// screen stores a screen of c the way assistant does, with its summary message; replyTo,
// when not 0, is the seq of the counsellor's reply that answered it.
func (c *convFixture) screen(id screening.ID, a screening.Responses, replyTo int64, nextStep string) {
	c.t.Helper()
	r, err := screening.Score(id, a)
	if err != nil {
		c.t.Fatal(err)
	}
	in, _ := screening.Lookup(id)
	summary := c.msg("system", "text", "You answered the "+in.Name+".", map[string]any{"screen": string(id)})
	answers, _ := json.Marshal(r.Answers)
	var repliedAt, replySeq, repliedBy, next any
	if replyTo != 0 {
		if err := c.pool.QueryRow(context.Background(), `SELECT id FROM clinicians ORDER BY id LIMIT 1`).Scan(&repliedBy); err != nil {
			c.t.Fatal(err)
		}
		repliedAt, replySeq, next = time.Now().Add(2*time.Hour), replyTo, nextStep
	}
	alerts := r.Alerts
	if alerts == nil {
		alerts = []string{}
	}
	_, err = c.pool.Exec(context.Background(), `INSERT INTO screens (conversation_id, client_id, instrument, version, answers, complete,
			total, band, positive, level, alert_items, summary_seq, reply_due_at, replied_at, reply_seq, replied_by, next_step, created_at)
		VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8, $9, $10, $11, now() + interval '24 hours', $12, $13, $14, $15, now())`,
		c.id, "client-"+string(id), string(id), in.Version(), answers, r.Total, r.Band, r.Positive, r.Level.String(), alerts, summary,
		repliedAt, replySeq, repliedBy, next)
	if err != nil {
		c.t.Fatalf("screen: %v", err)
	}
}

// TestReviewOfAScreen: a positive screen queues its conversation for the 'screen' reason
// at the screen's level, a negative one does not; the reviewer reads each screen's score,
// band and answers against the published questions, the next step the counsellor
// suggested, and the counsellor's reply as a counsellor's turn, redacted.
func TestReviewOfAScreen(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	rev := f.Create(t, "rev", clinician.RoleReviewer)
	f.Create(t, "cara", clinician.RoleCounsellor)

	positive := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	reply := positive.msg("clinician", "text", "Hi, I'm Cara Nguyen from counselling; call me on 555-123-4567.", map[string]any{"screen_reply": []int{1}})
	positive.screen(screening.PHQ9, screening.Responses{"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_5": 0, "phq9_6": 0,
		"phq9_7": 0, "phq9_8": 0, "phq9_9": 0, "phq9_difficulty": 1}, reply, "physician_support_line")
	negative := newConv(t, f.DB.Pool, "nurse", f.Clock.Now().Add(-time.Hour))
	negative.screen(screening.Burnout, screening.Responses{"burnout_1": 2}, 0, "")

	res, err := f.sampler.SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued[ReasonScreen] != 1 || !slices.Equal(queued(t, f.DB.Pool, positive.id), []string{ReasonScreen}) || len(queued(t, f.DB.Pool, negative.id)) != 0 {
		t.Fatalf("queued %+v: positive %v, negative %v", res.Queued, queued(t, f.DB.Pool, positive.id), queued(t, f.DB.Pool, negative.id))
	}
	var id int64
	var level string
	var detail map[string]any
	if err := f.DB.Pool.QueryRow(ctx, `SELECT i.id, i.level, s.detail FROM review_items i JOIN review_samples s ON s.item_id = i.id
		WHERE i.conversation_id = $1`, positive.id).Scan(&id, &level, &detail); err != nil {
		t.Fatal(err)
	}
	if level != "concern" || detail["screens"] != float64(1) || fmt.Sprint(detail["instruments"]) != "[phq9]" {
		t.Errorf("item level %s, detail %v", level, detail)
	}

	v, err := f.q.Item(ctx, rev, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Screens) != 1 {
		t.Fatalf("screens %+v", v.Screens)
	}
	s := v.Screens[0]
	if s.Instrument != "PHQ-9" || s.Score != "12 / 27" || s.Band != "moderate" || !s.Positive || s.Level != "concern" ||
		s.NextStep != "Physician Support Line (1-888-409-0141)" || s.RepliedAfter == nil || s.ReplySeq != reply || s.Overdue {
		t.Errorf("screen summary %+v", s)
	}
	if len(s.Answers) != 10 || s.Answers[0].Answer != "Nearly every day" || !strings.HasPrefix(s.Answers[0].Question, "Little interest") ||
		s.Answers[9].Answer != "Somewhat difficult" {
		t.Errorf("answers %+v", s.Answers)
	}
	for _, tu := range v.Turns {
		if tu.Seq != reply {
			continue
		}
		if !tu.Counsellor || strings.Contains(tu.Text, "Nguyen") || strings.Contains(tu.Text, "555-123-4567") {
			t.Errorf("the counsellor's turn %+v: want it marked and redacted", tu)
		}
	}
	entries := f.AuditEntries(t)
	if e, ok := findAuditAction(entries, "review.view"); !ok || e.Detail["screens"] != float64(1) {
		t.Errorf("review.view audit entry %+v", e)
	}
}

func findAuditAction(entries []clinician.AuditEntry, action string) (clinician.AuditEntry, bool) {
	for _, e := range entries {
		if e.Action == action {
			return e, true
		}
	}
	return clinician.AuditEntry{}, false
}
