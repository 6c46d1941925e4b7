package web

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDisconnects: each close reason has its own code, a reason that fits a close frame,
// and follows the protocol's rule for application codes (4000-4499: reconnect), 4401
// being the one exception.
func TestDisconnects(t *testing.T) {
	seen := map[int]bool{}
	for _, d := range disconnects {
		if seen[d.code] {
			t.Errorf("close code %d is used by two reasons", d.code)
		}
		seen[d.code] = true
		if d.reason == "" || len(d.reason) > 123 {
			t.Errorf("close code %d: reason %q must have 1 to 123 bytes", d.code, d.reason)
		}
		if d.code >= 4000 && d.code < 4500 && !d.reconnect && d != disconnectSessionEnded {
			t.Errorf("close code %d is in 4000-4499 (reconnect and resync) but says not to reconnect", d.code)
		}
	}
}

// TestDisconnectsAreDocumented: docs/protocol.md's close code table lists exactly these
// codes, with the same advice on reconnecting.
func TestDisconnectsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Close codes\n")
	if !ok {
		t.Fatal("docs/protocol.md has no \"## Close codes\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	documented := map[int]bool{} // code -> reconnect
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		code, err := strconv.Atoi(strings.TrimSpace(cells[1]))
		if err != nil {
			continue // the header
		}
		documented[code] = strings.TrimSpace(cells[2]) == "yes"
	}
	for _, d := range disconnects {
		reconnect, ok := documented[d.code]
		switch {
		case !ok:
			t.Errorf("close code %d (%s) is not in docs/protocol.md", d.code, d.reason)
		case reconnect != d.reconnect:
			t.Errorf("close code %d: docs/protocol.md says reconnect %v, web/disconnect.go %v", d.code, reconnect, d.reconnect)
		}
		delete(documented, d.code)
	}
	for code := range documented {
		t.Errorf("docs/protocol.md lists close code %d, which the server never sends", code)
	}
}
