package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/assistant"
	"nightfloat/safety"
)

func safetyServer(t *testing.T, crisis assistant.CrisisResources, info SafetyInfo) *httptest.Server {
	t.Helper()
	site, err := NewServer(nil, nil, nil, Options{Crisis: crisis, Safety: info})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestSafetyPageInBrowser renders /safety from a test configuration in headless Chromium
// and checks that the configured values, not defaults, are what it states.
func TestSafetyPageInBrowser(t *testing.T) {
	crisis := assistant.CrisisResources{Institution: "Mercy Teaching Hospital", OncallPhone: "555-0199", OncallLabel: "Mercy wellbeing on-call"}
	info := SafetyInfo{
		DisclosureEvery:        90 * time.Minute,
		RetentionDays:          45,
		PagerConfigured:        true,
		HandoffReAlert:         3 * time.Minute,
		HandoffUnattended:      7 * time.Minute,
		ImpairedPracticePolicy: "Mercy's Physician Health Committee policy IP-7 governs; the committee chair is told, never the programme.",
		Processors:             []string{"the language model endpoint at llm.mercy.example"},
	}
	srv := safetyServer(t, crisis, info)
	ctx := newBrowser(t)
	do(t, ctx, "open /safety", chromedp.Navigate(srv.URL+"/safety"), chromedp.WaitVisible(css("#leaves")))

	body := text(t, ctx, "body")
	for _, want := range []string{
		"Mercy Teaching Hospital",
		"Mercy wellbeing on-call", "555-0199",
		"988", "HOME", "741741", "911",
		"AI assistant — not a person", // the disclosure as the service words it
		"90 minutes",
		"45 days",
		"3 minutes", "7 minutes",
		"The institution's paging system is also alerted",
		"policy IP-7 governs",
		"llm.mercy.example",
		"emergency services",
		"pseudonym",
		"masked",
		"SB 243", "article 47", "HB 452",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/safety does not say %q", want)
		}
	}
	for _, c := range safety.AllCategories() {
		if w, ok := categoryWords[c]; !ok || !strings.Contains(body, w) {
			t.Errorf("/safety does not describe category %s in plain words", c)
		}
	}
	if got := text(t, ctx, "#disclosure-every"); got != "90 minutes" {
		t.Errorf("disclosure interval shows %q", got)
	}
	if strings.Contains(body, DefaultImpairedPracticePolicy[:40]) {
		t.Error("the default impaired-practice text shows although the institution configured its own")
	}
	// The page runs no script and loads nothing from elsewhere.
	if n := eval[int](t, ctx, `document.scripts.length`); n != 0 {
		t.Errorf("/safety has %d scripts", n)
	}
	if n := eval[int](t, ctx, `performance.getEntriesByType("resource").filter(e => !e.name.startsWith(location.origin)).length`); n != 0 {
		t.Errorf("/safety fetched %d resources from elsewhere", n)
	}
}

// TestSafetyPageDefaults checks what an unconfigured deployment states: no pager, no
// automatic deletion claimed, the default policy text, and that nothing leaves for an
// outside AI service.
func TestSafetyPageDefaults(t *testing.T) {
	srv := safetyServer(t, assistant.CrisisResources{Institution: "your institution", OncallLabel: "Your programme's on-call support"}, SafetyInfo{})
	resp, err := http.Get(srv.URL + "/safety")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /safety: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var b strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	page := b.String()
	for _, want := range []string{
		"No paging system is configured",
		"No automatic deletion period is configured",
		"not sent to any outside AI service",
		"3 hours", "2 minutes", "5 minutes",
		"the institution&#39;s own policy on impaired practice",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("default /safety does not say %q", want)
		}
	}
	if strings.Contains(page, `id="oncall"`) {
		t.Error("an on-call line is shown although no number is configured")
	}
}
