package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The package rules of the README's "Structure" section, checked against what the packages
// really import (tests excluded), so that they stay true as the code grows.

type listedPackage struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "nightfloat/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []listedPackage
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestPackageBoundaries(t *testing.T) {
	// Each external library has one home.
	only := map[string][]string{
		// web serves websockets (and holds the Go resident client); loadtest is the one other
		// home, a client that drives a running server from outside as a load generator and
		// must not share web's server code. web/protocol, the frames they share, is neither.
		"github.com/gorilla/websocket":          {"nightfloat/web", "nightfloat/loadtest"},
		"github.com/sashabaranov/go-openai":     {"nightfloat/llm"},
		"github.com/prometheus/client_golang/":  {"nightfloat/metrics"},
		"github.com/SherClockHolmes/webpush-go": {"nightfloat/push"},
	}
	// Internal packages some packages must never import.
	never := map[string][]string{
		"nightfloat/safety":    {"nightfloat/assistant", "nightfloat/retrieval", "nightfloat/review", "nightfloat/web", "nightfloat/config"},
		"nightfloat/retrieval": {"nightfloat/assistant", "nightfloat/review", "nightfloat/web", "nightfloat/config"},
		"nightfloat/assistant": {"nightfloat/review", "nightfloat/clinician", "nightfloat/web", "nightfloat/config"},
		"nightfloat/clinician": {"nightfloat/assistant", "nightfloat/review", "nightfloat/safety", "nightfloat/retrieval", "nightfloat/web", "nightfloat/config"},
		"nightfloat/review":    {"nightfloat/web", "nightfloat/config"},
		"nightfloat/postgres":  {"nightfloat/"},
		"nightfloat/llm":       {"nightfloat/"},
		// The fake model server is imported by the load tool as well as by tests: it stays a
		// leaf, and speaks the protocol without go-openai (checked above).
		"nightfloat/llm/llmtest": {"nightfloat/"},
		"nightfloat/prompts":     {"nightfloat/"},
		"nightfloat/redact":      {"nightfloat/"},
		// Web push: its table and the library, nothing of the conversation's owner.
		"nightfloat/push": {"nightfloat/assistant", "nightfloat/web", "nightfloat/review", "nightfloat/clinician", "nightfloat/config", "nightfloat/safety"},
		// Self-help forms: their shapes and their table, and nothing that holds a conversation.
		"nightfloat/selfhelp": {"nightfloat/assistant", "nightfloat/web", "nightfloat/review", "nightfloat/clinician", "nightfloat/config", "nightfloat/safety"},
		// What residents tell the programme stays apart from the assistant, the clinicians'
		// tools and the review queue (issue 20).
		"nightfloat/pulse": {"nightfloat/assistant", "nightfloat/review", "nightfloat/clinician", "nightfloat/web", "nightfloat/config", "nightfloat/insights"},
		// The websocket frames only: no server code, no storage.
		"nightfloat/web/protocol": {"nightfloat/web", "nightfloat/review", "nightfloat/clinician", "nightfloat/postgres", "nightfloat/config"},
	}
	// The domain package (the module root) is the bottom of the house: it imports nothing of
	// the module, and every package may import it.
	never["nightfloat"] = []string{"nightfloat/"}
	// insights reads across table owners and writes nothing (the README's Structure
	// section): of this module it imports only the domain words, safety (levels and
	// categories) and the leaves, never a package that writes; and only the packages whose
	// cross-owner reads it holds import it.
	insightsImports := []string{"nightfloat", "nightfloat/safety", "nightfloat/postgres", "nightfloat/redact"}
	insightsUsers := []string{"nightfloat/web", "nightfloat/cmd/nightfloat", "nightfloat/review", "nightfloat/metrics"}
	// Internal packages only some packages may import (tests aside).
	importers := map[string][]string{
		// web/protocol is not web (that rule below names the exact path): the server, the
		// resident client inside web, and the programs that speak the protocol from outside
		// (the load tool; the end-to-end eval, whose connections are web.ResidentClient) share it.
		"nightfloat/web/protocol": {"nightfloat/web", "nightfloat/loadtest", "nightfloat/evals"},
	}
	// Test kits (postgrestest, assistanttest, ...) are for tests and each other; the load
	// tool also serves llmtest's fake model.
	kit := func(path string) bool { return strings.HasSuffix(path, "test") && path != "nightfloat/loadtest" }
	kitUsers := map[string][]string{"nightfloat/llm/llmtest": {"nightfloat/loadtest"}}
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			own := imp == "nightfloat" || strings.HasPrefix(imp, "nightfloat/")
			if p.ImportPath == "nightfloat/insights" && own && !contains(insightsImports, imp) {
				t.Errorf("insights imports %s; it may import only %v", imp, insightsImports)
			}
			if imp == "nightfloat/insights" && !contains(insightsUsers, p.ImportPath) {
				t.Errorf("%s imports insights; only %v may", p.ImportPath, insightsUsers)
			}
			for lib, homes := range only {
				if strings.HasPrefix(imp, lib) && !contains(homes, p.ImportPath) {
					t.Errorf("%s imports %s; only %v may", p.ImportPath, imp, homes)
				}
			}
			if users, ok := importers[imp]; ok && !contains(users, p.ImportPath) {
				t.Errorf("%s imports %s; only %v may", p.ImportPath, imp, users)
			}
			if strings.HasPrefix(imp, "nightfloat/") && kit(imp) && !kit(p.ImportPath) && !contains(kitUsers[imp], p.ImportPath) {
				t.Errorf("%s imports the test kit %s: kits are for tests", p.ImportPath, imp)
			}
			if (imp == "nightfloat/web" || strings.HasPrefix(imp, "nightfloat/cmd")) && !strings.HasPrefix(p.ImportPath, "nightfloat/cmd") {
				t.Errorf("%s imports %s: nothing but cmd may import web, and nothing imports cmd", p.ImportPath, imp)
			}
			if imp == "nightfloat/config" && !strings.HasPrefix(p.ImportPath, "nightfloat/cmd") {
				t.Errorf("%s imports config: only cmd reads configuration", p.ImportPath)
			}
			for _, bad := range never[p.ImportPath] {
				if strings.HasPrefix(imp, bad) && !strings.HasSuffix(imp, "test") {
					t.Errorf("%s must not import %s", p.ImportPath, imp)
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestEveryPackageSaysWhatItOwns: each package has a doc.go whose package comment says what
// it is (and, by the house rule, what it owns and must not touch).
func TestEveryPackageSaysWhatItOwns(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{.Doc}}", "nightfloat/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("go list line %q", line)
		}
		path, dir, synopsis := parts[0], parts[1], parts[2]
		if _, err := os.Stat(filepath.Join(dir, "doc.go")); err != nil {
			t.Errorf("%s has no doc.go", path)
		}
		if synopsis == "" {
			t.Errorf("%s has no package comment", path)
		}
	}
}
