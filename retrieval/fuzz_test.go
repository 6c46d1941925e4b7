package retrieval

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParseDocument: content files are written by people and checked by ingest before any
// resident sees them. Whatever a file holds, ParseDocument must not panic, must hash it,
// and a document it accepts must carry the fields every later step relies on.
func FuzzParseDocument(f *testing.F) {
	files, _ := filepath.Glob("../content/*.md")
	for i, p := range files {
		if i >= 8 {
			break
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(filepath.Base(p), b)
		}
	}
	for _, s := range []string{
		"", "---\n---\n", "---\n", "no front matter", "\ufeff---\r\nid: x\r\n---\r\n# T\r\n",
		"---\nid: [a, b]\n---\n# x\n", "---\n- a\n- b\n---\n", "---\n&a [*a, *a]\n---\n", "---\nid: x\nid: y\n---\n",
		"---\n: : :\n---\n", "---\nsources:\n  - {title: 1, url: 2}\n---\n", "---\nreview_due: 99999-99-99\n---\n",
		"---\nroles: !!binary AAAA\n---\n", "---\n" + string([]byte{0xff, 0xfe}) + "\n---\n",
	} {
		f.Add("fuzz.md", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		d, err := ParseDocument(name, data)
		if d.Hash == "" || d.Path != name {
			t.Fatalf("ParseDocument lost the hash or path: %+v", d)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if d.ID == "" || d.Title == "" {
			t.Fatalf("accepted a document without id or title: %q", data)
		}
		if !utf8.ValidString(d.ID) {
			t.Fatalf("accepted an id that is not UTF-8: %q", d.ID)
		}
	})
}
