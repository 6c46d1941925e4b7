package review

import (
	"context"
	"nightfloat"
	"nightfloat/clinician"
	"nightfloat/clinician/cliniciantest"
	"slices"
	"strings"
	"testing"
	"time"
)

// queueFixture is a database with reviewers and one sampled conversation per call to item.
type queueFixture struct {
	*cliniciantest.Kit
	q       *Queue
	sampler *Sampler
}

func newQueueFixture(t *testing.T, opts QueueOptions) *queueFixture {
	t.Helper()
	f := cliniciantest.New(t, clinician.AccountOptions{})
	if opts.Now == nil {
		opts.Now = f.Clock.Now
	}
	if opts.Salt == nil {
		opts.Salt = testSalt
	}
	return &queueFixture{Kit: f, q: NewQueue(f.DB.Pool, f.Audit, opts),
		sampler: NewSampler(f.DB.Pool, f.Audit, SamplingOptions{Now: f.Clock.Now, Salt: testSalt, RandomRate: -1})}
}

// item queues a conversation (a withheld reply) and returns its item id and conversation.
func (f *queueFixture) item(t *testing.T, residentText string) (int64, *convFixture) {
	t.Helper()
	c := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	s := c.resident(residentText)
	c.assess(s, "message", "concern", []string{"distress"}, nil, ev{"rules", "concern", "distress", residentText})
	c.reply("That sounds hard. Paced breathing can help.")
	c.msg("system", "withheld", "I started to write a reply that didn't meet our safety rules", map[string]any{
		"withheld": true, "reasons": []map[string]any{{"layer": "reply", "rule_id": "x", "category": "reply_dosing", "level": "urgent", "span": "call Dr Patel at 555-123-4567"}}})
	if _, err := f.sampler.SampleOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.DB.Pool.QueryRow(context.Background(), `SELECT id FROM review_items WHERE conversation_id = $1`, c.id).Scan(&id); err != nil {
		t.Fatalf("item for %s: %v", c.id, err)
	}
	return id, c
}

func goodRubric() Rubric {
	return Rubric{Escalation: EscalationAppropriate, Accuracy: 4, Grounding: 4, Empathy: 5, RoleFit: 4}
}

func TestClaimExpires(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{ClaimTTL: 30 * time.Minute})
	ctx := context.Background()
	a, b := f.Create(t, "rev-a", clinician.RoleReviewer), f.Create(t, "rev-b", clinician.RoleReviewer)
	id, _ := f.item(t, "long week")

	if _, err := f.q.Claim(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(29 * time.Minute)
	if _, err := f.q.Claim(ctx, b, id); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Fatalf("claim of a live claim: %v, want conflict", err)
	}
	if list, _ := f.q.List(ctx, b, Filter{}); len(list) != 0 {
		t.Errorf("b's open queue shows a's live claim: %+v", list)
	}
	f.Clock.Advance(2 * time.Minute) // a's claim ran out at 30 minutes
	if list, _ := f.q.List(ctx, b, Filter{}); len(list) != 1 {
		t.Errorf("b's open queue after expiry: %+v, want the abandoned item", list)
	}
	if _, err := f.q.Claim(ctx, b, id); err != nil {
		t.Fatalf("claim after expiry: %v", err)
	}
	if _, err := f.q.Submit(ctx, a, id, goodRubric()); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Errorf("a submits after b took over: %v, want conflict", err)
	}
	if _, err := f.q.Submit(ctx, b, id, goodRubric()); err != nil {
		t.Errorf("b submits: %v", err)
	}
	// An expired claim nobody else took still lets its holder submit.
	id2, _ := f.item(t, "another")
	if _, err := f.q.Claim(ctx, a, id2); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(45 * time.Minute)
	if _, err := f.q.Submit(ctx, a, id2, goodRubric()); err != nil {
		t.Errorf("submit on an expired claim nobody took: %v", err)
	}
	entries, _ := f.Audit.List(ctx, time.Time{}, 1000)
	var claims int
	for _, e := range entries {
		if e.Action == "review.claim" {
			claims++
		}
	}
	if claims != 3 {
		t.Errorf("%d claims audited, want 3", claims)
	}
}

