package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"nightfloat/clinician"
	"strings"
	"testing"
	"time"
)

func (h *harness) consoleGet(t *testing.T, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", h.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *harness) session(t *testing.T, username string, roles ...string) (clinician.Clinician, string) {
	t.Helper()
	ctx := context.Background()
	c, err := h.accounts.Create(ctx, username, "Dr "+username, "correct horse battery staple 42", roles)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.accounts.Login(ctx, username, "correct horse battery staple 42", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return c, s.Token
}

// TestAuditPageAdminOnly shows the audit log to an admin, newest first, paginated and filtered, records
// the viewing, and refuses a reviewer (403, itself audited) and the signed-out.
func TestAuditPageAdminOnly(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	admin, adminToken := h.session(t, "ada", "admin")
	reviewer, reviewerToken := h.session(t, "rex", "reviewer")
	for i := range 60 {
		if err := h.audit.Record(ctx, clinician.ActorSystem, "test.event", fmt.Sprintf("item-%02d", i), map[string]any{"n": i}); err != nil {
			t.Fatal(err)
		}
	}

	if code, _ := h.consoleGet(t, "/console/audit", reviewerToken); code != http.StatusForbidden {
		t.Fatalf("reviewer got %d, want 403", code)
	}
	if code, _ := h.consoleGet(t, "/console/audit", ""); code != http.StatusSeeOther {
		t.Fatalf("signed out got %d, want a redirect to the login page", code)
	}
	denied, err := h.audit.List(ctx, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range denied {
		if e.Action == "access.denied" && e.Actor == clinician.ActorClinician(reviewer.ID) && e.Target == "/console/audit" {
			found = true
		}
	}
	if !found {
		t.Error("the reviewer's refused access is not in the audit log")
	}

	code, page := h.consoleGet(t, "/console/audit?action=test.event", adminToken)
	if code != 200 {
		t.Fatalf("admin got %d: %s", code, page)
	}
	if !strings.Contains(page, "item-59") || !strings.Contains(page, "item-10") || strings.Contains(page, "item-09") {
		t.Fatalf("first page should hold the newest, items 59 down to 10")
	}
	if strings.Index(page, "item-59") > strings.Index(page, "item-58") {
		t.Error("the page is not newest first")
	}
	if strings.Contains(page, "login.succeeded") {
		t.Error("the action filter let other actions through")
	}
	i := strings.Index(page, `id="older" href="`)
	if i < 0 {
		t.Fatal("no link to older entries with 60 entries")
	}
	next := page[i+len(`id="older" href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	code, page2 := h.consoleGet(t, next, adminToken)
	if code != 200 || !strings.Contains(page2, "item-09") || !strings.Contains(page2, "item-00") || strings.Contains(page2, "item-10") {
		t.Fatalf("second page (%d) should hold items 09 down to 00", code)
	}
	if strings.Contains(page2, `id="older"`) {
		t.Error("a link to older entries on the last page")
	}
	if !strings.Contains(page2, `id="newest"`) {
		t.Error("no way back to the newest entries from the second page")
	}

	all, err := h.audit.List(ctx, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, e := range all {
		if e.Action == "audit.viewed" && e.Actor == clinician.ActorClinician(admin.ID) {
			views++
		}
	}
	if views != 2 {
		t.Errorf("%d audit.viewed entries for the admin, want 2", views)
	}
	if code, _ := h.consoleGet(t, "/console/audit?since=yesterday", adminToken); code != http.StatusBadRequest {
		t.Errorf("a bad date got %d, want 400", code)
	}
}
