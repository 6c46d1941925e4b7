package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
)

func TestReportCrisisSuppressesSmallCounts(t *testing.T) {
	db := postgrestest.New(t)
	ctx := context.Background()
	// Counts spread over days of 2025, and one row in 2024 that must not be counted.
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO crisis_referrals (day, kind, level, category, disposition, count) VALUES
		('2025-01-03', 'handoff', 'urgent', 'suicidal_ideation', '', 4),
		('2025-02-10', 'handoff', 'urgent', 'suicidal_ideation', '', 3),
		('2025-03-01', 'handoff', 'emergency', 'suicidal_ideation,suicide_plan_or_intent', '', 2),
		('2025-03-01', 'concern', 'concern', 'distress', '', 40),
		('2025-04-01', 'unattended', 'urgent', 'suicidal_ideation', '', 1),
		('2025-05-01', 'resolved', 'urgent', 'suicidal_ideation', 'safety_plan_made', 6),
		('2025-05-02', 'resolved', 'emergency', 'suicide_plan_or_intent', 'emergency_services', 2),
		('2025-06-01', 'resolved', 'urgent', 'suicidal_ideation', 'referred', 9),
		('2024-12-31', 'concern', 'concern', 'distress', '', 1000)`)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb, func(k string) string {
		if k == "DATABASE_URL" {
			return db.URL
		}
		return ""
	})
	if code := run(ctx, []string{"report", "crisis", "--year", "2025", "--format", "json"}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		Sections []struct {
			Title string `json:"title"`
			Total any    `json:"total"`
			Rows  []struct {
				Name  string `json:"name"`
				Count any    `json:"count"`
			} `json:"rows"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	get := func(section, row string) any {
		for _, s := range r.Sections {
			if strings.HasPrefix(s.Title, section) {
				if row == "" {
					return s.Total
				}
				for _, x := range s.Rows {
					if x.Name == row {
						return x.Count
					}
				}
			}
		}
		t.Fatalf("no %q / %q in %s", section, row, out.String())
		return nil
	}
	for _, tc := range []struct {
		section, row string
		want         any
	}{
		{"Crisis-referral notifications, by kind", "", float64(50)},
		{"Crisis-referral notifications, by kind", "supportive reply to distress, with crisis resources", float64(40)},
		// 9 would give away the 1 beside it (50-40-9): hidden too.
		{"Crisis-referral notifications, by kind", "handoff to a clinician, with crisis resources", "<5"},
		{"Crisis-referral notifications, by kind", "no clinician joined in time; resident given round-the-clock services", "<5"},
		{"Handoffs to a clinician, by level", "", float64(9)},
		{"Handoffs to a clinician, by level", "urgent", "<5"},
		{"Handoffs to a clinician, by level", "emergency", "<5"},
		{"Handoffs resolved, by disposition", "", float64(17)},
		{"Handoffs resolved, by disposition", "referred", float64(9)},
		{"Handoffs resolved, by disposition", "emergency_services", "<5"},
		// Only one count would be hidden: the next smallest goes too, or 17-9-6 gives it away.
		{"Handoffs resolved, by disposition", "safety_plan_made", "<5"},
		{"Crisis-referral notifications, by category", "suicide plan or intent", "<5"},
	} {
		if got := get(tc.section, tc.row); got != tc.want {
			t.Errorf("%s / %s = %v, want %v", tc.section, tc.row, got, tc.want)
		}
	}
	for _, forbidden := range []string{"conversation", "seq", "2025-01-03", "2025-05-02"} {
		if strings.Contains(out.String(), forbidden) {
			t.Errorf("report mentions %q:\n%s", forbidden, out.String())
		}
	}

	out.Reset()
	if code := run(ctx, []string{"report", "crisis", "--year", "2025"}, e); code != 0 {
		t.Fatalf("text exit %d: %s", code, errb.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		last := fields[len(fields)-1]
		if last == "1" || last == "2" || last == "3" || last == "4" {
			t.Errorf("a count below 5 is shown: %q", line)
		}
	}
	t.Logf("\n%s", out.String())
	if code := run(ctx, []string{"report", "crisis"}, e); code != 2 {
		t.Errorf("missing --year: exit %d, want 2", code)
	}
}