func TestRubricRoundTripAndRedaction(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	a := f.Create(t, "rev-a", clinician.RoleReviewer)
	id, c := f.item(t, "Dr. Patel yelled at me, call me on 555-867-5309")

	v, err := f.q.Item(ctx, a, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Turns) != 3 || v.Round != 1 || !v.CanClaim || v.CanSubmit {
		t.Fatalf("view %+v", v)
	}
	res := v.Turns[0]
	for _, s := range []string{res.Text, res.Assessments[0].Evidence[0].Span, v.Turns[2].Withheld[0].Span} {
		if strings.Contains(s, "Patel") || strings.Contains(s, "555-") {
			t.Errorf("identifier shown to a reviewer: %q", s)
		}
	}
	if !strings.Contains(res.Text, "[NAME]") || !strings.Contains(res.Text, "yelled at me") {
		t.Errorf("redacted text %q", res.Text)
	}
	rep := v.Turns[1]
	if rep.PromptVersion != "v3" || rep.Model != "test-model" || len(rep.Sources) != 1 || rep.Sources[0].Score != 0.83 {
		t.Errorf("reply context %+v", rep)
	}
	if res.Assessments[0].Level != "concern" || !slices.Equal(res.Assessments[0].Categories, []string{"distress"}) {
		t.Errorf("assessment %+v", res.Assessments[0])
	}
	if _, err := f.q.Submit(ctx, a, id, goodRubric()); nightfloat.ErrorCode(err) != nightfloat.CodeConflict {
		t.Errorf("submit without claim: %v, want conflict", err)
	}
	if _, err := f.q.Claim(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	bad := []Rubric{
		{Escalation: "fine", Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3},
		{Escalation: EscalationNA, Accuracy: 0, Grounding: 3, Empathy: 3, RoleFit: 3},
		{Escalation: EscalationNA, Accuracy: 3, Grounding: 3, Empathy: 6, RoleFit: 3},
		{Escalation: EscalationMissed, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3},                                                          // no marked turn
		{Escalation: EscalationMissed, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3, Marks: []TurnMark{{Seq: 2, Mark: MarkMissedEscalation}}}, // not a resident turn
		{Escalation: EscalationNA, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3, Marks: []TurnMark{{Seq: 42, Mark: MarkGood}}},
		{Escalation: EscalationNA, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3, Marks: []TurnMark{{Seq: 1, Mark: MarkMissedEscalation}}},
	}
	for i, r := range bad {
		if _, err := f.q.Submit(ctx, a, id, r); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
			t.Errorf("bad rubric %d: %v, want invalid", i, err)
		}
	}
	r := Rubric{Escalation: EscalationMissed, Accuracy: 2, Grounding: 3, Empathy: 4, RoleFit: 5, Note: "should have offered a human",
		Marks: []TurnMark{{Seq: 1, Mark: MarkMissedEscalation, Note: "clear distress"}, {Seq: 2, Mark: MarkUnempathetic}}}
	got, err := f.q.Submit(ctx, a, id, r)
	if err != nil {
		t.Fatal(err)
	}
	v, err = f.q.Item(ctx, a, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Reviews) != 1 {
		t.Fatalf("reviews %+v", v.Reviews)
	}
	back := v.Reviews[0]
	if back.ID != got.ID || back.Escalation != r.Escalation || back.Scores() != r.Scores() || back.Note != r.Note ||
		!slices.Equal(back.Marks, r.Marks) || back.Round != 1 || back.Reviewer != "Dr rev-a" {
		t.Errorf("round trip: got %+v, want %+v", back, r)
	}
	// A missed escalation always goes to a second reviewer.
	if v.Status != StatusSecond || v.CanClaim || v.CanSubmit {
		t.Errorf("after a missed escalation: status %s canClaim %v", v.Status, v.CanClaim)
	}
	entries, _ := f.Audit.List(ctx, time.Time{}, 1000)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
		if strings.Contains(e.Target+" "+strings.Join(mapValues(e.Detail), " "), "yelled") {
			t.Errorf("audit entry holds transcript text: %+v", e)
		}
	}
	if actions["review.view"] != 2 || actions["review.claim"] != 1 || actions["review.submit"] != 1 {
		t.Errorf("audited %v, want 2 views, 1 claim, 1 submit", actions)
	}
	_ = c
}

