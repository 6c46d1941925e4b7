package evals

import (
	"bytes"
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

// eachJSONLine calls fn for every non-blank line of the .jsonl files at root (see
// jsonlFiles), in order, with the file's name and the 1-based line number. It stops at the
// first error fn returns.
func eachJSONLine(fsys fs.FS, root string, fn func(file string, line int, data []byte) error) error {
	files, err := jsonlFiles(fsys, root)
	if err != nil {
		return err
	}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("evals: %w", err)
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if err := fn(name, i+1, line); err != nil {
				return err
			}
		}
	}
	return nil
}
