package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"nightfloat/clinician"
	"nightfloat/web/protocol"
)

// residentFrames reads a resident client's frames until match accepts one, returning all.
func residentFrames(t *testing.T, ctx context.Context, rc *ResidentClient, match func(protocol.ServerFrame) bool) []protocol.ServerFrame {
	t.Helper()
	var got []protocol.ServerFrame
	for {
		f, err := rc.Next(ctx)
		if err != nil {
			t.Fatalf("read frame (after %d frames): %v", len(got), err)
		}
		got = append(got, f)
		if match(f) {
			return got
		}
	}
}

// phq9 is a complete PHQ-9 with every scored question at v, then extra.
func phq9(v int, extra map[string]int) map[string]int {
	a := map[string]int{}
	for i := 1; i <= 9; i++ {
		a[fmt.Sprintf("phq9_%d", i)] = v
	}
	for k, x := range extra {
		a[k] = x
	}
	return a
}

// TestScreenOverTheSocketHandsOffAndTheReplyArrivesOnReconnect is the end-to-end path of
// issue 19's screening, over the real websockets and console: a resident answers PHQ-9
// item 9 above "Not at all"; the screen is acknowledged only after the summary and the
// handoff notice with crisis resources are stored, the handoff opens at once (the on-call
// console is alerted, the AI falls silent); a counsellor sees the screen, with nothing of
// the conversation, and replies; the resident, reconnecting later, finds the reply
// replayed like any message, marked as the counsellor's.
func TestScreenOverTheSocketHandsOffAndTheReplyArrivesOnReconnect(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	rc, err := DialResident(ctx, h.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Hello("resident"); err != nil {
		t.Fatal(err)
	}
	welcome := residentFrames(t, ctx, rc, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeWelcome })[0]
	convID, token := welcome.ConversationID, welcome.Token
	if err := rc.Send("m1", "rough week, can't switch off"); err != nil {
		t.Fatal(err)
	}
	residentFrames(t, ctx, rc, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeDone })

	answers := phq9(1, map[string]int{"phq9_difficulty": 2}) // total 9, mild; item 9 "Several days"
	if err := rc.Screen("scr-1", "phq9", answers); err != nil {
		t.Fatal(err)
	}
	frames := residentFrames(t, ctx, rc, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeScreened })
	ack := frames[len(frames)-1]
	if ack.Screen == nil || ack.ClientID != "scr-1" || !ack.Screen.Handoff || ack.Screen.Level != "urgent" || ack.Screen.Total != 9 ||
		ack.Screen.Band != "mild" || !ack.Screen.Complete || ack.Screen.Name != "PHQ-9" || ack.Screen.Meaning == "" {
		t.Fatalf("screened frame %s", ack.Raw)
	}
	var summary, notice bool
	for _, f := range frames {
		if f.Type != protocol.TypeMessage {
			continue
		}
		summary = summary || (f.Author == "system" && f.Kind == "text" && strings.Contains(f.Body, "9 out of 27"))
		notice = notice || (f.Kind == "handoff" && strings.Contains(f.Body, "988") && strings.Contains(f.Body, "better off dead"))
	}
	if !summary || !notice {
		t.Fatalf("before the acknowledgement: summary %v, handoff notice %v; frames %d", summary, notice, len(frames))
	}
	hf := residentFrames(t, ctx, rc, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeHandoff })
	if last := hf[len(hf)-1]; last.Status != "waiting" || last.Mode != "human" || last.Level != "urgent" {
		t.Fatalf("handoff frame %s", last.Raw)
	}
	item := doc.alert()
	if item["level"] != "urgent" || fmt.Sprint(item["categories"]) != "[suicidal_ideation]" {
		t.Fatalf("the on-call console was alerted with %v", item)
	}
	// A resend is answered with the stored screen; nothing is stored twice.
	if err := rc.Screen("scr-1", "phq9", answers); err != nil {
		t.Fatal(err)
	}
	again := residentFrames(t, ctx, rc, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeScreened })
	if dup := again[len(again)-1]; dup.Screen.ID != ack.Screen.ID {
		t.Fatalf("resend acknowledged as screen %d, want %d", dup.Screen.ID, ack.Screen.ID)
	}
	var screens, handoffs int
	if err := h.db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM screens), (SELECT count(*) FROM handoffs)`).Scan(&screens, &handoffs); err != nil || screens != 1 || handoffs != 1 {
		t.Fatalf("%d screens and %d handoffs after a resend (%v)", screens, handoffs, err)
	}
	// The AI is silent now: a message is stored and acknowledged, and nothing answers it.
	if err := rc.Send("m2", "ok"); err != nil {
		t.Fatal(err)
	}
	wait, stop := context.WithTimeout(ctx, 3*time.Second)
	for {
		f, err := rc.Next(wait)
		if err != nil {
			break
		}
		if f.Type == protocol.TypeMessage && f.Author == "assistant" {
			t.Fatalf("the AI answered after the screen handed off: %s", f.Raw)
		}
	}
	stop()
	lastSeq := welcome.Seq
	msgs, _ := h.svc.MessagesAfter(ctx, convID, 0, 100)
	lastSeq = msgs[len(msgs)-1].Seq
	if err := rc.Close(); err != nil {
		t.Logf("close: %v", err)
	}

	// The counsellor's page: the pseudonym, role and results, nothing the resident typed.
	conv, err := h.svc.Conversation(ctx, convID)
	if err != nil {
		t.Fatal(err)
	}
	cara := h.signIn(t, "cara", clinician.RoleCounsellor)
	code, page, _ := cara.request(t, "GET", "/console/screens", nil, "")
	if code != http.StatusOK || !strings.Contains(page, conv.Pseudonym) || !strings.Contains(page, "item 9") || !strings.Contains(page, "9 / 27") {
		t.Fatalf("counsellors' page (%d) lacks the screen: %.400s", code, page)
	}
	for _, typed := range []string{"rough week", convID, token} {
		if strings.Contains(page, typed) {
			t.Errorf("the counsellors' page shows %q", typed)
		}
	}
	reply := "Hi, I'm one of the programme's counsellors. I read your answers and I'm glad you did this."
	code, _, hdr := cara.request(t, "POST", fmt.Sprintf("/console/screens/%d/reply", ack.Screen.ID),
		url.Values{"text": {reply}, "next_step": {"physician_support_line"}}, "")
	if code != http.StatusSeeOther || hdr.Get("Location") != "/console/screens?done=reply" {
		t.Fatalf("reply: %d %v", code, hdr)
	}
	if code, page, _ = cara.request(t, "GET", "/console/screens", nil, ""); code != http.StatusOK || strings.Contains(page, conv.Pseudonym) {
		t.Errorf("the answered screen is still listed (%d)", code)
	}

	// The resident comes back later: the reply is replayed like any message.
	rc2, err := DialResident(ctx, h.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc2.Close()
	if err := rc2.Resume(convID, token, lastSeq); err != nil {
		t.Fatal(err)
	}
	got := residentFrames(t, ctx, rc2, func(f protocol.ServerFrame) bool { return f.Type == protocol.TypeMessage && f.Counsellor })
	m := got[len(got)-1]
	if m.Author != "clinician" || !strings.HasPrefix(m.Body, reply) || !strings.Contains(m.Body, "1-888-409-0141") || m.Seq <= lastSeq {
		t.Fatalf("the counsellor's reply arrived as %s", m.Raw)
	}
	entries := h.auditActions(t)
	for _, want := range []string{"screen.reply", "screens.view"} {
		if !entries[want] {
			t.Errorf("%s not audited", want)
		}
	}
}

// auditActions returns the actions in the audit log.
func (h *harness) auditActions(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := h.audit.List(context.Background(), time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	return seen
}

// TestScreenFrameRefusals: a screen before hello, an incomplete one, an unknown
// questionnaire and answers that are not an object are refused with invalid and the
// screen's client_id, stored nothing, and the socket stays open.
func TestScreenFrameRefusals(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.dial(t, nil)
	c.send(map[string]any{"type": "screen", "client_id": "early", "instrument": "burnout", "answers": map[string]int{"burnout_1": 3}})
	if f := c.next(); f.str("type") != "error" || f.str("code") != "invalid" || f.str("client_id") != "early" {
		t.Fatalf("screen before hello: %v", f)
	}
	c.start("nurse")
	for _, tc := range []struct {
		frame map[string]any
		want  string
	}{
		{map[string]any{"type": "screen", "client_id": "g", "instrument": "gad7", "answers": map[string]int{"gad7_1": 1, "gad7_2": 1}}, "unanswered"},
		{map[string]any{"type": "screen", "client_id": "u", "instrument": "phq2", "answers": map[string]int{"phq2_1": 1}}, "unknown questionnaire"},
		{map[string]any{"type": "screen", "client_id": "s", "instrument": "burnout", "answers": "3"}, "object"},
	} {
		c.send(tc.frame)
		f := c.next()
		if f.str("type") != "error" || f.str("code") != "invalid" || !strings.Contains(f.str("message"), tc.want) {
			t.Errorf("%v: got %v, want invalid saying %q", tc.frame, f, tc.want)
		}
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM screens`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d screens stored (%v)", n, err)
	}
	c.send(map[string]any{"type": "screen", "client_id": "ok", "instrument": "burnout", "answers": map[string]int{"burnout_1": 3}})
	f := c.until(func(f frame) bool { return f.str("type") == "screened" })
	scr, _ := f[len(f)-1]["screen"].(map[string]any)
	if scr["band"] != "burnout" || scr["positive"] != true || scr["handoff"] != false {
		t.Fatalf("after the refusals the socket stores a screen: %v", scr)
	}
}
