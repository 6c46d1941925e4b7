package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"nightfloat"
	"nightfloat/insights"
	"nightfloat/pulse"
)

// The programme's trends (role leadership): weekly aggregates from insights.LoadTrends,
// every small count hidden with its complements, over whole aligned ISO weeks only, and
// the reports to leadership released in batches (pulse.Released). Nothing here names a
// conversation, a pseudonym or a review item, and every view and export is audited.

// leadershipReleasedBatches is how many released batches the page lists.
const leadershipReleasedBatches = 12

type leadershipData struct {
	Name, CSRF string
	Roles      []string
	Page       string
	T          insights.Trends
	Weeks      int
	Windows    []int
	Until      string // the window's end as asked (a Monday), or empty for the latest
	Latest     string // the last week shown, "w/c 23 Nov"
	WeekLabels []string
	Tables     []trendView
	Batches    []pulse.Batch
	MinBatch   int
	Delay      string
}

// trendView is one table: the latest week as bars, and every week as a sparkline per row.
type trendView struct {
	insights.TrendTable
	Rows        []trendRowView
	LatestTotal insights.TrendCell
}

type trendRowView struct {
	Label  string
	Latest insights.TrendCell
	Width  int // percent of the widest shown latest cell
	Cells  []insights.TrendCell
	Spark  []sparkSeg
}

// sparkSeg is a line between two consecutive shown weeks; a hidden week breaks the line.
type sparkSeg struct{ X1, Y1, X2, Y2 int }

// Sparkline geometry, in SVG units.
const sparkW, sparkH = 120, 28

// leadershipWindow reads ?weeks= and ?until= (a Monday, YYYY-MM-DD), refusing what
// insights.CheckTrendWindow refuses.
func leadershipWindow(r *http.Request) (int, time.Time, error) {
	weeks := 4
	if v := r.URL.Query().Get("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, time.Time{}, nightfloat.Errorf(nightfloat.CodeInvalid, "weeks is a number of weeks.")
		}
		weeks = n
	}
	var until time.Time
	if v := r.URL.Query().Get("until"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return 0, time.Time{}, nightfloat.Errorf(nightfloat.CodeInvalid, "until is a date, YYYY-MM-DD.")
		}
		until = t
	}
	return weeks, until, insights.CheckTrendWindow(weeks, until)
}

// loadTrends answers the request's window, audited as action; it writes the error itself.
func (s *Server) loadTrends(w http.ResponseWriter, r *http.Request, action string) (insights.Trends, int, time.Time, bool) {
	c, _ := ClinicianFrom(r.Context())
	weeks, until, err := leadershipWindow(r)
	if err != nil {
		writeTextError(w, nightfloat.ErrorCode(err), nightfloat.ErrorMessage(err))
		return insights.Trends{}, 0, time.Time{}, false
	}
	t, err := insights.LoadTrends(r.Context(), s.pool, insights.TrendOptions{Weeks: weeks, Until: until, MinCell: s.leadership.MinCell})
	if err != nil {
		s.logger.Error("leadership trends", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The programme trends are unavailable right now.")
		return t, 0, time.Time{}, false
	}
	detail := map[string]any{"weeks": weeks}
	if !until.IsZero() {
		detail["until"] = until.Format(time.DateOnly)
	}
	if err := s.audit.Record(r.Context(), c.Actor(), action, "", detail); err != nil {
		s.logger.Error("audit "+action, "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The programme trends are unavailable right now.")
		return t, 0, time.Time{}, false
	}
	return t, weeks, until, true
}

func (s *Server) leadershipPage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	t, weeks, until, ok := s.loadTrends(w, r, "leadership.view")
	if !ok {
		return
	}
	batches, err := s.pulse.Released(r.Context(), leadershipReleasedBatches)
	if err != nil {
		s.logger.Error("leadership reports", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The programme trends are unavailable right now.")
		return
	}
	data := leadershipData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Page: "leadership", T: t,
		Weeks: weeks, Windows: insights.TrendWindows, Batches: batches,
		MinBatch: s.leadership.Reports.MinBatch, Delay: days(s.leadership.Reports.Delay)}
	if !until.IsZero() {
		data.Until = until.Format(time.DateOnly)
	}
	for _, wk := range t.Weeks {
		data.WeekLabels = append(data.WeekLabels, wk.Format("02 Jan"))
	}
	last := len(t.Weeks) - 1
	data.Latest = "w/c " + t.Weeks[last].Format("2 Jan 2006")
	for _, tab := range t.Tables {
		v := trendView{TrendTable: tab, LatestTotal: tab.Total.Cells[last]}
		widest, top := 1, 1
		for _, row := range tab.Rows {
			widest = max(widest, row.Cells[last].Count())
			for _, c := range row.Cells {
				top = max(top, c.Count())
			}
		}
		for _, row := range tab.Rows {
			rv := trendRowView{Label: row.Label, Latest: row.Cells[last], Cells: row.Cells, Width: row.Cells[last].Count() * 100 / widest}
			rv.Spark = sparkline(row.Cells, top)
			v.Rows = append(v.Rows, rv)
		}
		data.Tables = append(data.Tables, v)
	}
	s.render(w, "leadership.html", data)
}

// sparkline joins consecutive shown weeks; hidden weeks leave a gap.
func sparkline(cells []insights.TrendCell, top int) []sparkSeg {
	var out []sparkSeg
	step := sparkW / max(len(cells)-1, 1)
	y := func(c insights.TrendCell) int { return sparkH - 2 - c.Count()*(sparkH-4)/top }
	for i := 1; i < len(cells); i++ {
		if cells[i-1].Shown() && cells[i].Shown() {
			out = append(out, sparkSeg{X1: (i - 1) * step, Y1: y(cells[i-1]), X2: i * step, Y2: y(cells[i])})
		}
	}
	return out
}

func days(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// leadershipCSV exports the same cells as the page, with the same suppression: a hidden
// cell is the word "hidden", never a number.
func (s *Server) leadershipCSV(w http.ResponseWriter, r *http.Request) {
	t, weeks, _, ok := s.loadTrends(w, r, "leadership.export")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="nightfloat-trends-%s-%dw.csv"`, t.Weeks[len(t.Weeks)-1].Format(time.DateOnly), weeks))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"table", "group", "week_starting", "count", "unit", "minimum_cell"})
	for _, tab := range t.Tables {
		for _, row := range append(tab.Rows, tab.Total) {
			for i, c := range row.Cells {
				_ = cw.Write([]string{tab.ID, row.Label, t.Weeks[i].Format(time.DateOnly), c.String(), tab.Unit, strconv.Itoa(t.MinCell)})
			}
		}
	}
	cw.Flush()
}
