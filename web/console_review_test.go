package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"nightfloat/clinician"
	"regexp"
	"strings"
	"testing"
	"time"

	"nightfloat/review"
)

const reviewPassword = "correct horse battery staple 42"

// reviewerSession is a signed-in console user for plain HTTP requests.
type reviewerSession struct {
	h      *harness
	c      clinician.Clinician
	token  string
	csrf   string
	client *http.Client
}

func (h *harness) signIn(t *testing.T, username string, roles ...string) *reviewerSession {
	t.Helper()
	ctx := context.Background()
	c, err := h.accounts.Create(ctx, username, "Dr "+username, reviewPassword, roles)
	if err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	sess, err := h.accounts.Login(ctx, username, reviewPassword, "127.0.0.1")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return &reviewerSession{h: h, c: c, token: sess.Token, csrf: sess.CSRF, client: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// request sends a console request with the session cookie; form posts carry the CSRF
// token unless csrf is "-" (none) or another value.
func (s *reviewerSession) request(t *testing.T, method, path string, form url.Values, csrf string) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		if csrf == "" {
			csrf = s.csrf
		}
		if csrf != "-" {
			form.Set("csrf_token", csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.h.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.h.http.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	req.Header.Set("Accept", "text/html")
	if s.token != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// residentChat holds a conversation a resident had through the real websocket.
type residentChat struct {
	id, token string
	replySeq  int64
}

func (h *harness) chat(t *testing.T, role string, messages ...string) residentChat {
	t.Helper()
	c := h.dial(t, nil)
	w := c.start(role)
	rc := residentChat{id: w.str("conversation_id"), token: w.str("token")}
	for i, m := range messages {
		frames := c.say(fmt.Sprintf("m%d", i), m)
		for _, f := range frames {
			if f.str("type") == "message" && (f.str("author") == "assistant" || f.str("kind") == "withheld") {
				rc.replySeq = f.num("seq")
			}
		}
		if rc.replySeq == 0 {
			t.Logf("frames: %v", frames)
		}
	}
	if rc.id == "" || rc.token == "" || (len(messages) > 0 && rc.replySeq == 0) {
		t.Fatalf("chat: %+v", rc)
	}
	return rc
}

// sample makes every conversation idle and runs the sampler once.
func (h *harness) sample(t *testing.T, opts review.SamplingOptions) review.SampleResult {
	t.Helper()
	ctx := context.Background()
	if _, err := h.db.Pool.Exec(ctx, `UPDATE conversations SET last_active_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	res, err := review.NewSampler(h.db.Pool, h.audit, opts).SampleOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var itemLink = regexp.MustCompile(`href="/console/review/items/(\d+)"`)

func TestReviewQueueOverHTTP(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rc := h.chat(t, "resident", "Dr. Patel keeps yelling at me on rounds, my cell is 555-867-5309. Any tips for sleeping after nights?")
	// The resident's thumbs-down queues the conversation.
	status, body := h.feedback(t, map[string]any{"conversation_id": rc.id, "token": rc.token, "seq": rc.replySeq, "rating": "harmful",
		"comment": "this felt dismissive, ask Dr. Patel"}, map[string]string{"Origin": h.http.URL, "Sec-Fetch-Site": "same-origin"})
	if status != 200 {
		t.Fatalf("feedback: %d %s", status, body)
	}
	if res := h.sample(t, review.SamplingOptions{RandomRate: -1}); res.Queued[review.ReasonFeedback] != 1 {
		t.Fatalf("sampled %+v, want the feedback conversation", res.Queued)
	}
	a := h.signIn(t, "rev-a", "reviewer")
	status, page, _ := a.request(t, "GET", "/console/review", nil, "")
	m := itemLink.FindStringSubmatch(page)
	if status != 200 || m == nil || !strings.Contains(page, "feedback") {
		t.Fatalf("queue page %d:\n%s", status, page)
	}
	item := "/console/review/items/" + m[1]
	status, page, _ = a.request(t, "GET", item, nil, "")
	if status != 200 {
		t.Fatalf("item page %d", status)
	}
	for _, leak := range []string{"Patel", "555-867", "5309"} {
		if strings.Contains(page, leak) {
			t.Errorf("item page shows identifier %q", leak)
		}
	}
	for _, want := range []string{"[NAME]", "keeps yelling at me", "harmful", "this felt dismissive", "classifier", "vetted"} {
		if !strings.Contains(page, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="rubric"`) && strings.Contains(page, `id="submit"`) {
		t.Error("rubric offered before claiming")
	}
	if st, _, _ := a.request(t, "POST", item+"/claim", url.Values{}, ""); st != http.StatusSeeOther {
		t.Fatalf("claim: %d", st)
	}
	_, page, _ = a.request(t, "GET", item, nil, "")
	if !strings.Contains(page, `id="submit"`) {
		t.Fatal("no rubric after claiming")
	}
	seq := regexp.MustCompile(`name="mark_(\d+)"`).FindStringSubmatch(page)
	form := url.Values{"escalation": {"appropriate"}, "accuracy": {"4"}, "grounding": {"5"}, "empathy": {"3"}, "role_fit": {"4"},
		"note": {"reply was fine but generic"}, "mark_" + seq[1]: {"good"}, "marknote_" + seq[1]: {"kind opener"}}
	bad := url.Values{"escalation": {"missed"}, "accuracy": {"4"}, "grounding": {"5"}, "empathy": {"3"}, "role_fit": {"4"}}
	if st, page, _ := a.request(t, "POST", item+"/review", bad, ""); st != http.StatusBadRequest || !strings.Contains(page, "missed escalation") {
		t.Errorf("missed escalation without a marked turn: %d", st)
	}
	if st, _, hdr := a.request(t, "POST", item+"/review", form, ""); st != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=submit") {
		t.Fatalf("submit: %d %v", st, hdr)
	}
	_, page, _ = a.request(t, "GET", item, nil, "")
	for _, want := range []string{"reply was fine but generic", "kind opener", "accuracy 4", "grounding 5", "empathy 3", "role fit 4", "appropriate"} {
		if !strings.Contains(page, want) {
			t.Errorf("submitted review lacks %q", want)
		}
	}
	// The dashboard counts it.
	_, dash, _ := a.request(t, "GET", "/console/dashboard", nil, "")
	today := time.Now().UTC().Format("2006-01-02")
	row := regexp.MustCompile(`(?s)<tr data-day="` + today + `">(.*?)</tr>`).FindStringSubmatch(dash)
	if row == nil || !strings.Contains(row[1], `<td class="num reviews">&lt;5</td>`) {
		t.Errorf("dashboard row for today does not count the review: %v", row)
	}
	if strings.Contains(dash, "Patel") || strings.Contains(dash, "yelling") || strings.Contains(dash, rc.id) {
		t.Error("the dashboard shows conversation content")
	}
	entries, _ := h.audit.List(context.Background(), time.Time{}, 1000)
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	for _, want := range []string{"review.view", "review.claim", "review.submit", "dashboard.view"} {
		if !seen[want] {
			t.Errorf("%s not audited", want)
		}
	}
}

func TestReviewAuthorisation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.chat(t, "nurse", "how do I sleep after night shifts?")
	done := h.chat(t, "resident", "what helps with exam anxiety?")
	h.sample(t, review.SamplingOptions{RandomRate: 1})
	a := h.signIn(t, "rev-a", "reviewer")
	b := h.signIn(t, "rev-b", "reviewer")
	oncall := h.signIn(t, "oncall-a", "oncall")
	admin := h.signIn(t, "admin-a", "admin")
	lead := h.signIn(t, "lead-a", "leadership")
	anon := &reviewerSession{h: h, client: a.client}

	var ids []int64
	rows, _ := h.db.Pool.Query(context.Background(), `SELECT id FROM review_items ORDER BY id`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 2 {
		t.Fatalf("queued %v, want both conversations", ids)
	}
	// a claims one item, which is then finished; the other stays in the queue.
	var doneItem int64
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT id FROM review_items WHERE conversation_id = $1`, done.id).Scan(&doneItem)
	openItem := ids[0]
	if openItem == doneItem {
		openItem = ids[1]
	}
	open := fmt.Sprintf("/console/review/items/%d", openItem)
	if st, _, _ := a.request(t, "POST", fmt.Sprintf("/console/review/items/%d/claim", doneItem), url.Values{}, ""); st != http.StatusSeeOther {
		t.Fatalf("claim: %d", st)
	}
	if _, err := h.db.Pool.Exec(context.Background(), `UPDATE review_items SET status = 'done', done_at = now(), claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL WHERE id = $1`, doneItem); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		s      *reviewerSession
		method string
		path   string
		form   url.Values
		csrf   string
		status int
	}{
		{"no session, page", anon, "GET", "/console/review", nil, "", http.StatusSeeOther},
		{"no session, item", anon, "GET", open, nil, "", http.StatusSeeOther},
		{"no session, claim", anon, "POST", open + "/claim", url.Values{}, "-", http.StatusUnauthorized},
		{"no session, dashboard", anon, "GET", "/console/dashboard", nil, "", http.StatusSeeOther},
		{"claim without CSRF", b, "POST", open + "/claim", url.Values{}, "-", http.StatusForbidden},
		{"claim with a wrong CSRF", b, "POST", open + "/claim", url.Values{}, "forged", http.StatusForbidden},
		{"submit without CSRF", b, "POST", open + "/review", url.Values{"escalation": {"n/a"}}, "-", http.StatusForbidden},
		{"on-call only, queue", oncall, "GET", "/console/review", nil, "", http.StatusForbidden},
		{"on-call only, item", oncall, "GET", open, nil, "", http.StatusForbidden},
		{"on-call only, dashboard", oncall, "GET", "/console/dashboard", nil, "", http.StatusForbidden},
		{"admin, dashboard", admin, "GET", "/console/dashboard", nil, "", http.StatusOK},
		{"admin, queue", admin, "GET", "/console/review", nil, "", http.StatusForbidden},
		{"leadership, queue", lead, "GET", "/console/review", nil, "", http.StatusForbidden},
		{"leadership, item", lead, "GET", open, nil, "", http.StatusForbidden},
		{"leadership, claim", lead, "POST", open + "/claim", url.Values{}, "", http.StatusForbidden},
		{"leadership, dashboard", lead, "GET", "/console/dashboard", nil, "", http.StatusForbidden},
		{"reviewer, queued item", b, "GET", open, nil, "", http.StatusOK},
		{"reviewer, done item of another", b, "GET", fmt.Sprintf("/console/review/items/%d", doneItem), nil, "", http.StatusNotFound},
		{"reviewer, claim a done item", b, "POST", fmt.Sprintf("/console/review/items/%d/claim", doneItem), url.Values{}, "", http.StatusNotFound},
		{"reviewer, guessed id", b, "GET", fmt.Sprintf("/console/review/items/%d", ids[1]+1000), nil, "", http.StatusNotFound},
		{"reviewer, guessed id claim", b, "POST", fmt.Sprintf("/console/review/items/%d/claim", ids[1]+7), url.Values{}, "", http.StatusNotFound},
		{"reviewer, not a number", b, "GET", "/console/review/items/abc", nil, "", http.StatusNotFound},
		{"reviewer, conversation id as item", b, "GET", "/console/review/items/" + done.id, nil, "", http.StatusNotFound},
		{"reviewer, bad filter", b, "GET", "/console/review?status=everything", nil, "", http.StatusBadRequest},
	}
	for _, tc := range cases {
		st, _, _ := tc.s.request(t, tc.method, tc.path, tc.form, tc.csrf)
		if st != tc.status {
			t.Errorf("%s: %s %s = %d, want %d", tc.name, tc.method, tc.path, st, tc.status)
		}
	}
	// A cross-site post is refused even with the right token.
	req, _ := http.NewRequest("POST", h.http.URL+open+"/claim", strings.NewReader("csrf_token="+url.QueryEscape(b.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: b.token})
	if resp, err := b.client.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site claim: %v %v", resp.StatusCode, err)
	}
	// Nothing any refused request did changed the queue.
	var claimed int
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM review_items WHERE claimed_by IS NOT NULL`).Scan(&claimed)
	if claimed != 0 {
		t.Errorf("%d items claimed by refused requests", claimed)
	}
}
