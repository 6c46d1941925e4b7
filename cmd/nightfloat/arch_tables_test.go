package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// tableOwners names the one package that writes each table (shared/ARCHITECTURE.md, "Who
// owns what"). Only the owner, and the read-only insights package, may name a table in SQL.
var tableOwners = map[string]string{
	"conversations":     "assistant",
	"messages":          "assistant",
	"assessments":       "assistant",
	"handoffs":          "assistant",
	"conversation_risk": "assistant",
	"crisis_referrals":  "assistant",
	"model_usage":       "assistant",
	"screens":           "assistant",
	"checkins":          "assistant",

	"retrieval_documents": "retrieval",
	"retrieval_chunks":    "retrieval",
	"retrieval_phrasings": "retrieval",

	"clinicians":         "clinician",
	"clinician_sessions": "clinician",
	"login_attempts":     "clinician",
	"audit_log":          "clinician",

	"review_items":          "review",
	"reviews":               "review",
	"review_notes":          "review",
	"review_marks":          "review",
	"review_feedback":       "review",
	"review_random_checked": "review",
	"review_salt":           "review",
	"review_samples":        "review",

	"selfhelp_forms": "selfhelp",

	"push_subscriptions": "push",
	// Issue 20: what residents tell the programme.
	"pulse_checkins":            "pulse",
	"leadership_reports":        "pulse",
	"leadership_report_batches": "pulse",
}

// readers may name any table, read-only (insights) or in fixtures for tests (the test kits).
func tableReader(pkg string) bool {
	return pkg == "insights" || strings.HasSuffix(pkg, "test")
}

// sqlTable finds a table named where SQL names tables. The project writes SQL keywords in
// upper case, which keeps prose ("export cases from reviews") out.
var sqlTable = regexp.MustCompile(`(?:\bFROM|\bJOIN|\bINTO|\bUPDATE|\bTABLE|\bUSING|\bREFERENCES|,)\s+([a-z_]+)\b`)

// sqlKeyword marks a string literal as SQL (a whole statement or a fragment).
var sqlKeyword = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE|FROM|JOIN|TABLE)\b`)

// TestTableOwnership fails when a table is named in SQL outside its owner package (tests
// excluded), so that a change to a table touches one package.
func TestTableOwnership(t *testing.T) {
	root := filepath.Join("..", "..")
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		for table, file := range tablesNamed(t, path) {
			seen[table] = true
			owner, ok := tableOwners[table]
			if !ok {
				continue
			}
			if pkg != owner && !strings.HasPrefix(pkg, owner+"/") && !tableReader(pkg) {
				t.Errorf("%s names table %s in SQL; only %s (its owner) and insights may", file, table, owner)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for table := range tableOwners {
		if !seen[table] {
			missing = append(missing, table)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no SQL names %v: the scan is broken or the table is gone", missing)
	}
}

// tablesNamed returns each table named in a SQL string literal of the file, with the
// position of its first mention.
func tablesNamed(t *testing.T, path string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if !sqlKeyword.MatchString(s) {
			return true
		}
		for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
			table := strings.ToLower(m[1])
			if _, ok := out[table]; !ok {
				out[table] = fset.Position(lit.Pos()).String()
			}
		}
		return true
	})
	return out
}
