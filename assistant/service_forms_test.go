package assistant_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/safety"
	"nightfloat/selfhelp"
)

// planJSON is a safety plan's answers as a page sends them.
func planJSON(tb testing.TB, p selfhelp.Plan) json.RawMessage {
	tb.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// convState reads what a form save may change: the conversation's mode, its open
// handoffs, its risk level and its assessments.
type convState struct {
	Mode        string
	Handoffs    int
	RiskLevel   string
	Assessments int
}

func stateOf(tb testing.TB, f *fixture, convID string) convState {
	tb.Helper()
	var s convState
	err := f.db.Pool.QueryRow(context.Background(), `SELECT c.mode,
			(SELECT count(*) FROM handoffs h WHERE h.conversation_id = c.id AND h.status <> 'resolved'),
			coalesce((SELECT level FROM conversation_risk r WHERE r.conversation_id = c.id), 'none'),
			(SELECT count(*) FROM assessments a WHERE a.conversation_id = c.id)
		FROM conversations c WHERE c.id = $1`, convID).Scan(&s.Mode, &s.Handoffs, &s.RiskLevel, &s.Assessments)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestSafetyPlanFieldsAreCheckedLikeMessages: a plan without red flags is kept with its
// save recorded and judged; a red flag typed into one entry hands the conversation to a
// clinician like a message (the AI stops, a handoff opens, the resident gets crisis
// resources, the risk state rises), and the plan with that entry is kept.
func TestSafetyPlanFieldsAreCheckedLikeMessages(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}

	plan := selfhelp.Plan{WarningSigns: []string{"Replaying a case in bed for hours"}, OnMyOwn: []string{"A hot shower", " "}, Reasons: []string{"My dog"}}
	res, err := svc.SaveForm(ctx, conv, "p1", 0, selfhelp.KindSafetyPlan, planJSON(t, plan))
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicate || res.HandedOff || res.Form.ID == 0 || res.Form.Revision != 1 {
		t.Fatalf("first save: %+v", res)
	}
	if m := res.Message; m.Author != assistant.AuthorResident || m.Kind != assistant.KindForm || m.ClientID != "p1" ||
		m.Form == nil || m.Form.ID != res.Form.ID || m.Form.Action != assistant.FormSaved || strings.Contains(m.Body, "shower") {
		t.Errorf("the save's message: %+v (form %+v)", m, m.Form)
	}
	var kept selfhelp.Plan
	if err := json.Unmarshal(res.Form.Answers, &kept); err != nil || !slices.Equal(kept.OnMyOwn, []string{"A hot shower"}) {
		t.Errorf("kept plan %+v (%v): the empty entry should be dropped", kept, err)
	}
	if got := turnState(t, f, conv.ID, res.Message.Seq); got != assistant.TurnDone {
		t.Errorf("a form save is no turn for the AI: state %q", got)
	}
	if s := stateOf(t, f, conv.ID); s.Mode != assistant.ModeAI || s.Handoffs != 0 || s.Assessments != 1 {
		t.Errorf("after a calm plan: %+v", s)
	}

	// A resend of the same client id changes nothing.
	again, err := svc.SaveForm(ctx, conv, "p1", 0, selfhelp.KindSafetyPlan, planJSON(t, plan))
	if err != nil || !again.Duplicate || again.Message.Seq != res.Message.Seq || again.Form.Revision != 1 {
		t.Errorf("resend: %+v, %v", again, err)
	}

	// The same entries again: nothing new to judge; no assessment is added.
	plan.Distractions = []string{}
	same, err := svc.SaveForm(ctx, conv, "p2", 0, selfhelp.KindSafetyPlan, planJSON(t, plan))
	if err != nil || same.Form.ID != res.Form.ID || same.Form.Revision != 2 {
		t.Fatalf("second save: %+v, %v", same, err)
	}
	if s := stateOf(t, f, conv.ID); s.Assessments != 1 {
		t.Errorf("unchanged text was judged again: %d assessments", s.Assessments)
	}

	// A red flag in one entry.
	plan.WarningSigns = append(plan.WarningSigns, "I keep thinking about killing myself and I have a plan")
	flagged, err := svc.SaveForm(ctx, conv, "p3", 0, selfhelp.KindSafetyPlan, planJSON(t, plan))
	if err != nil {
		t.Fatal(err)
	}
	if !flagged.HandedOff {
		t.Fatalf("a red flag in the plan did not hand off: %+v", flagged)
	}
	s := stateOf(t, f, conv.ID)
	if s.Mode != assistant.ModeHuman || s.Handoffs != 1 || (s.RiskLevel != "urgent" && s.RiskLevel != "emergency") || s.Assessments != 2 {
		t.Errorf("after a red flag in the plan: %+v", s)
	}
	msgs, err := svc.MessagesAfter(ctx, conv.ID, flagged.Message.Seq, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || msgs[len(msgs)-1].Kind != assistant.KindHandoff || !strings.Contains(msgs[len(msgs)-1].Body, "988") ||
		!strings.Contains(msgs[len(msgs)-1].Body, "555-0100") {
		t.Errorf("want the handoff notice with crisis resources after the save, got %+v", msgs)
	}
	h, err := svc.CurrentHandoff(ctx, conv.ID)
	if err != nil || h.TriggerSeq != flagged.Message.Seq || !h.Open() {
		t.Errorf("the handoff should be open and name the save: %+v, %v", h, err)
	}
	forms, err := svc.Forms(ctx, conv.ID)
	if err != nil || len(forms) != 1 || !strings.Contains(string(forms[0].Answers), "killing myself") {
		t.Errorf("the plan with the red flag must be kept: %+v, %v", forms, err)
	}
	var checked string
	if err := f.db.Pool.QueryRow(ctx, `SELECT meta->>'checked' FROM messages WHERE conversation_id = $1 AND seq = $2`,
		conv.ID, flagged.Message.Seq).Scan(&checked); err != nil || checked != `["warning_signs[1]"]` {
		t.Errorf("only the new entry should be judged: checked %s (%v)", checked, err)
	}
}

// TestExerciseFieldsAreChecked: a thought record's free text goes through the classifier
// too, and a red flag in it hands off; a later exercise is a new form, and saving it by
// id replaces it.
func TestExerciseFieldsAreChecked(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "fellow")
	if err != nil {
		t.Fatal(err)
	}
	intensity := 70
	rec := selfhelp.ThoughtRecord{Situation: "Corrected on rounds", AutomaticThought: "Everyone thinks I'm useless", Emotion: "Ashamed", Intensity: &intensity}
	raw, _ := json.Marshal(rec)
	first, err := svc.SaveForm(ctx, conv, "t1", 0, selfhelp.KindThoughtRecord, raw)
	if err != nil || first.HandedOff {
		t.Fatalf("first record: %+v, %v", first, err)
	}
	rec.BalancedThought = "I was corrected once; that is how people learn"
	raw, _ = json.Marshal(rec)
	second, err := svc.SaveForm(ctx, conv, "t2", first.Form.ID, selfhelp.KindThoughtRecord, raw)
	if err != nil || second.Form.ID != first.Form.ID || second.Form.Revision != 2 {
		t.Fatalf("update by id: %+v, %v", second, err)
	}
	act := selfhelp.Activation{Activity: "Running", SmallVersion: "Walk ten minutes", When: "Saturday"}
	raw, _ = json.Marshal(act)
	if _, err := svc.SaveForm(ctx, conv, "a1", first.Form.ID, selfhelp.KindActivation, raw); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
		t.Errorf("saving an activity plan over a thought record's id: %v, want not_found", err)
	}

	rec2 := selfhelp.ThoughtRecord{Situation: "After the code", AutomaticThought: "I want to die, everyone would be better off without me"}
	raw, _ = json.Marshal(rec2)
	flagged, err := svc.SaveForm(ctx, conv, "t3", 0, selfhelp.KindThoughtRecord, raw)
	if err != nil || !flagged.HandedOff || flagged.Form.ID == first.Form.ID {
		t.Fatalf("a red flag in a thought record: %+v, %v", flagged, err)
	}
	if s := stateOf(t, f, conv.ID); s.Mode != assistant.ModeHuman || s.Handoffs != 1 {
		t.Errorf("after the red flag: %+v", s)
	}
	forms, err := svc.Forms(ctx, conv.ID)
	if err != nil || len(forms) != 2 {
		t.Errorf("want both thought records kept, got %d (%v)", len(forms), err)
	}
}

