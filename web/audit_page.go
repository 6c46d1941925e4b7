package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nightfloat/review"
)

// The audit page: who did what, when, for admins only. Viewing it is itself audited.

const auditPageSize = 50

// AuditPage is one page of the audit log, oldest first, after a cursor.
type AuditPage struct {
	Entries []review.AuditEntry
	// More is true when entries follow; NextAt and NextID are the cursor for them.
	More   bool
	NextAt time.Time
	NextID int64
}

// ReadAuditPage returns up to n entries at or after since (and after the cursor afterAt,
// afterID when afterID > 0) whose action is action (any when empty), through
// review.Audit.List, which pages by time. The command line and the console share it.
func ReadAuditPage(ctx context.Context, audit *review.Audit, since time.Time, action string, afterAt time.Time, afterID int64, n int) (AuditPage, error) {
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
	Name    string
	CSRF    string
	Since   string
	Action  string
	Rows    []auditRow
	NextURL string
	Error   string
}

// auditPage lists the audit log for admins: filter by day and action, page forward.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	q := r.URL.Query()
	data := auditPageData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Action: strings.TrimSpace(q.Get("action"))}
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
	var afterAt time.Time
	var afterID int64
	if v := q.Get("after"); v != "" {
		id, at, ok := strings.Cut(v, "@")
		n, err1 := strconv.ParseInt(id, 10, 64)
		t, err2 := time.Parse(time.RFC3339Nano, at)
		if !ok || err1 != nil || err2 != nil {
			http.Error(w, "bad page cursor", http.StatusBadRequest)
			return
		}
		afterID, afterAt = n, t
	}
	page, err := ReadAuditPage(r.Context(), s.audit, since, data.Action, afterAt, afterID, auditPageSize)
	if err != nil {
		s.logger.Error("read audit log", "error", err)
		http.Error(w, "The audit log is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	if err := s.audit.Record(r.Context(), review.ActorClinician(c.ID), "audit.viewed", "/console/audit",
		map[string]any{"since": data.Since, "action": data.Action, "after_id": afterID}); err != nil {
		// Every access is recorded: without the record, no access.
		s.logger.Error("audit audit.viewed", "error", err)
		http.Error(w, "The audit log is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	for _, e := range page.Entries {
		detail, _ := json.Marshal(e.Detail)
		data.Rows = append(data.Rows, auditRow{At: e.At.UTC().Format("2006-01-02 15:04:05Z"), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: string(detail)})
	}
	if page.More {
		v := url.Values{"since": {data.Since}, "after": {strconv.FormatInt(page.NextID, 10) + "@" + page.NextAt.Format(time.RFC3339Nano)}}
		if data.Action != "" {
			v.Set("action", data.Action)
		}
		data.NextURL = "/console/audit?" + v.Encode()
	}
	s.render(w, "audit.html", data)
}
