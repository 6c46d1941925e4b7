package retrieval

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TrainingFiles are the corpus files word vectors are trained on: people writing about
// their own lives, work, study and feelings in everyday words (Reddit posts, comments and
// peer-support replies, everyday dialogue). The AI-request and clinical question sets are
// left out: their register is not how residents write.
var TrainingFiles = []string{
	"reddit-top-2013.jsonl",
	"reddit-mh-subreddits-2024.jsonl",
	"epitome-reddit.jsonl",
	"goemotions.jsonl",
	"dailydialog-pp.jsonl",
}

// ReadTrainingCorpus reads the text of every row of TrainingFiles in dir (a multi-turn
// row's turns joined), in file order, and a digest of the files' bytes that names them.
func ReadTrainingCorpus(dir string) ([]string, string, error) {
	var texts []string
	h := sha256.New()
	for _, name := range TrainingFiles {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			return nil, "", fmt.Errorf("retrieval: training corpus: %w", err)
		}
		fmt.Fprintf(h, "%s\n", name)
		sc := bufio.NewScanner(io.TeeReader(f, h))
		sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
		line := 0
		for sc.Scan() {
			line++
			var row struct {
				Text  string   `json:"text"`
				Turns []string `json:"turns"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				f.Close()
				return nil, "", fmt.Errorf("retrieval: training corpus: %s:%d: %w", path, line, err)
			}
			if row.Text == "" {
				row.Text = strings.Join(row.Turns, "\n")
			}
			texts = append(texts, row.Text)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, "", fmt.Errorf("retrieval: training corpus: %s: %w", path, err)
		}
	}
	return texts, hex.EncodeToString(h.Sum(nil))[:16], nil
}