// TestFormSaveFailsClosed: when the classifier fails, the form is still kept (nothing
// typed is lost), the save is a failed turn, and the resident is told with crisis
// resources; no handoff is opened by an unchecked text.
func TestFormSaveFailsClosed(t *testing.T) {
	f := newFixture(t)
	real, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, fail := range []string{"error", "panic"} {
		t.Run(fail, func(t *testing.T) {
			svc := f.service(t, func(d *assistant.Deps) { d.Classifier = faultyClassifier{real: real, fail: fail} })
			ctx := context.Background()
			conv, _, err := svc.Start(ctx, "nurse")
			if err != nil {
				t.Fatal(err)
			}
			res, err := svc.SaveForm(ctx, conv, "p1", 0, selfhelp.KindSafetyPlan, planJSON(t, selfhelp.Plan{Reasons: []string{"My niece"}}))
			if err != nil {
				t.Fatal(err)
			}
			if got := turnState(t, f, conv.ID, res.Message.Seq); got != assistant.TurnFailed {
				t.Errorf("turn state %q, want failed", got)
			}
			msgs, err := svc.MessagesAfter(ctx, conv.ID, res.Message.Seq, 10)
			if err != nil || len(msgs) != 1 || msgs[0].Kind != assistant.KindError || !strings.Contains(msgs[0].Body, "988") {
				t.Errorf("want one failure notice with crisis resources, got %+v (%v)", msgs, err)
			}
			forms, err := svc.Forms(ctx, conv.ID)
			if err != nil || len(forms) != 1 {
				t.Errorf("the plan must be kept when the check fails: %+v, %v", forms, err)
			}
		})
	}
}

