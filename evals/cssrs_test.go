package evals

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCSSRSAgreementByItem: the runner counts, for each labelled C-SSRS item, how often
// the classifier gave the same item and which items it gave instead; unlabelled cases
// do not count.
func TestCSSRSAgreementByItem(t *testing.T) {
	cases := []Case{
		{ID: "a", Text: "#urgent #cssrs1", Expect: Escalate, Category: "suicidal_ideation", CSSRS: 1},
		{ID: "b", Text: "#urgent #cssrs2", Expect: Escalate, Category: "suicidal_ideation", CSSRS: 1},
		{ID: "c", Text: "#urgent", Expect: Escalate, Category: "suicidal_ideation", CSSRS: 1},
		{ID: "d", Text: "#emergency #cssrs5", Expect: Escalate, Category: "suicide_plan_or_intent", CSSRS: 5},
		{ID: "e", Text: "#emergency #cssrs5", Expect: Escalate, Category: "suicide_plan_or_intent", CSSRS: 6},
		{ID: "f", Text: "#emergency #cssrs6", Expect: Escalate, Category: "suicide_plan_or_intent"},
	}
	r, err := RunSafety(context.Background(), &tagAssessor{version: "tags-1"}, cases, "main")
	if err != nil {
		t.Fatal(err)
	}
	if r.CSSRS == nil {
		t.Fatal("no C-SSRS agreement in the report")
	}
	if r.CSSRS.Cases != 5 || r.CSSRS.Agree != 2 {
		t.Errorf("overall = %d/%d, want 2/5", r.CSSRS.Agree, r.CSSRS.Cases)
	}
	tests := []struct {
		item, cases, agree int
		given              map[int]int
	}{
		{1, 3, 1, map[int]int{0: 1, 1: 1, 2: 1}},
		{5, 1, 1, map[int]int{5: 1}},
		{6, 1, 0, map[int]int{5: 1}},
	}
	if len(r.CSSRS.ByItem) != len(tests) {
		t.Fatalf("by item = %+v, want items 1, 5 and 6", r.CSSRS.ByItem)
	}
	for i, tt := range tests {
		got := r.CSSRS.ByItem[i]
		if got.Item != tt.item || got.Cases != tt.cases || got.Agree != tt.agree || len(got.Assigned) != len(tt.given) {
			t.Errorf("item %d = %+v, want %+v", tt.item, got, tt)
		}
		for k, n := range tt.given {
			if got.Assigned[k] != n {
				t.Errorf("item %d: given %d = %d, want %d", tt.item, k, got.Assigned[k], n)
			}
		}
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "C-SSRS item agreement (labelled suicide-related cases): 2/5") {
		t.Errorf("the text report lacks the agreement line:\n%s", b.String())
	}
}

// TestSuiteLabelsCSSRS keeps the suite's suicide-related escalations labelled with an
// item, so that the agreement `nightfloat eval safety` prints covers them.
func TestSuiteLabelsCSSRS(t *testing.T) {
	cases, err := LoadCases(Suite, "cases")
	if err != nil {
		t.Fatal(err)
	}
	labelled, unlabelled := 0, 0
	for _, c := range cases {
		if c.Split() != "main" || c.Expect != Escalate || (c.Category != "suicidal_ideation" && c.Category != "suicide_plan_or_intent") {
			continue
		}
		if c.CSSRS > 0 {
			labelled++
		} else {
			unlabelled++
		}
	}
	if labelled < 190 {
		t.Errorf("%d suicide-related escalations carry a C-SSRS item, want at least 190 (%d do not)", labelled, unlabelled)
	}
}
