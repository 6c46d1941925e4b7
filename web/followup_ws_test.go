package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"nightfloat/assistant"
)

// claimedHandoff raises a red flag in a new conversation and has doc claim it; it returns
// the conversation's id and token and the handoff's id.
func claimedHandoff(t *testing.T, h *harness, doc *consoleClient) (res *wsClient, convID, token string, id any) {
	t.Helper()
	res = h.dial(t, nil)
	w, _ := residentRedFlag(t, res)
	id = doc.alert()["id"]
	doc.send(map[string]any{"type": "claim", "handoff_id": id})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "claimed" })
	return res, w.str("conversation_id"), w.str("token"), id
}

// TestCheckinAfterAHandoff: a clinician resolves with a check-in; the resident is told at
// once; when it is due, coming back shows the check-in, and "I'd like to talk" opens a
// new handoff that the on-call console is alerted to.
func TestCheckinAfterAHandoff(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()
	res, convID, token, id := claimedHandoff(t, h, doc)

	bad := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "checkin_at": bad})
	if e := doc.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "invalid" {
		t.Fatalf("a check-in in the past: %v", e[len(e)-1])
	}
	due := time.Now().Add(1500 * time.Millisecond)
	doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "checkin_at": due.UTC().Format(time.RFC3339Nano)})
	got := res.until(func(f frame) bool { return f.str("type") == "message" && f.str("kind") == "checkin" })
	sched := got[len(got)-1]
	ref, _ := sched["checkin"].(map[string]any)
	if ref["action"] != "scheduled" || ref["due_at"] == nil || sched.str("author") != "system" {
		t.Fatalf("the scheduled check-in: %v", sched)
	}
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "resolved" })
	res.ws.Close()

	time.Sleep(time.Until(due) + 200*time.Millisecond)
	back := resume(h, t, convID, token)
	got = back.until(func(f frame) bool {
		r, _ := f["checkin"].(map[string]any)
		return f.str("type") == "message" && r["action"] == "due"
	})
	dueMsg := got[len(got)-1]
	if !strings.Contains(dueMsg.str("text"), "How are you doing?") {
		t.Errorf("the check-in asks %q", dueMsg.str("text"))
	}
	checkinID := dueMsg["checkin"].(map[string]any)["id"]
	back.send(map[string]any{"type": "checkin_answer", "client_id": "a1", "checkin_id": checkinID, "answer": "talk"})
	frames := back.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "waiting" })
	var answer, notice frame
	for _, f := range frames {
		if f.str("client_id") == "a1" {
			answer = f
		}
		if f.str("kind") == "handoff" && f.str("author") == "system" {
			notice = f
		}
	}
	if answer == nil || answer.num("reply_to") != dueMsg.num("seq") {
		t.Errorf("the answer as stored: %v", answer)
	}
	if notice == nil || !strings.Contains(notice.str("text"), "988") {
		t.Errorf("want the handoff notice with crisis resources, got %v", notice)
	}
	if item := doc.alert(); item["status"] != "waiting" || item["id"] == id {
		t.Errorf("the console's alert for the answer: %v", item)
	}
	back.send(map[string]any{"type": "checkin_answer", "client_id": "a2", "checkin_id": checkinID, "answer": "ok"})
	if e := back.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "conflict" {
		t.Errorf("a second answer: %v", e[len(e)-1])
	}
}

// TestUnansweredCheckinShowsOnTheConsole: a check-in nobody answered by its time plus the
// grace is listed on the on-call console, and a clinician closing it (audited) takes it
// off the list.
func TestUnansweredCheckinShowsOnTheConsole(t *testing.T) {
	h := newHarness(t, harnessOptions{svcOptions: assistant.Options{CheckinGrace: 500 * time.Millisecond}})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()
	_, _, _, id := claimedHandoff(t, h, doc)
	due := time.Now().Add(time.Second)
	doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "referred", "checkin_at": due.UTC().Format(time.RFC3339Nano)})
	doc.until(func(f frame) bool {
		item, _ := f["item"].(map[string]any)
		return f.str("type") == "handoff" && item["status"] == "resolved"
	})
	time.Sleep(time.Until(due) + 800*time.Millisecond)

	later := h.newClinician(t, "oncall2") // a console opened now reads the list at once
	got := later.until(func(f frame) bool {
		items, _ := f["items"].([]any)
		return f.str("type") == "checkins" && len(items) == 1
	})
	item := got[len(got)-1]["items"].([]any)[0].(map[string]any)
	if item["pseudonym"] == "" || item["scheduled_by_name"] != "Dr Oncall1" || item["handoff_id"] != id {
		t.Errorf("listed check-in: %v", item)
	}
	later.send(map[string]any{"type": "close_checkin", "checkin_id": item["id"]})
	later.until(func(f frame) bool {
		items, _ := f["items"].([]any)
		return f.str("type") == "checkins" && len(items) == 0
	})
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'checkin.close'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d audit entries for the close (%v)", n, err)
	}
}

// fcmSubscription is a push subscription on Firebase's push service, as Chrome makes one.
func fcmSubscription(endpoint string) map[string]any {
	return map[string]any{"endpoint": endpoint, "keys": map[string]any{
		"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
		"auth":   "tBHItJI5svbpez7KI4CCXg",
	}}
}

// TestPushSubscriptionOverTheSocket: with VAPID keys configured a device opts in and out
// over the socket; without them the server says notifications are not set up.
func TestPushSubscriptionOverTheSocket(t *testing.T) {
	h := newHarness(t, harnessOptions{push: true})
	res := h.dial(t, nil)
	res.start("resident")
	sub := fcmSubscription("https://fcm.googleapis.com/fcm/send/test-endpoint-1")
	res.send(map[string]any{"type": "push_subscribe", "push": sub})
	if f := res.until(func(f frame) bool { return f.str("type") == "push" || f.str("type") == "error" }); f[len(f)-1]["on"] != true {
		t.Fatalf("subscribe: %v", f[len(f)-1])
	}
	var n int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM push_subscriptions`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d subscriptions kept (%v)", n, err)
	}
	res.send(map[string]any{"type": "push_subscribe", "push": fcmSubscription("https://push.example.net/steal")})
	if e := res.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "invalid" {
		t.Errorf("an endpoint on an unknown host: %v", e[len(e)-1])
	}
	res.send(map[string]any{"type": "push_unsubscribe", "push": map[string]any{"endpoint": sub["endpoint"]}})
	if f := res.until(func(f frame) bool { return f.str("type") == "push" }); f[len(f)-1]["on"] == true {
		t.Errorf("unsubscribe: %v", f[len(f)-1])
	}
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM push_subscriptions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d subscriptions kept after unsubscribing (%v)", n, err)
	}

	off := newHarness(t, harnessOptions{})
	c := off.dial(t, nil)
	c.start("resident")
	c.send(map[string]any{"type": "push_subscribe", "push": sub})
	if e := c.until(func(f frame) bool { return f.str("type") == "error" }); e[len(e)-1].str("code") != "unavailable" {
		t.Errorf("without keys: %v", e[len(e)-1])
	}
}
