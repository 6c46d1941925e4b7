package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"nightfloat/clinician"
	"strconv"
	"strings"
	"time"
)

// The audit page: who did what, when, for admins only. Viewing it is itself audited.

const auditPageSize = 50

// AuditPage is one page of the audit log, oldest first, after a cursor.
type AuditPage struct {
	Entries []clinician.AuditEntry
	// More is true when entries follow; NextAt and NextID are the cursor for them.
	More   bool
	NextAt time.Time
	NextID int64
}

// ReadAuditPage returns up to n entries at or after since (and after the cursor afterAt,
// afterID when afterID > 0) whose action is action (any when empty), through
// clinician.Audit.List, which pages by time. The command line and the console share it.
func ReadAuditPage(ctx context.Context, audit *clinician.Audit, since time.Time, action string, afterAt time.Time, afterID int64, n int) (AuditPage, error) {
	const batch = 1000
	from := since
	if afterID > 0 && afterAt.After(from) {
		from = afterAt
	}
	var page AuditPage
	for {
		es, err := audit.List(ctx, from, batch)
		if err != nil {
			return page, err
		}
		progressed := false
		for _, e := range es {
			if afterID > 0 && (e.At.Before(afterAt) || (e.At.Equal(afterAt) && e.ID <= afterID)) {
				continue
			}
			progressed = true
			afterAt, afterID = e.At, e.ID
			if action != "" && e.Action != action {
				continue
			}
			if len(page.Entries) == n {
				page.More = true
				return page, nil
			}
			page.Entries = append(page.Entries, e)
			page.NextAt, page.NextID = e.At, e.ID
		}
		if len(es) < batch {
			return page, nil
		}
		if !progressed {
			return page, errors.New("web: more than 1000 audit entries share one timestamp; cannot page past them")
		}
		from = afterAt
	}
}

type auditRow struct {
	At, Actor, Action, Target, Detail string
}

type auditPageData struct {
	Name     string
	CSRF     string
	Roles    []string
	Page     string // the page in the console's navigation
	Since    string
	Action   string
	Rows     []auditRow
	OlderURL string // the next page of older entries, if any
	FirstURL string // the newest entries, when this page is not the first
	Error    string
}

// auditPage lists the audit log for admins, newest first: filter by day and action, page
// back through older entries.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	q := r.URL.Query()
	data := auditPageData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Page: "audit", Action: strings.TrimSpace(q.Get("action"))}
	since := time.Now().UTC().AddDate(0, 0, -7).Truncate(24 * time.Hour)
	if v := q.Get("since"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			data.Error = "The date must look like 2025-01-31."
			s.render(w, "audit.html", data)
			return
		}
		since = d
	}
	data.Since = since.Format(time.DateOnly)
	var before clinician.AuditCursor
	if v := q.Get("before"); v != "" {
		id, at, ok := strings.Cut(v, "@")
		n, err1 := strconv.ParseInt(id, 10, 64)
		t, err2 := time.Parse(time.RFC3339Nano, at)
		if !ok || err1 != nil || err2 != nil || n <= 0 {
			http.Error(w, "bad page cursor", http.StatusBadRequest)
			return
		}
		before = clinician.AuditCursor{At: t, ID: n}
	}
	entries, err := s.audit.ListNewest(r.Context(), since, data.Action, before, auditPageSize+1)
	if err != nil {
		s.logger.Error("read audit log", "error", err)
		http.Error(w, "The audit log is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	if err := s.audit.Record(r.Context(), clinician.ActorClinician(c.ID), "audit.viewed", "/console/audit",
		map[string]any{"since": data.Since, "action": data.Action, "before_id": before.ID}); err != nil {
		// Every access is recorded: without the record, no access.
		s.logger.Error("audit audit.viewed", "error", err)
		http.Error(w, "The audit log is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	more := len(entries) > auditPageSize
	entries = entries[:min(len(entries), auditPageSize)]
	for _, e := range entries {
		detail, _ := json.Marshal(e.Detail)
		data.Rows = append(data.Rows, auditRow{At: e.At.UTC().Format("2006-01-02 15:04:05Z"), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: string(detail)})
	}
	link := func(cursor string) string {
		v := url.Values{"since": {data.Since}}
		if cursor != "" {
			v.Set("before", cursor)
		}
		if data.Action != "" {
			v.Set("action", data.Action)
		}
		return "/console/audit?" + v.Encode()
	}
	if more {
		last := entries[len(entries)-1]
		data.OlderURL = link(strconv.FormatInt(last.ID, 10) + "@" + last.At.Format(time.RFC3339Nano))
	}
	if before.ID > 0 {
		data.FirstURL = link("")
	}
	s.render(w, "audit.html", data)
}