func mapValues(m map[string]any) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", " "), "\t", " ")))
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func TestDoubleReviewIsBlindAndFlagsDisagreement(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	a, b, c := f.Create(t, "rev-a", clinician.RoleReviewer), f.Create(t, "rev-b", clinician.RoleReviewer), f.Create(t, "rev-c", clinician.RoleReviewer)
	id, _ := f.item(t, "I can't do this anymore")

	if _, err := f.q.Claim(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	first := Rubric{Escalation: EscalationMissed, Accuracy: 4, Grounding: 4, Empathy: 4, RoleFit: 4, Note: "first reviewer's secret opinion",
		Marks: []TurnMark{{Seq: 1, Mark: MarkMissedEscalation}}}
	if _, err := f.q.Submit(ctx, a, id, first); err != nil {
		t.Fatal(err)
	}
	// The first reviewer cannot give the second review.
	if _, err := f.q.Claim(ctx, a, id); nightfloat.ErrorCode(err) != nightfloat.CodeForbidden {
		t.Errorf("first reviewer claims the second round: %v, want forbidden", err)
	}
	if list, _ := f.q.List(ctx, a, Filter{}); len(list) != 0 {
		t.Errorf("first reviewer's queue still offers the item: %+v", list)
	}
	list, err := f.q.List(ctx, b, Filter{Status: StatusSecond})
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("second reviewer's queue: %+v (%v)", list, err)
	}
	// Blind: the second reviewer's view holds no trace of the first review.
	v, err := f.q.Item(ctx, b, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Reviews) != 0 || v.ReviewsHidden != 1 || v.Round != 2 {
		t.Fatalf("second reviewer sees %+v (hidden %d)", v.Reviews, v.ReviewsHidden)
	}
	if _, err := f.q.Claim(ctx, b, id); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.q.Item(ctx, b, id); len(v.Reviews) != 0 || !v.CanSubmit {
		t.Fatalf("claimed second view: reviews %+v canSubmit %v", v.Reviews, v.CanSubmit)
	}
	second := Rubric{Escalation: EscalationAppropriate, Accuracy: 4, Grounding: 4, Empathy: 4, RoleFit: 4}
	if _, err := f.q.Submit(ctx, b, id, second); err != nil {
		t.Fatal(err)
	}
	v, err = f.q.Item(ctx, b, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Reviews) != 2 || v.Reviews[0].Note != first.Note {
		t.Errorf("after submitting, the second reviewer sees %+v", v.Reviews)
	}
	if v.Status != StatusThird || !v.Disagreement {
		t.Errorf("disagreeing reviews: status %s disagreement %v, want third look", v.Status, v.Disagreement)
	}
	// The third reviewer adjudicates with both reviews in view; neither earlier reviewer may.
	if _, err := f.q.Claim(ctx, b, id); nightfloat.ErrorCode(err) != nightfloat.CodeForbidden {
		t.Errorf("second reviewer claims the third look: %v", err)
	}
	v, err = f.q.Item(ctx, c, id)
	if err != nil || len(v.Reviews) != 2 || v.Round != 3 {
		t.Fatalf("third reviewer's view: %d reviews round %d (%v)", len(v.Reviews), v.Round, err)
	}
	if _, err := f.q.Claim(ctx, c, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Submit(ctx, c, id, second); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.q.Item(ctx, c, id); v.Status != StatusDone || len(v.Reviews) != 3 {
		t.Errorf("after the third look: %s with %d reviews", v.Status, len(v.Reviews))
	}
}

func TestDisagree(t *testing.T) {
	base := Rubric{Escalation: EscalationAppropriate, Accuracy: 3, Grounding: 3, Empathy: 3, RoleFit: 3}
	close1 := base
	close1.Accuracy, close1.RoleFit = 4, 2
	far := base
	far.Empathy = 5
	esc := base
	esc.Escalation = EscalationNA
	if Disagree(base, close1) || !Disagree(base, far) || !Disagree(far, base) || !Disagree(base, esc) {
		t.Error("disagreement is: escalation differs, or a score differs by 2 or more")
	}
}

func TestSecondShareIsDeterministic(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: 0.5})
	ctx := context.Background()
	a := f.Create(t, "rev-a", clinician.RoleReviewer)
	seconds := 0
	for range 12 {
		id, _ := f.item(t, "ok")
		if _, err := f.q.Claim(ctx, a, id); err != nil {
			t.Fatal(err)
		}
		if _, err := f.q.Submit(ctx, a, id, goodRubric()); err != nil {
			t.Fatal(err)
		}
		var status string
		_ = f.DB.Pool.QueryRow(ctx, `SELECT status FROM review_items WHERE id = $1`, id).Scan(&status)
		want := StatusDone
		if SecondReviewChosen(testSalt, id, 0.5) {
			want = StatusSecond
			seconds++
		}
		if status != want {
			t.Errorf("item %d: %s, want %s", id, status, want)
		}
	}
	if seconds == 0 || seconds == 12 {
		t.Errorf("%d of 12 went to a second review at share 0.5", seconds)
	}
}

