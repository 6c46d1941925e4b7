package retrieval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nightfloat/retrieval"
)

func TestParseDocumentRejects(t *testing.T) {
	valid := docSpec{id: "good-doc"}.markdown()
	tests := []struct {
		name      string
		edit      func(string) string
		wantField string
		wantMsg   string
	}{
		{"no front matter", func(s string) string { return strings.TrimPrefix(s, "---\n") }, "", "no front matter"},
		{"unclosed front matter", func(s string) string { return strings.Replace(s, "\n---\n>", "\n>", 1) }, "", "not closed"},
		{"missing id", drop("id:"), "id", "missing"},
		{"id not matching file", replace("id: good-doc", "id: other-doc"), "id", "does not match the file name"},
		{"id with capitals", replace("id: good-doc", "id: Good_Doc"), "id", "lowercase-hyphenated"},
		{"missing title", drop("title:"), "title", "missing"},
		{"empty title", replace(`title: "Test document good-doc"`, `title: ""`), "title", "empty"},
		{"missing roles", drop("roles:"), "roles", "missing"},
		{"empty roles", replace("roles: [resident, nurse]", "roles: []"), "roles", "empty list"},
		{"unknown role", replace("roles: [resident, nurse]", "roles: [resident, doctor]"), "roles", `unknown role "doctor"`},
		{"roles not a list", replace("roles: [resident, nurse]", "roles: resident"), "roles", "want a list"},
		{"duplicate role", replace("roles: [resident, nurse]", "roles: [nurse, nurse]"), "roles", "listed twice"},
		{"missing topics", drop("topics:"), "topics", "missing"},
		{"bad topic", replace("topics: [testing]", "topics: [Night Float]"), "topics", "lowercase-hyphenated"},
		{"missing sources", func(s string) string {
			return strings.Replace(s, "sources:\n  - title: \"A source\"\n    url: \"https://example.org/source\"\n", "", 1)
		}, "sources", "missing"},
		{"empty sources", func(s string) string {
			return strings.Replace(s, "sources:\n  - title: \"A source\"\n    url: \"https://example.org/source\"\n", "sources: []\n", 1)
		}, "sources", "non-empty list"},
		{"source without title", replace(`  - title: "A source"`, `  - title: ""`), "sources", "missing title"},
		{"relative source url", replace(`"https://example.org/source"`, `"/source"`), "sources", "absolute http(s) URL"},
		{"ftp source url", replace(`"https://example.org/source"`, `"ftp://example.org/x"`), "sources", "absolute http(s) URL"},
		{"missing reviewed_by", drop("reviewed_by:"), "reviewed_by", "missing"},
		{"missing reviewed_on", drop("reviewed_on:"), "reviewed_on", "missing"},
		{"bad reviewed_on", replace("reviewed_on: pending", "reviewed_on: last week"), "reviewed_on", "not a date"},
		{"missing review_due", drop("review_due:"), "review_due", "missing"},
		{"bad review_due", replace("review_due: 2099-01-01", "review_due: 2099-13-45"), "review_due", "not a date"},
		{"missing status", drop("status:"), "status", "missing"},
		{"unknown status", replace("status: draft", "status: published"), "status", "want approved or draft"},
		{"approved but reviewer pending", replace("status: draft", "status: approved"), "reviewed_by", "reviewer's name"},
		{"approved without review date", func(s string) string {
			s = strings.Replace(s, `reviewed_by: "pending: sample"`, `reviewed_by: "Dr A. Reviewer, MD"`, 1)
			return strings.Replace(s, "status: draft", "status: approved", 1)
		}, "reviewed_on", "date it was reviewed"},
		{"unknown field", replace("status: draft", "status: draft\nreview_by: someone"), "review_by", "unknown field"},
		{"not yaml", replace("roles: [resident, nurse]", "roles: [resident"), "", "not valid YAML"},
		{"no body", func(s string) string { return s[:strings.Index(s, "> Sample")] }, "", "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const file = "content/good-doc.md"
			_, err := retrieval.ParseDocument(file, []byte(tt.edit(valid)))
			if err == nil {
				t.Fatal("accepted an invalid document")
			}
			msg := err.Error()
			if !strings.Contains(msg, file+": ") {
				t.Errorf("error %q does not name the file", msg)
			}
			if tt.wantField != "" && !strings.Contains(msg, `field "`+tt.wantField+`"`) {
				t.Errorf("error %q does not name field %q", msg, tt.wantField)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestParseDocumentAccepts(t *testing.T) {
	approved := docSpec{id: "reviewed", status: "approved", reviewedBy: "Dr A. Reviewer, MD", reviewedOn: "2026-01-15"}.markdown()
	d, err := retrieval.ParseDocument("content/reviewed.md", []byte(approved))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "reviewed" || d.Status != "approved" || d.ReviewedOn != "2026-01-15" || len(d.Roles) != 2 || len(d.Sources) != 1 || d.Hash == "" {
		t.Fatalf("parsed %+v", d)
	}
	if d.ReviewDue.Format("2006-01-02") != "2099-01-01" {
		t.Errorf("review_due = %v", d.ReviewDue)
	}
}

func TestLoadDir(t *testing.T) {
	t.Run("skips README and collects every error", func(t *testing.T) {
		dir := writeDocs(t, docSpec{id: "one"}, docSpec{id: "two", roles: "[surgeon]"}, docSpec{id: "three", status: "final"})
		if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# not a document"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := retrieval.LoadDir(dir)
		if err == nil {
			t.Fatal("want an error")
		}
		for _, want := range []string{"two.md: field \"roles\"", "three.md: field \"status\""} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "README.md:") {
			t.Errorf("README.md was treated as a document: %v", err)
		}
	})
	t.Run("the real content is valid", func(t *testing.T) {
		docs, err := retrieval.LoadDir("../content")
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) == 0 {
			t.Fatal("no documents")
		}
	})
}

func drop(prefix string) func(string) string {
	return func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}
