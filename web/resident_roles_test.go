package web

import (
	"html"
	"io"
	"net/http"
	"strings"
	"testing"

	"nightfloat"
)

// TestResidentPagesOfferEveryRole: the chat page and the questionnaire page offer every
// role, in display order, by its label.
func TestResidentPagesOfferEveryRole(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var want strings.Builder
	for _, r := range nightfloat.Roles {
		want.WriteString(`<option value="` + string(r) + `">` + html.EscapeString(r.Label()) + `</option>`)
	}
	for _, path := range []string{"/", "/screen"} {
		resp, err := http.Get(h.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(strings.Fields(string(body)), "")
		if !strings.Contains(got, strings.Join(strings.Fields(want.String()), "")) {
			t.Errorf("%s does not offer the roles in order", path)
		}
	}
}
