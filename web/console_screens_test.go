package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/clinician"
	"nightfloat/review"
	"nightfloat/screening"
)

// screenFor starts a conversation for role and stores one screen in it through the service.
func (h *harness) screenFor(t *testing.T, role nightfloat.Role, id screening.ID, a screening.Responses) assistant.ScreenOutcome {
	t.Helper()
	ctx := context.Background()
	conv, _, err := h.svc.Start(ctx, role)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.svc.SubmitScreen(ctx, conv, "s-"+string(id), id, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// consoleRoute is a route of routes.go as this test requests it.
var consoleRoute = regexp.MustCompile(`"(GET|POST) (/console/[^"]*)"`)

// TestEveryConsolePageByPermission requests every console route of routes.go as an
// account holding each permission alone, and checks who gets in: a counsellor opens the
// landing page and the screens only, leadership the landing page and its trends only, and
// nobody else opens or posts to the screens or reads the trends. The
// routes are read from routes.go, so a new page without a row here fails this test.
func TestEveryConsolePageByPermission(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	screen := h.screenFor(t, "resident", screening.Burnout, screening.Responses{"burnout_1": 4})
	perms := []string{clinician.RoleOncall, clinician.RoleReviewer, clinician.RoleAdmin, clinician.RoleCounsellor, clinician.RoleLeadership}
	sessions := map[string]*reviewerSession{}
	for _, p := range perms {
		sessions[p] = h.signIn(t, "only-"+p, p)
	}
	const ok, forbidden, notFound, badRequest = http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusBadRequest
	// Per permission: oncall, reviewer, admin, counsellor, leadership.
	want := map[string][5]int{
		"GET /console/{$}":                          {ok, ok, ok, ok, ok},
		"GET /console/handoffs/{id}":                {ok, forbidden, forbidden, forbidden, forbidden},
		"GET /console/ws":                           {badRequest, forbidden, forbidden, forbidden, forbidden}, // not a websocket request
		"GET /console/review":                       {forbidden, ok, forbidden, forbidden, forbidden},
		"GET /console/review/items/{id}":            {forbidden, notFound, forbidden, forbidden, forbidden},
		"POST /console/review/items/{id}/claim":     {forbidden, notFound, forbidden, forbidden, forbidden},
		"POST /console/review/items/{id}/release":   {forbidden, notFound, forbidden, forbidden, forbidden},
		"POST /console/review/items/{id}/review":    {forbidden, notFound, forbidden, forbidden, forbidden},
		"GET /console/dashboard":                    {forbidden, ok, ok, forbidden, forbidden},
		"GET /console/audit":                        {forbidden, forbidden, ok, forbidden, forbidden},
		"GET /console/screens":                      {forbidden, forbidden, forbidden, ok, forbidden},
		"POST /console/screens/{id}/reply":          {forbidden, forbidden, forbidden, badRequest, forbidden}, // an empty reply
		"POST /console/screens/{id}/reply#missing":  {forbidden, forbidden, forbidden, notFound, forbidden},
		"POST /console/screens/{id}/reply#answered": {forbidden, forbidden, forbidden, http.StatusSeeOther, forbidden},
		"GET /console/leadership":                   {forbidden, forbidden, forbidden, forbidden, ok},
		"GET /console/leadership/trends.csv":        {forbidden, forbidden, forbidden, forbidden, ok},
	}
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range consoleRoute.FindAllStringSubmatch(string(src), -1) {
		if m[2] == "/console/logout" {
			continue // needs no permission, only its own session (auth_test.go)
		}
		if _, ok := want[m[1]+" "+m[2]]; !ok {
			t.Errorf("routes.go serves %s %s: add who may use it to this test", m[1], m[2])
		}
	}
	for _, route := range []string{"GET /console/{$}", "GET /console/handoffs/{id}", "GET /console/ws", "GET /console/review",
		"GET /console/review/items/{id}", "POST /console/review/items/{id}/claim", "POST /console/review/items/{id}/release",
		"POST /console/review/items/{id}/review", "GET /console/dashboard", "GET /console/audit", "GET /console/screens",
		"POST /console/screens/{id}/reply", "POST /console/screens/{id}/reply#missing", "POST /console/screens/{id}/reply#answered",
		"GET /console/leadership", "GET /console/leadership/trends.csv"} {
		method, path, _ := strings.Cut(route, " ")
		path, variant, _ := strings.Cut(path, "#")
		id := "1"
		var form url.Values
		if method == "POST" {
			form = url.Values{}
		}
		switch variant {
		case "missing":
			id, form = "999999", url.Values{"text": {"hello"}}
		case "answered":
			id, form = fmt.Sprint(screen.Screen.ID), url.Values{"text": {"Thank you for checking in."}}
		}
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{$}", ""), "{id}", id)
		for i, p := range perms {
			got, _, _ := sessions[p].request(t, method, path, form, "")
			if got != want[route][i] {
				t.Errorf("%s as %s: %d, want %d", route, p, got, want[route][i])
			}
		}
	}
	// The counsellor's reply went through once; the refused attempts of the others did not.
	screens, err := h.svc.ConversationScreens(context.Background(), screen.Screen.ConversationID)
	if err != nil || !screens[0].Replied() {
		t.Fatalf("the counsellor's reply was not stored: %+v, %v", screens, err)
	}
}

// TestScreenReplyOverHTTP: a counsellor's reply needs the CSRF token and a same-origin
// post; an empty reply is refused on the page with the case's form kept; a second reply
// to an answered screen is a conflict, said on the page.
func TestScreenReplyOverHTTP(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	out := h.screenFor(t, "fellow", screening.GAD7, screening.Responses{"gad7_1": 3, "gad7_2": 3, "gad7_3": 3, "gad7_4": 0, "gad7_5": 0, "gad7_6": 0, "gad7_7": 0})
	cara := h.signIn(t, "cara", clinician.RoleCounsellor)
	path := fmt.Sprintf("/console/screens/%d/reply", out.Screen.ID)
	if code, _, _ := cara.request(t, "POST", path, url.Values{"text": {"hi"}}, "-"); code != http.StatusForbidden {
		t.Errorf("a reply without the CSRF token: %d, want 403", code)
	}
	code, page, _ := cara.request(t, "POST", path, url.Values{"text": {"   "}, "next_step": {"eap"}}, "")
	if code != http.StatusBadRequest || !strings.Contains(page, "a reply must have") || !strings.Contains(page, `value="eap" checked`) {
		t.Errorf("an empty reply: %d; the page should say why and keep the chosen step", code)
	}
	code, page, _ = cara.request(t, "POST", path, url.Values{"text": {"hello"}, "next_step": {"tarot"}}, "")
	if code != http.StatusBadRequest || !strings.Contains(page, "unknown next step") {
		t.Errorf("an unknown next step: %d", code)
	}
	if code, _, _ := cara.request(t, "POST", path, url.Values{"text": {"Thank you for this. Would the EAP suit you?"}, "next_step": {"eap"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	code, page, _ = cara.request(t, "POST", path, url.Values{"text": {"again"}}, "")
	if code != http.StatusConflict || !strings.Contains(page, "answered meanwhile") {
		t.Errorf("a second reply: %d", code)
	}
	req, _ := http.NewRequest("POST", h.http.URL+path, strings.NewReader("text=x&csrf_token="+url.QueryEscape(cara.csrf)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cara.token})
	resp, err := cara.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site reply: %d, want 403", resp.StatusCode)
	}
}

// TestConsoleScreensPageFits opens the counsellors' page at a phone's and a laptop's size
// with three people waiting (one who answered item 9, one whose reply is overdue and
// re-alerted, one negative screen) and checks by geometry that nothing spills, that the
// item-9 case comes first and the overdue one is flagged, and then writes a reply in the
// browser with a next step.
func TestConsoleScreensPageFits(t *testing.T) {
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			ctx := context.Background()
			h.screenFor(t, "attending", screening.Burnout, screening.Responses{"burnout_1": 2})
			late := h.screenFor(t, "nurse", screening.PHQ9, screening.Responses{"phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_5": 3,
				"phq9_6": 2, "phq9_7": 0, "phq9_8": 0, "phq9_9": 0, "phq9_difficulty": 2})
			if _, err := h.db.Pool.Exec(ctx, `UPDATE screens SET reply_due_at = now() - interval '3 hours', realerts = 2 WHERE id = $1`, late.Screen.ID); err != nil {
				t.Fatal(err)
			}
			item9 := h.screenFor(t, "resident", screening.PHQ9, screening.Responses{"phq9_9": 1})
			if _, err := h.accounts.Create(ctx, "cara", "Cara", consolePassword, []string{clinician.RoleCounsellor}); err != nil {
				t.Fatal(err)
			}
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "cara", consolePassword)
			do(t, b, "open the screens", chromedp.Navigate(h.http.URL+"/console/screens"), chromedp.WaitVisible(css("#cases")))
			checkLayout(t, b, "screens")
			if first := eval[string](t, b, `document.querySelector('#cases > li').id`); first != fmt.Sprintf("case-%d", item9.Screen.ID) {
				t.Errorf("first case %s, want the item-9 screen's", first)
			}
			if !visible(t, b, "#overdue") || !strings.Contains(text(t, b, fmt.Sprintf("#case-%d .due", late.Screen.ID)), "re-alerted 2×") {
				t.Error("the overdue, re-alerted case is not flagged")
			}
			do(t, b, "open the answers", chromedp.Click(css(fmt.Sprintf("#case-%d details.answers summary", late.Screen.ID))))
			checkLayout(t, b, "screens with answers open")
			screenshot(t, b, "console-screens-"+v.name)
			do(t, b, "reply",
				chromedp.SendKeys(css(fmt.Sprintf("#reply-%d", late.Screen.ID)), "Hi, I'm Cara, a counsellor here. Your answers tell me the last weeks have been heavy."),
				chromedp.Click(css(fmt.Sprintf(`#case-%d input[value="programme_counselling"]`, late.Screen.ID))),
				chromedp.Click(css(fmt.Sprintf("#case-%d button[type=submit]", late.Screen.ID))),
				chromedp.WaitVisible(css("#notice")),
			)
			if n := eval[int](t, b, `document.querySelectorAll('#cases > li').length`); n != 2 {
				t.Errorf("%d cases after the reply, want 2", n)
			}
			checkLayout(t, b, "screens after a reply")
			msgs, err := h.svc.MessagesAfter(ctx, late.Screen.ConversationID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if last := msgs[len(msgs)-1]; !last.Counsellor || !strings.Contains(last.Body, "programme's confidential counselling") {
				t.Errorf("the reply reached the conversation as %+v", last)
			}
		})
	}
}

// TestReviewItemShowsScreens: a conversation with a positive screen is queued for review,
// and the review item shows the screen's score, the next step the counsellor suggested, and
// the counsellor's reply as a counsellor's turn with their name redacted, at a phone's and a
// laptop's size without anything spilling.
func TestReviewItemShowsScreens(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	out := h.screenFor(t, "resident", screening.GAD7, screening.Responses{"gad7_1": 3, "gad7_2": 3, "gad7_3": 2, "gad7_4": 2, "gad7_5": 1, "gad7_6": 1, "gad7_7": 1})
	cara := h.signIn(t, "cara", clinician.RoleCounsellor)
	if _, err := h.svc.ReplyToScreen(ctx, assistant.Clinician{ID: cara.c.ID, Actor: cara.c.Actor()}, out.Screen.ID,
		"Hi, I'm Cara Nguyen from counselling. Your answers say the worry has been loud lately.", "eap"); err != nil {
		t.Fatal(err)
	}
	if res := h.sample(t, review.SamplingOptions{RandomRate: -1}); res.Queued[review.ReasonScreen] != 1 {
		t.Fatalf("sampled %+v", res.Queued)
	}
	var item int64
	if err := h.db.Pool.QueryRow(ctx, `SELECT item_id FROM review_samples WHERE reason = 'screen'`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := h.accounts.Create(ctx, "rev", "Dr Rev", consolePassword, []string{clinician.RoleReviewer}); err != nil {
		t.Fatal(err)
	}
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "rev", consolePassword)
			do(t, b, "open the item", chromedp.Navigate(fmt.Sprintf("%s/console/review/items/%d", h.http.URL, item)), chromedp.WaitVisible(css("#screens")))
			checkLayout(t, b, "review item with a screen")
			if got := text(t, b, "#screens"); !strings.Contains(got, "GAD-7") || !strings.Contains(got, "13 / 21") || !strings.Contains(got, "Employee Assistance Programme") {
				t.Errorf("the screens section says %q", got)
			}
			if got := strings.ToLower(text(t, b, "#transcript li.clinician")); !strings.Contains(got, "counsellor") || strings.Contains(got, "nguyen") {
				t.Errorf("the counsellor's turn reads %q: want it labelled and the name redacted", got)
			}
			screenshot(t, b, "review-item-screen-"+v.name)
		})
	}
}
