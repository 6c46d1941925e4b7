package evals

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// jsonlFiles returns root itself when it is a file, or every .jsonl file below it in
// lexical order: the files a case or script loader reads.
func jsonlFiles(fsys fs.FS, root string) ([]string, error) {
	info, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("evals: %w", err)
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".jsonl") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evals: walking %s: %w", root, err)
	}
	sort.Strings(files)
	return files, nil
}
