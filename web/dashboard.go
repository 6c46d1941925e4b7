package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"nightfloat/review"
)

// The supervisor dashboard (roles reviewer and admin): aggregate counts per UTC day, drawn
// as SVG on the server. It holds no per-resident data, and every count from 1 to 4 is
// shown as "<5" (review.Cell), in the tables and in the charts, whose suppressed bars are
// not drawn at all so that their height cannot give the count away.

type dashboardData struct {
	Name, CSRF string
	Roles      []string
	D          review.Dashboard
	Days       int
	Charts     []svgChart
	Rows       []dashRow
	Kappa      string
	KappaNote  string
	Page       string // the page in the console's navigation
}

type dashRow struct {
	Day      string
	Stats    review.DayStats
	P50, P90 string
}

type svgChart struct {
	ID, Title     string
	Width, Height int
	Bars          []svgBar
	Labels        []svgText
	Legend        []svgLegend
	BaseY         int
}

type svgBar struct {
	X, Y, W, H int
	Class      string
	Value      string // the cell as shown ("<5" when suppressed)
	VX, VY     int
}

type svgText struct {
	X, Y int
	Text string
}

type svgLegend struct {
	X     int
	Class string
	Text  string
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	days := 14
	if v, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && v >= 1 && v <= 92 {
		days = v
	}
	d, err := review.LoadDashboard(r.Context(), s.pool, review.DashboardOptions{Days: days})
	if err != nil {
		s.logger.Error("dashboard", "error", err)
		http.Error(w, "The dashboard is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	if s.audit != nil {
		if err := s.audit.Record(r.Context(), c.Actor(), "dashboard.view", "", map[string]any{"days": days}); err != nil {
			s.logger.Error("audit dashboard.view", "error", err)
		}
	}
	data := dashboardData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, D: d, Days: days, Page: "dashboard"}
	for i := len(d.Days) - 1; i >= 0; i-- {
		st := d.Days[i]
		data.Rows = append(data.Rows, dashRow{Day: st.Day.Format("2006-01-02"), Stats: st, P50: dur(st.ClaimP50), P90: dur(st.ClaimP90)})
	}
	type series struct {
		class, name string
		get         func(review.DayStats) review.Cell
	}
	chart := func(id, title string, ss ...series) svgChart {
		return barChart(id, title, d.Days, func(st review.DayStats) []review.Cell {
			out := make([]review.Cell, len(ss))
			for i, s := range ss {
				out[i] = s.get(st)
			}
			return out
		}, func() []svgLegend {
			var l []svgLegend
			for i, s := range ss {
				l = append(l, svgLegend{X: 40 + i*110, Class: s.class, Text: s.name})
			}
			return l
		}())
	}
	data.Charts = []svgChart{
		chart("chart-conversations", "Conversations started", series{"", "conversations", func(s review.DayStats) review.Cell { return s.Conversations }}),
		chart("chart-handoffs", "Handoffs by level",
			series{"urgent", "urgent", func(s review.DayStats) review.Cell { return s.HandoffsUrgent }},
			series{"emergency", "emergency", func(s review.DayStats) review.Cell { return s.HandoffsEmergency }}),
		chart("chart-reviews", "Reviews and what they found",
			series{"", "reviews", func(s review.DayStats) review.Cell { return s.Reviews }},
			series{"missed", "missed escalations", func(s review.DayStats) review.Cell { return s.Missed }},
			series{"over", "over-escalations", func(s review.DayStats) review.Cell { return s.OverEscalated }}),
		chart("chart-backlog", "Review backlog at day's end", series{"", "items waiting", func(s review.DayStats) review.Cell { return s.Backlog }}),
	}
	switch {
	case d.AgreementShown():
		data.Kappa = fmt.Sprintf("%.2f", d.Agreement.Kappa)
		data.KappaNote = fmt.Sprintf("over %s double-reviewed items (observed agreement %.0f%%)", review.Cell(d.Agreement.N), d.Agreement.Observed*100)
	case d.Agreement.N > 0:
		data.Kappa = "—"
		data.KappaNote = fmt.Sprintf("%s double-reviewed items: too few to compute agreement", review.Cell(d.Agreement.N))
	default:
		data.Kappa = "—"
		data.KappaNote = "no double-reviewed items in this window"
	}
	s.render(w, "dashboard.html", data)
}

func dur(d *time.Duration) string {
	if d == nil {
		return "—"
	}
	return d.Round(time.Second).String()
}

// barChart draws grouped bars, one group per day. Suppressed cells get no bar, only "<5".
func barChart(id, title string, days []review.DayStats, values func(review.DayStats) []review.Cell, legend []svgLegend) svgChart {
	const width, height, left, top, bottom = 640, 220, 30, 28, 36
	c := svgChart{ID: id, Title: title, Width: width, Height: height, Legend: legend, BaseY: height - bottom}
	maxV := review.Cell(review.MinCell)
	for _, d := range days {
		for _, v := range values(d) {
			if !v.Suppressed() && v > maxV {
				maxV = v
			}
		}
	}
	groupW := (width - left - 10) / max(len(days), 1)
	for i, d := range days {
		vals := values(d)
		barW := max((groupW-4)/max(len(vals), 1), 2)
		x0 := left + i*groupW + 2
		for j, v := range vals {
			x := x0 + j*barW
			b := svgBar{X: x, W: barW - 1, Class: legend[j].Class, Value: v.String(), VX: x + barW/2}
			if !v.Suppressed() {
				b.H = int(float64(v) / float64(maxV) * float64(height-top-bottom))
			}
			b.Y = c.BaseY - b.H
			b.VY = b.Y - 3
			if v == 0 {
				b.Value = ""
			}
			c.Bars = append(c.Bars, b)
		}
		if len(days) <= 16 || i%2 == 0 {
			c.Labels = append(c.Labels, svgText{X: x0 + groupW/2 - 2, Y: height - bottom + 14, Text: d.Day.Format("01-02")})
		}
	}
	return c
}
