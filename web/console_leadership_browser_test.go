package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/pulse"
)

// TestLeadershipPageFits opens the programme trends for a seeded month, with a released
// batch of reports, at a phone's and a laptop's size: nothing spills, every figure shown
// is at least the minimum, small groups read "hidden", each table has its bars, the
// week-by-week table opens, and the released reports are listed under their batch.
func TestLeadershipPageFits(t *testing.T) {
	h := newHarness(t, harnessOptions{site: func(o *Options) {
		o.Leadership = LeadershipOptions{MinCell: 10, Reports: pulse.ReleaseOptions{Delay: 7 * 24 * time.Hour, MinBatch: 5}}
	}})
	h.seedMonth(t)
	store := pulse.New(h.db.Pool)
	for i, kind := range []string{"mistreatment", "duty_hours", "unsafe_staffing", "mistreatment", "duty_hours"} {
		if err := store.Submit(context.Background(), kind, "Report "+strconv.Itoa(i)+": belittled on rounds in front of the team, third week running, and told to stay past the limit."); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := store.Release(context.Background(), pulse.ReleaseOptions{Delay: 7 * 24 * time.Hour, MinBatch: 5}, time.Now().Add(8*24*time.Hour)); err != nil || n != 5 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if _, err := h.accounts.Create(context.Background(), "pd", "Dr Director", consolePassword, []string{"leadership"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range layoutSizes {
		t.Run(v.name, func(t *testing.T) {
			b := browserAt(t, v)
			signInBrowser(t, b, h.http.URL, "pd", consolePassword)
			do(t, b, "open the trends", chromedp.Navigate(h.http.URL+"/console/leadership"), chromedp.WaitVisible(css("#trend-role")))
			checkLayout(t, b, "programme trends")
			screenshot(t, b, "leadership-"+v.name)
			for _, id := range []string{"role", "distress", "category", "document", "pulse", "pulse_topic"} {
				if !visible(t, b, "#trend-"+id+" .bar-row") {
					t.Errorf("table %s has no bars", id)
				}
			}
			values := eval[string](t, b, `[...document.querySelectorAll('.bar-row .value, .trend-table td.num, .trend .total strong')].map(e => e.textContent.trim()).join("|")`)
			hidden := 0
			for _, v := range strings.Split(values, "|") {
				if v == "hidden" {
					hidden++
					continue
				}
				if n, err := strconv.Atoi(v); err != nil || n < 10 {
					t.Errorf("the page shows %q, not a count of at least 10 or hidden", v)
				}
			}
			if hidden == 0 {
				t.Error("no cell reads hidden; the seeded month has small groups")
			}
			if got := text(t, b, "#trend-role"); !strings.Contains(got, "resident") || !strings.Contains(got, "student") {
				t.Errorf("role table reads %q", got)
			}
			// Bars are wide enough to compare and labels readable.
			if w := eval[float64](t, b, `document.querySelector('#trend-role .bar-row .track').getBoundingClientRect().width`); w < 120 {
				t.Errorf("bars are %.0f px wide, too narrow to read", w)
			}
			do(t, b, "open every week", chromedp.Click(css("#trend-role summary")), chromedp.WaitVisible(css("#trend-role .trend-table")))
			checkLayout(t, b, "programme trends, every week open")
			if got := text(t, b, "#reports"); !strings.Contains(got, "5 reports") || !strings.Contains(got, "belittled on rounds") {
				t.Errorf("released reports read %q", got)
			}
		})
	}
}