func TestReviewerSeesOnlyQueuedItems(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	a, b := f.Create(t, "rev-a", clinician.RoleReviewer), f.Create(t, "rev-b", clinician.RoleReviewer)
	oncall := f.Create(t, "oncall", clinician.RoleOncall, clinician.RoleAdmin)
	id, _ := f.item(t, "fine")
	if _, err := f.q.Claim(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Submit(ctx, a, id, goodRubric()); err != nil {
		t.Fatal(err)
	}
	// Done, and b never reviewed it: as good as absent. a may still read their own review.
	for _, probe := range []int64{id, id + 1, 999999, -1} {
		if _, err := f.q.Item(ctx, b, probe); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
			t.Errorf("b opens item %d: %v, want not found", probe, err)
		}
		if _, err := f.q.Claim(ctx, b, probe); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
			t.Errorf("b claims item %d: %v, want not found", probe, err)
		}
	}
	if _, err := f.q.Item(ctx, a, id); err != nil {
		t.Errorf("a rereads their review: %v", err)
	}
	if list, _ := f.q.List(ctx, a, Filter{Status: StatusDone}); len(list) != 1 {
		t.Errorf("a's done list: %+v", list)
	}
	if _, err := f.q.Item(ctx, oncall, id); nightfloat.ErrorCode(err) != nightfloat.CodeForbidden {
		t.Errorf("a clinician without the reviewer role: %v, want forbidden", err)
	}
	// Retention removed a queued conversation's transcript by another path: not shown.
	id2, c2 := f.item(t, "bye")
	if _, err := f.DB.Pool.Exec(ctx, `DELETE FROM conversations WHERE id = $1`, c2.id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Item(ctx, b, id2); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
		t.Errorf("item without a conversation: %v, want not found", err)
	}
}

func TestQueueFilters(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	a := f.Create(t, "rev-a", clinician.RoleReviewer)
	old, _ := f.item(t, "old one")
	f.Clock.Advance(8 * 24 * time.Hour)
	fresh, _ := f.item(t, "fresh one")
	h := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	s := h.resident("I want to die")
	h.assess(s, "message", "emergency", []string{"suicidal_ideation"}, nil)
	f.Create(t, "oncall1", clinician.RoleOncall)
	h.handoff(s, "emergency", "resolved")
	if _, err := f.sampler.SampleOnce(ctx); err != nil {
		t.Fatal(err)
	}
	ids := func(fl Filter) []int64 {
		list, err := f.q.List(ctx, a, fl)
		if err != nil {
			t.Fatalf("List(%+v): %v", fl, err)
		}
		var out []int64
		for _, it := range list {
			out = append(out, it.ID)
		}
		return out
	}
	all := ids(Filter{})
	if len(all) != 3 || all[1] != old || all[2] != fresh {
		t.Errorf("open queue %v, want the handoff first, then oldest first", all)
	}
	handoffItem := all[0]
	if got := ids(Filter{Reason: ReasonHandoff}); !slices.Equal(got, []int64{handoffItem}) {
		t.Errorf("reason filter: %v", got)
	}
	if got := ids(Filter{Level: "emergency"}); !slices.Equal(got, []int64{handoffItem}) {
		t.Errorf("level filter: %v", got)
	}
	if got := ids(Filter{Age: "older"}); !slices.Equal(got, []int64{old}) {
		t.Errorf("age filter older: %v", got)
	}
	if got := ids(Filter{Age: "24h"}); len(got) != 2 || slices.Contains(got, old) {
		t.Errorf("age filter 24h: %v", got)
	}
	if _, err := f.q.Claim(ctx, a, fresh); err != nil {
		t.Fatal(err)
	}
	if got := ids(Filter{Status: "mine"}); !slices.Equal(got, []int64{fresh}) {
		t.Errorf("mine: %v", got)
	}
	for _, bad := range []Filter{{Reason: "x"}, {Level: "high"}, {Status: "zzz"}, {Age: "1y"}} {
		if _, err := f.q.List(ctx, a, bad); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
			t.Errorf("List(%+v): %v, want invalid", bad, err)
		}
	}
}
