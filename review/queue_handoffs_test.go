package review

import (
	"context"
	"nightfloat"
	"nightfloat/clinician"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReviewOfAHandoff: the queue counts one handoff with several categories as one; the
// reviewer reads the crisis numbers the resident was given and the clinician's role, with
// the clinician's name redacted, and the disposition and note; the clinician who claimed
// the handoff can neither find it in their queue nor claim it.
func TestReviewOfAHandoff(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	lee := f.Create(t, "dr-lee", clinician.RoleOncall, clinician.RoleReviewer) // claims the handoff below
	other := f.Create(t, "dr-other", clinician.RoleReviewer)
	c := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Hour))
	s := c.resident("I have a plan to end my life")
	c.assess(s, "message", "emergency", []string{"suicidal_ideation", "suicide_plan_or_intent"}, nil)
	c.msg("system", "handoff", "I'm connecting you with a clinician now.\n• Call or text 988 (Suicide & Crisis Lifeline, US, 24/7).\n• Physician Support Line: 1-888-409-0141.", nil)
	c.msg("clinician", "text", "Hi, I'm Dr Sarah Lee, a person. You can call me on 555-123-4567.", nil)
	c.handoff(s, "emergency", "resolved", "suicidal_ideation", "suicide_plan_or_intent", "acute_crisis")
	if _, err := f.DB.Pool.Exec(ctx, `UPDATE handoffs SET note = 'Safety plan with Dr Sarah Lee; follow-up booked', claimed_by = $1`, lee.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sampler.SampleOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var id int64
	var detail map[string]any
	if err := f.DB.Pool.QueryRow(ctx, `SELECT item_id, detail FROM review_samples WHERE conversation_id = $1 AND reason = 'handoff'`, c.id).Scan(&id, &detail); err != nil {
		t.Fatal(err)
	}
	if n, _ := detail["handoffs"].(float64); n != 1 {
		t.Errorf("one handoff with three categories is counted as %v", detail["handoffs"])
	}

	v, err := f.q.Item(ctx, other, id)
	if err != nil {
		t.Fatal(err)
	}
	turn := func(author string) string {
		for _, tu := range v.Turns {
			if tu.Author == author {
				return tu.Text
			}
		}
		return ""
	}
	for _, tc := range []struct {
		what, text, want string
		present          bool
	}{
		{"the lifeline in the handoff notice", turn("system"), "988", true},
		{"the support line in the handoff notice", turn("system"), "1-888-409-0141", true},
		{"the clinician's name", turn("clinician"), "Sarah", false},
		{"the clinician's phone", turn("clinician"), "555-123-4567", false},
	} {
		if got := strings.Contains(tc.text, tc.want); got != tc.present {
			t.Errorf("%s: %q in %q is %v, want %v", tc.what, tc.want, tc.text, got, tc.present)
		}
	}
	if len(v.Handoffs) != 1 {
		t.Fatalf("handoffs %+v", v.Handoffs)
	}
	h := v.Handoffs[0]
	if h.Disposition != "referred" || h.ClaimedBy != "on-call clinician" || !strings.Contains(h.Note, "follow-up booked") || strings.Contains(h.Note, "Sarah") {
		t.Errorf("handoff summary %+v: want the disposition, the claimer's role and the note with the name redacted", h)
	}
	if !v.CanClaim || v.OwnHandoff {
		t.Errorf("another reviewer may claim: CanClaim %v OwnHandoff %v", v.CanClaim, v.OwnHandoff)
	}

	// The clinician who claimed the handoff does not review it.
	list, err := f.q.List(ctx, lee, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(list, func(it ItemSummary) bool { return it.ID == id }) {
		t.Error("the clinician's own handoff is in their review queue")
	}
	if _, err := f.q.Claim(ctx, lee, id); nightfloat.ErrorCode(err) != nightfloat.CodeForbidden {
		t.Errorf("claiming one's own handoff: %v, want forbidden", err)
	}
	own, err := f.q.Item(ctx, lee, id)
	if err != nil {
		t.Fatal(err)
	}
	if own.CanClaim || own.CanSubmit || !own.OwnHandoff {
		t.Errorf("own handoff view: CanClaim %v CanSubmit %v OwnHandoff %v", own.CanClaim, own.CanSubmit, own.OwnHandoff)
	}
}

// TestSampleReadyNow: without the quiet wait, a conversation active a minute ago is queued
// once its handoff is resolved, and not while the handoff is open.
func TestSampleReadyNow(t *testing.T) {
	f := newQueueFixture(t, QueueOptions{SecondShare: -1})
	ctx := context.Background()
	f.Create(t, "oncall1", clinician.RoleOncall)
	done := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Minute))
	done.handoff(done.resident("I want to die"), "emergency", "resolved")
	open := newConv(t, f.DB.Pool, "resident", f.Clock.Now().Add(-time.Minute))
	open.handoff(open.resident("I want to die"), "emergency", "claimed")

	for _, tc := range []struct {
		name           string
		readyNow       bool
		wantDone, want []string
	}{
		{"waiting for quiet", false, []string{}, []string{}},
		{"ready now", true, []string{ReasonHandoff}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSampler(f.DB.Pool, f.Audit, SamplingOptions{Now: f.Clock.Now, Salt: testSalt, RandomRate: -1, ReadyNow: tc.readyNow})
			if _, err := s.SampleOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if got := queued(t, f.DB.Pool, done.id); !slices.Equal(got, tc.wantDone) {
				t.Errorf("resolved handoff queued for %v, want %v", got, tc.wantDone)
			}
			if got := queued(t, f.DB.Pool, open.id); !slices.Equal(got, tc.want) {
				t.Errorf("open handoff queued for %v, want %v", got, tc.want)
			}
		})
	}
}