// TestFormsRefuseWhatTheyCannotKeep: bad answers are refused and nothing is stored.
func TestFormsRefuseWhatTheyCannotKeep(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		clientID string
		kind     selfhelp.Kind
		answers  string
	}{
		{"unknown form", "x1", "diary", `{}`},
		{"unknown field", "x2", selfhelp.KindSafetyPlan, `{"warning_signs":["a"],"secret":"b"}`},
		{"wrong type", "x3", selfhelp.KindSafetyPlan, `{"warning_signs":"a"}`},
		{"entry too long", "x4", selfhelp.KindSafetyPlan, `{"reasons":["` + strings.Repeat("a", selfhelp.MaxPlanEntryChars+1) + `"]}`},
		{"empty exercise", "x5", selfhelp.KindThoughtRecord, `{}`},
		{"no client id", "", selfhelp.KindSafetyPlan, `{}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.SaveForm(ctx, conv, tt.clientID, 0, tt.kind, json.RawMessage(tt.answers))
			if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
				t.Errorf("got %v, want invalid", err)
			}
		})
	}
	if s := stateOf(t, f, conv.ID); s.Assessments != 0 {
		t.Errorf("refused saves were judged: %+v", s)
	}
	if forms, err := svc.Forms(ctx, conv.ID); err != nil || len(forms) != 0 {
		t.Errorf("refused saves were kept: %+v, %v", forms, err)
	}
}

// TestDeleteFormRemovesItForGood: the plan is gone from the database, the deletion is
// recorded without its text, and another conversation's form cannot be deleted.
func TestDeleteFormRemovesItForGood(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.SaveForm(ctx, conv, "p1", 0, selfhelp.KindSafetyPlan, planJSON(t, selfhelp.Plan{Reasons: []string{"UNIQUE-REASON-42"}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteForm(ctx, other, "d0", res.Form.ID); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
		t.Errorf("deleting another conversation's plan: %v, want not_found", err)
	}
	msg, err := svc.DeleteForm(ctx, conv, "d1", res.Form.ID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Form == nil || msg.Form.Action != assistant.FormDeleted || msg.Kind != assistant.KindForm {
		t.Errorf("deletion message: %+v", msg)
	}
	if again, err := svc.DeleteForm(ctx, conv, "d1", res.Form.ID); err != nil || again.Seq != msg.Seq {
		t.Errorf("a resent deletion: %+v, %v", again, err)
	}
	var n int
	if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM selfhelp_forms WHERE answers::text LIKE '%UNIQUE-REASON-42%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the deleted plan's text is still stored (%d rows, %v)", n, err)
	}
	if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE body LIKE '%UNIQUE-REASON-42%' OR meta::text LIKE '%UNIQUE-REASON-42%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the plan's text is in messages (%d rows, %v)", n, err)
	}
}
