package retrieval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadDir reads and validates every *.md document in dir (README.md is not a document).
// If any document is invalid the error lists every problem, each naming its file and field,
// and no documents are returned.
func LoadDir(dir string) ([]Document, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("retrieval: read content: %w", err)
	}
	var docs []Document
	var errs []error
	seen := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.EqualFold(name, "README.md") {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			continue
		}
		d, err := ParseDocument(path, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := seen[d.ID]; dup {
			errs = append(errs, &FieldError{File: path, Field: "id", Msg: fmt.Sprintf("%q is also the id of %s", d.ID, other)})
			continue
		}
		seen[d.ID] = path
		docs = append(docs, d)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("retrieval: invalid content in %s:\n%w", dir, errors.Join(errs...))
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("retrieval: no documents (*.md) in %s", dir)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, nil
}
