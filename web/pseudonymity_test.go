package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPseudonymityNothingIdentifyingIsStored runs a real resident conversation over the
// websocket — an ordinary question, a wellbeing questionnaire (screen) and a counsellor's
// reply to it, a red flag, a clinician's handoff from claim to resolution with a check-in, a
// safety plan the clinician starts, a thought record, a push subscription, the answer to
// the check-in, then the weekly pulse and a report to leadership — from a browser that
// sends a distinctive user agent and a forwarded client address, then reads every column of
// every table in the database as text and checks that neither the user agent, the client
// addresses nor the resume token were stored anywhere (the one exception: clinician sign-in
// entries in the audit log name the clinician's own source address), that the push
// endpoint, a secret of the browser's push service, is kept only as the subscription's
// endpoint, and that a report to leadership has no column that could link it to a
// conversation.
func TestPseudonymityNothingIdentifyingIsStored(t *testing.T) {
	h := newHarness(t, harnessOptions{push: true})
	doc := h.newClinician(t, "oncall1")
	doc.onDuty()

	const ua = "Mozilla/5.0 (iPhone) UNIQUE-UA-123"
	res := h.dial(t, http.Header{"User-Agent": {ua}, "X-Forwarded-For": {"203.0.113.77"}})
	welcome := res.start("resident")
	token := welcome.str("token")
	if len(token) < 16 {
		t.Fatalf("welcome frame carries no resume token: %v", welcome)
	}
	res.say("c1", "how do I sleep after a run of nights?")
	// A screen, and a counsellor's reply to it through the console.
	res.send(map[string]any{"type": "screen", "client_id": "s1", "instrument": "gad7",
		"answers": map[string]int{"gad7_1": 2, "gad7_2": 2, "gad7_3": 2, "gad7_4": 2, "gad7_5": 1, "gad7_6": 1, "gad7_7": 1}})
	screened := res.until(func(f frame) bool { return f.str("type") == "screened" })
	scr, _ := screened[len(screened)-1]["screen"].(map[string]any)
	cara := h.signIn(t, "cara", "counsellor")
	if code, _, _ := cara.request(t, "POST", fmt.Sprintf("/console/screens/%v/reply", scr["id"]),
		url.Values{"text": {"I read your answers; I'm here if you want to talk."}, "next_step": {"programme_counselling"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("counsellor's reply: %d", code)
	}
	res.until(func(f frame) bool { return f.str("type") == "message" && f["counsellor"] == true })
	res.send(map[string]any{"type": "message", "client_id": "c2", "text": redFlag})
	res.until(func(f frame) bool { return f.str("type") == "handoff" })

	item := doc.alert()
	id := int64(item["id"].(float64))
	doc.send(map[string]any{"type": "open", "handoff_id": id})
	doc.until(func(f frame) bool { return f.str("type") == "transcript" })
	doc.send(map[string]any{"type": "claim", "handoff_id": id})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "claimed" })
	doc.send(map[string]any{"type": "say", "handoff_id": id, "client_id": "d1", "text": "I'm a person. Are you safe right now?"})
	res.until(func(f frame) bool { return f.str("type") == "message" && f.str("author") == "clinician" })
	res.send(map[string]any{"type": "message", "client_id": "c3", "text": "yes, at home"})
	doc.until(func(f frame) bool {
		m, _ := f["message"].(map[string]any)
		return f.str("type") == "message" && m["author"] == "resident" && m["text"] == "yes, at home"
	})
	// A safety plan started by the clinician, a thought record, notifications on.
	doc.send(map[string]any{"type": "offer_form", "handoff_id": id, "kind": "safety_plan"})
	res.until(func(f frame) bool { return f.str("type") == "message" && f.str("kind") == "form" })
	res.send(map[string]any{"type": "form_save", "client_id": "f1", "kind": "safety_plan", "answers": calmPlan})
	formsFrame(res, 1)
	res.send(map[string]any{"type": "form_save", "client_id": "f2", "kind": "thought_record",
		"answers": map[string]any{"situation": "Corrected on rounds", "emotion": "Ashamed", "intensity": 60}})
	formsFrame(res, 2)
	const endpoint = "https://fcm.googleapis.com/fcm/send/UNIQUE-PUSH-ENDPOINT-9"
	res.send(map[string]any{"type": "push_subscribe", "push": fcmSubscription(endpoint)})
	res.until(func(f frame) bool { return f.str("type") == "push" && f["on"] == true })

	due := time.Now().Add(time.Second)
	doc.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "note": "safety plan made", "reenable_ai": false,
		"checkin_at": due.UTC().Format(time.RFC3339Nano)})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "resolved" })
	res.ws.Close()
	time.Sleep(time.Until(due) + 200*time.Millisecond)
	back := h.dial(t, http.Header{"User-Agent": {ua}, "X-Forwarded-For": {"203.0.113.77"}})
	back.send(map[string]any{"type": "hello", "conversation_id": welcome.str("conversation_id"), "token": token, "last_seq": 0})
	got := back.until(func(f frame) bool { r, _ := f["checkin"].(map[string]any); return r["action"] == "due" })
	back.send(map[string]any{"type": "checkin_answer", "client_id": "k1", "checkin_id": got[len(got)-1]["checkin"].(map[string]any)["id"], "answer": "ok"})
	back.until(func(f frame) bool { return f.str("type") == "message" && f.str("client_id") == "k1" })
	// Issue 20: the weekly check-in and a report to leadership, from the same browser.
	for _, p := range []struct {
		path string
		body string
	}{
		{"/pulse", `{"score": 2, "topic": "sleep"}`},
		{"/report", `{"kind": "unsafe_staffing", "text": "one nurse for thirty beds", "preview": "one nurse for thirty beds"}`},
	} {
		body := `{"conversation_id": "` + welcome.str("conversation_id") + `", "token": "` + token + `", ` + p.body[1:]
		req, _ := http.NewRequest("POST", h.http.URL+p.path, strings.NewReader(body))
		req.Header = http.Header{"User-Agent": {ua}, "X-Forwarded-For": {"203.0.113.77"}, "Content-Type": {"application/json"},
			"Origin": {h.http.URL}, "Sec-Fetch-Site": {"same-origin"}}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %v %v", p.path, resp, err)
		}
		resp.Body.Close()
	}
	var linked bool
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'leadership_reports' AND data_type = 'uuid')`).Scan(&linked); err != nil || linked {
		t.Errorf("a report to leadership can be linked to a conversation (%v)", err)
	}
	h.stop() // every turn and write finished

	ctx := context.Background()
	pool := h.db.Pool
	rows, err := pool.Query(ctx, `
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	columns := map[string][]string{}
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		columns[tbl] = append(columns[tbl], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(columns) < 5 {
		t.Fatalf("found only %d tables: %v", len(columns), columns)
	}
	var screens int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM screens WHERE replied_at IS NOT NULL`).Scan(&screens); err != nil || screens != 1 {
		t.Fatalf("the answered screen is not stored (%d, %v): the check below would not cover it", screens, err)
	}

	// No column is named for an address, a device or a contact, except the one that
	// throttles clinician logins.
	identifying := regexp.MustCompile(`(^|_)(ip|ips|ip_address|address|addr|remote_addr|user_agent|useragent|ua|email|phone|device|fingerprint)($|_)`)
	for tbl, cols := range columns {
		for _, c := range cols {
			if identifying.MatchString(c) && tbl+"."+c != "login_attempts.address" {
				t.Errorf("column %s.%s is named like an identifier", tbl, c)
			}
		}
	}

	forbidden := map[string]string{
		"user agent":        "UNIQUE-UA-123",
		"forwarded address": "203.0.113.77",
		"peer address":      "127.0.0.1",
		"resume token":      token,
		"push endpoint":     "UNIQUE-PUSH-ENDPOINT-9",
	}
	// What the new tables must hold for the test to mean anything.
	for tbl, want := range map[string]int{"selfhelp_forms": 2, "checkins": 1, "push_subscriptions": 1} {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tbl}.Sanitize()).Scan(&n); err != nil || n != want {
			t.Errorf("%s holds %d rows, want %d (%v)", tbl, n, want, err)
		}
	}
	checked := 0
	for tbl, cols := range columns {
		for _, col := range cols {
			q := fmt.Sprintf(`SELECT %s::text FROM %s WHERE %s IS NOT NULL`,
				pgx.Identifier{col}.Sanitize(), pgx.Identifier{tbl}.Sanitize(), pgx.Identifier{col}.Sanitize())
			if tbl == "audit_log" {
				// Clinician sign-in entries name the clinician's source address (checked below).
				q += ` AND action NOT LIKE 'login.%'`
			}
			vals, err := pool.Query(ctx, q)
			if err != nil {
				t.Fatalf("%s.%s: %v", tbl, col, err)
			}
			for vals.Next() {
				var v string
				if err := vals.Scan(&v); err != nil {
					t.Fatal(err)
				}
				checked++
				for what, s := range forbidden {
					if !strings.Contains(v, s) {
						continue
					}
					// The clinician signed in from 127.0.0.1: that login's throttling row is
					// the one place an address may be, and only for clinicians.
					if tbl == "login_attempts" && col == "address" && what == "peer address" {
						continue
					}
					// The subscription keeps its endpoint to send to; nothing else may.
					if tbl == "push_subscriptions" && col == "endpoint" && what == "push endpoint" {
						continue
					}
					t.Errorf("%s found in %s.%s: %.200q", what, tbl, col, v)
				}
			}
			if err := vals.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("checked %d values in %d tables", checked, len(columns))

	// Sign-in audit entries name where the clinician signed in from, and nothing of the
	// resident's.
	var logins []string
	lr, err := pool.Query(ctx, `SELECT detail::text FROM audit_log WHERE action LIKE 'login.%'`)
	if err == nil {
		logins, err = pgx.CollectRows(lr, pgx.RowTo[string])
	}
	if err != nil || len(logins) == 0 {
		t.Fatalf("sign-in audit entries: %d (%v)", len(logins), err)
	}
	for _, d := range logins {
		if !strings.Contains(d, `"address": "127.0.0.1"`) {
			t.Errorf("a sign-in audit entry lacks the clinician's source address: %s", d)
		}
		for what, s := range forbidden {
			if what != "peer address" && strings.Contains(d, s) {
				t.Errorf("%s found in a sign-in audit entry: %s", what, d)
			}
		}
	}

	// login_attempts holds the clinician's sign-in and nothing from the resident's session.
	var n, other int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE username NOT IN ('oncall1', 'cara')) FROM login_attempts`).Scan(&n, &other); err != nil {
		t.Fatal(err)
	}
	if n == 0 || other != 0 {
		t.Errorf("login_attempts has %d rows, %d not from the clinician's sign-in", n, other)
	}
	var fromResident int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM login_attempts WHERE address LIKE '%203.0.113.77%'`).Scan(&fromResident); err != nil {
		t.Fatal(err)
	}
	if fromResident != 0 {
		t.Errorf("login_attempts holds the resident's forwarded address")
	}
}
