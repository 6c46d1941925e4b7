package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// calmPlan is a safety plan without red flags.
var calmPlan = map[string]any{"warning_signs": []string{"Replaying a case in bed for hours"}, "reasons": []string{"My dog"}}

// formsFrame waits for a forms frame with n items and returns its items.
func formsFrame(c *wsClient, n int) []map[string]any {
	c.tb.Helper()
	got := c.until(func(f frame) bool {
		items, _ := f["items"].([]any)
		return f.str("type") == "forms" && len(items) == n
	})
	var out []map[string]any
	for _, it := range got[len(got)-1]["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// resume reopens a conversation on a new socket, replaying it from the start.
func resume(h *harness, tb testing.TB, convID, token string) *wsClient {
	tb.Helper()
	c := h.dial(tb, nil)
	c.send(map[string]any{"type": "hello", "conversation_id": convID, "token": token, "last_seq": 0})
	if w := c.next(); w.str("type") != "welcome" {
		tb.Fatalf("want welcome, got %v", w)
	}
	return c
}

// TestSafetyPlanSurvivesReconnectAndDelete: a plan saved over the socket is acknowledged
// like a message, comes back with every (re)connect, and is gone for good once deleted;
// a resent save is not kept twice.
func TestSafetyPlanSurvivesReconnectAndDelete(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	res := h.dial(t, nil)
	w := res.start("resident")
	convID, token := w.str("conversation_id"), w.str("token")

	res.send(map[string]any{"type": "form_save", "client_id": "p1", "kind": "safety_plan", "answers": calmPlan})
	got := res.until(func(f frame) bool { return f.str("type") == "message" && f.str("client_id") == "p1" })
	ack := got[len(got)-1]
	ref, _ := ack["form"].(map[string]any)
	if ack.str("kind") != "form" || ack.str("author") != "resident" || ref["action"] != "saved" || ref["kind"] != "safety_plan" {
		t.Fatalf("the save's acknowledgement: %v", ack)
	}
	if strings.Contains(ack.str("text"), "My dog") {
		t.Errorf("the plan's text is in the message: %q", ack.str("text"))
	}
	items := formsFrame(res, 1)
	planID := int64(items[0]["id"].(float64))
	if ref["id"].(float64) != float64(planID) {
		t.Errorf("the message names form %v, the forms frame %d", ref["id"], planID)
	}
	res.send(map[string]any{"type": "form_save", "client_id": "p1", "kind": "safety_plan", "answers": calmPlan})
	again := res.until(func(f frame) bool { return f.str("type") == "message" && f.str("client_id") == "p1" })
	if again[len(again)-1].num("seq") != ack.num("seq") {
		t.Errorf("a resent save got a new seq: %v", again[len(again)-1])
	}
	res.ws.Close()

	// Reconnect: the plan is loaded, and the save replayed.
	back := resume(h, t, convID, token)
	replayed := false
	plan := back.until(func(f frame) bool {
		replayed = replayed || (f.str("type") == "message" && f.str("client_id") == "p1")
		items, _ := f["items"].([]any)
		return f.str("type") == "forms" && len(items) == 1
	})
	answers, _ := json.Marshal(plan[len(plan)-1]["items"].([]any)[0].(map[string]any)["answers"])
	if !replayed || !strings.Contains(string(answers), "My dog") {
		t.Fatalf("after a reconnect: replayed %v, plan %s", replayed, answers)
	}

	back.send(map[string]any{"type": "form_delete", "client_id": "d1", "form_id": planID})
	formsFrame(back, 0)
	back.ws.Close()
	again2 := resume(h, t, convID, token)
	formsFrame(again2, 0)
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM selfhelp_forms`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d forms kept after the delete (%v)", n, err)
	}
}

// TestRedFlagInAPlanHandsOff: a red flag typed into a plan entry hands the conversation to
// a clinician like a message: the handoff notice with crisis resources, the handoff frame,
// the on-call console alerted, and no AI reply.
func TestRedFlagInAPlanHandsOff(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()
	res := h.dial(t, nil)
	res.start("resident")
	plan := map[string]any{"warning_signs": []string{"Not answering texts", redFlag}}
	res.send(map[string]any{"type": "form_save", "client_id": "p1", "kind": "safety_plan", "answers": plan})
	frames := res.until(func(f frame) bool { return f.str("type") == "handoff" })
	var notice frame
	for _, f := range frames {
		if f.str("author") == "assistant" || f.str("type") == "delta" {
			t.Fatalf("AI text after a red flag in the plan: %v", f)
		}
		if f.str("kind") == "handoff" {
			notice = f
		}
	}
	if notice == nil || !strings.Contains(notice.str("text"), "988") || !strings.Contains(notice.str("text"), "clinician") {
		t.Fatalf("want the handoff notice with crisis resources, got %v", notice)
	}
	if hf := frames[len(frames)-1]; hf.str("status") != "waiting" || hf.str("mode") != "human" {
		t.Errorf("handoff frame %v", hf)
	}
	item := doc.alert()
	if item["status"] != "waiting" {
		t.Errorf("console alert %v", item)
	}
	// The clinician opening it reads the plan beside the transcript.
	doc.send(map[string]any{"type": "open", "handoff_id": item["id"]})
	fs := doc.until(func(f frame) bool { return f.str("type") == "forms" })
	b, _ := json.Marshal(fs[len(fs)-1])
	if !strings.Contains(string(b), "Not answering texts") {
		t.Errorf("the console does not show the plan: %s", b)
	}
}

// TestClinicianStartsAPlanDuringAHandoff: only the clinician holding the handoff may open
// the plan in the resident's chat; the resident gets a clinician's message of kind form,
// and the action is audited.
func TestClinicianStartsAPlanDuringAHandoff(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	doc := h.newClinician(t, "oncall1")
	other := h.newClinician(t, "oncall2")
	doc.onDuty()
	res := h.dial(t, nil)
	residentRedFlag(t, res)
	id := doc.alert()["id"]
	doc.send(map[string]any{"type": "offer_form", "handoff_id": id, "kind": "safety_plan"})
	if e := doc.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "conflict" {
		t.Errorf("offering before claiming: %v", e[len(e)-1])
	}
	doc.send(map[string]any{"type": "claim", "handoff_id": id})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "claimed" })
	other.send(map[string]any{"type": "offer_form", "handoff_id": id, "kind": "safety_plan"})
	if e := other.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "conflict" {
		t.Errorf("another clinician offering: %v", e[len(e)-1])
	}
	doc.send(map[string]any{"type": "offer_form", "handoff_id": id, "kind": "safety_plan"})
	got := res.until(func(f frame) bool { return f.str("type") == "message" && f.str("kind") == "form" })
	offer := got[len(got)-1]
	ref, _ := offer["form"].(map[string]any)
	if offer.str("author") != "clinician" || ref["action"] != "offered" || ref["kind"] != "safety_plan" {
		t.Errorf("the offer as the resident sees it: %v", offer)
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'handoff.form_offer'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d audit entries for the offer (%v)", n, err)
	}
	// The resident fills it in while the clinician holds the conversation: kept, no AI.
	res.send(map[string]any{"type": "form_save", "client_id": "p1", "kind": "safety_plan", "answers": calmPlan})
	formsFrame(res, 1)
}

// TestFormFramesAreChecked: a form frame before hello, an unknown form and answers the
// form cannot keep are refused with an error naming the client id, and nothing is kept.
func TestFormFramesAreChecked(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	res := h.dial(t, nil)
	res.send(map[string]any{"type": "form_save", "client_id": "x0", "kind": "safety_plan", "answers": calmPlan})
	if e := res.next(); e.str("type") != "error" || e.str("code") != "invalid" || e.str("client_id") != "x0" {
		t.Fatalf("a form before hello: %v", e)
	}
	res.start("resident")
	for _, tt := range []struct {
		kind    string
		answers any
	}{
		{"diary", map[string]any{}},
		{"safety_plan", map[string]any{"warning_signs": "one string"}},
		{"thought_record", map[string]any{"intensity": 500}},
	} {
		res.send(map[string]any{"type": "form_save", "client_id": "x-" + tt.kind, "kind": tt.kind, "answers": tt.answers})
		e := res.until(func(f frame) bool { return f.str("type") == "error" })
		if last := e[len(e)-1]; last.str("code") != "invalid" || last.str("client_id") != "x-"+tt.kind {
			t.Errorf("%s: %v", tt.kind, last)
		}
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM selfhelp_forms`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d forms kept (%v)", n, err)
	}
}
