package retrieval

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progress reports ingest progress: a redrawn bar on a terminal, plain lines otherwise
// (logs, CI), nothing when w is nil.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	done  int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// step records one more document embedded.
func (p *progress) step(docID string, chunks int) {
	if p.w == nil {
		return
	}
	p.done++
	if !p.tty {
		fmt.Fprintf(p.w, "ingest: embedded %s (%d chunks) [%d/%d]\n", docID, chunks, p.done, p.total)
		return
	}
	const width = 30
	filled := width * p.done / max(p.total, 1)
	fmt.Fprintf(p.w, "\r\033[Kembedding [%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.done, p.total, docID)
	if p.done == p.total {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) line(format string, args ...any) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "ingest: "+format+"\n", args...)
}
