package learn

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Row is one line of the external training corpus (../shared/training).
type Row struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Turns    []string `json:"turns"`
	Label    string   `json:"label"` // escalate, no_escalate or ambiguous
	Category string   `json:"category"`
	Source   string   `json:"source"`
	Genre    string   `json:"genre"`
}

// Message is the text to judge: Text, or the last of Turns.
func (r Row) Message() string {
	if len(r.Turns) > 0 {
		return r.Turns[len(r.Turns)-1]
	}
	return r.Text
}

// CorpusFiles lists the corpus's *.jsonl files, sorted.
func CorpusFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("learn: corpus: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("learn: corpus: no .jsonl files in %s", dir)
	}
	sort.Strings(files)
	return files, nil
}

// SourceName is a corpus file's source name: its base name without .jsonl.
func SourceName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), ".jsonl")
}

// ReadRows reads one corpus file. sum, when not nil, receives every byte read.
func ReadRows(file string, sum io.Writer) ([]Row, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("learn: corpus: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if sum != nil {
		r = io.TeeReader(f, sum)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var row Row
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("learn: corpus: %s:%d: %w", file, line, err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("learn: corpus: %s: %w", file, err)
	}
	return rows, nil
}
