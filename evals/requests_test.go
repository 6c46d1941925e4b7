package evals

import (
	"testing"

	"nightfloat/safety"
)

// TestRequestCases: the request cases load, carry both labels in every category named in
// evals/requests/README.md, and are their own source.
func TestRequestCases(t *testing.T) {
	cs, err := RequestCases()
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	neg := 0
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Source != RequestsSource {
			t.Errorf("%q: source %q, want %q", c.Text, c.Source, RequestsSource)
		}
		if seen[c.Text] {
			t.Errorf("duplicate text %q", c.Text)
		}
		seen[c.Text] = true
		if c.Escalate {
			pos[c.Category]++
		} else {
			neg++
		}
	}
	for _, cat := range []safety.Category{safety.SuicidePlanOrIntent, safety.SelfHarm, safety.HarmToOthers, safety.SevereImpairment, safety.AbuseOrAssault} {
		if pos[string(cat)] < 20 {
			t.Errorf("%s: %d escalate cases, want at least 20", cat, pos[string(cat)])
		}
	}
	if neg < 200 {
		t.Errorf("%d look-alikes, want at least 200", neg)
	}
	info, _, err := safety.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if info[RequestsSource].Kind != "assistant_requests" {
		t.Errorf("sources.json: %s has kind %q, want assistant_requests", RequestsSource, info[RequestsSource].Kind)
	}
}
