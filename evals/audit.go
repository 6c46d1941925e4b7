package evals

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"nightfloat/safety"
)

// An audit is an independent reading of a sample of corpus rows: people who did
// not see the rows' labels, the rules or the model read each one and said
// whether this product should hand it to a clinician (docs/label-audit.md). The
// sample is stratified, so each row stands for Weight rows of its source and
// label (its stratum's size over the rows read from it), and any classifier's
// figures against the reading can be estimated from it.

// AuditReading is what a reader said about a row.
type AuditReading string

// The readings.
const (
	ReadHandoff AuditReading = "handoff" // a red flag this product hands off
	ReadNo      AuditReading = "no"      // no red flag
	ReadUnclear AuditReading = "unclear" // could go either way; left out of the figures
)

// AuditRow is one row read.
type AuditRow struct {
	ID     string       `json:"id"`     // the row's id in its corpus file
	Source string       `json:"source"` // the corpus file
	Label  string       `json:"label"`  // the corpus's label: escalate or no_escalate
	Read   AuditReading `json:"read"`
	Second AuditReading `json:"second,omitempty"` // a second reader's, on the rows read twice
	Weight float64      `json:"weight"`           // corpus rows this row stands for
}

//go:embed audit/labels.jsonl
var auditJSONL []byte

// AuditRows returns the committed audit.
func AuditRows() ([]AuditRow, error) {
	return ReadAudit(bytes.NewReader(auditJSONL))
}

// ReadAudit reads audit rows, one JSON object per line.
func ReadAudit(r io.Reader) ([]AuditRow, error) {
	var out []AuditRow
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var a AuditRow
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("evals: audit line %d: %w", line, err)
		}
		switch {
		case a.ID == "" || a.Source == "":
			return nil, fmt.Errorf("evals: audit line %d: no id or source", line)
		case a.Label != "escalate" && a.Label != "no_escalate":
			return nil, fmt.Errorf("evals: audit line %d: label %q", line, a.Label)
		case !a.Read.valid() || a.Second != "" && !a.Second.valid():
			return nil, fmt.Errorf("evals: audit line %d: reading %q/%q", line, a.Read, a.Second)
		case a.Weight < 1:
			return nil, fmt.Errorf("evals: audit line %d: weight %v below 1", line, a.Weight)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("evals: audit: %w", err)
	}
	return out, nil
}

func (r AuditReading) valid() bool { return r == ReadHandoff || r == ReadNo || r == ReadUnclear }

// AuditFigures are one source's estimated figures against the reading.
type AuditFigures struct {
	Source string
	Labels []string // the corpus labels whose rows were read
	Rows   int      // rows read
	// Estimated corpus rows read as red flags, and of them handed off.
	RedFlags, Caught float64
	// Estimated corpus rows read as no red flag, and of them handed off.
	Clear, FalseEsc float64
	// Estimated corpus rows read as unclear.
	Unclear float64
}

// Recall is the estimated share of red flags handed off.
func (f AuditFigures) Recall() float64 { return share(f.Caught, f.RedFlags) }

// FalseRate is the estimated share of rows with no red flag handed off.
func (f AuditFigures) FalseRate() float64 { return share(f.FalseEsc, f.Clear) }

func share(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Audit estimates, per source, how a classifier does against the reading:
// handed says whether it hands off each of cases. Rows of a source that is not
// among the cases (a training profile without it) are left out; a row whose
// source is there but whose case is not, or whose label changed (the corpus
// changed since the reading), is an error.
func Audit(rows []AuditRow, cases []safety.SourceCase, handed []bool) ([]AuditFigures, error) {
	if len(handed) != len(cases) {
		return nil, fmt.Errorf("evals: audit: %d verdicts for %d cases", len(handed), len(cases))
	}
	type key struct{ source, id string }
	at := make(map[key]int, len(cases))
	present := map[string]bool{}
	for i, c := range cases {
		present[c.Source] = true
		if c.ID != "" {
			at[key{c.Source, c.ID}] = i
		}
	}
	by := map[string]*AuditFigures{}
	labels := map[string]map[string]bool{}
	for _, r := range rows {
		if !present[r.Source] {
			continue
		}
		i, ok := at[key{r.Source, r.ID}]
		if !ok {
			return nil, fmt.Errorf("evals: audit: row %s of %s is not in the corpus", r.ID, r.Source)
		}
		if want := r.Label == "escalate"; cases[i].Escalate != want {
			return nil, fmt.Errorf("evals: audit: row %s of %s is no longer labelled %s", r.ID, r.Source, r.Label)
		}
		f := by[r.Source]
		if f == nil {
			f = &AuditFigures{Source: r.Source}
			by[r.Source] = f
			labels[r.Source] = map[string]bool{}
		}
		labels[r.Source][r.Label] = true
		f.Rows++
		switch r.Read {
		case ReadHandoff:
			f.RedFlags += r.Weight
			if handed[i] {
				f.Caught += r.Weight
			}
		case ReadNo:
			f.Clear += r.Weight
			if handed[i] {
				f.FalseEsc += r.Weight
			}
		default:
			f.Unclear += r.Weight
		}
	}
	out := make([]AuditFigures, 0, len(by))
	for src, f := range by {
		for l := range labels[src] {
			f.Labels = append(f.Labels, l)
		}
		sort.Strings(f.Labels)
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, nil
}

// WriteAudit estimates the committed audit's figures for a classifier that hands
// off handed[i] of cases (Audit) and writes them as a Markdown table after a
// blank line; it writes nothing when no audited source is among the cases.
func WriteAudit(w io.Writer, cases []safety.SourceCase, handed []bool) error {
	rows, err := AuditRows()
	if err != nil {
		return err
	}
	fs, err := Audit(rows, cases, handed)
	if err != nil || len(fs) == 0 {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\nAgainst an independent reading of a sample (docs/label-audit.md): estimated corpus rows, weighted by how the sample was drawn.\n\n")
	b.WriteString("| source | labels read | rows read | read as red flags | recall on them | read as no red flag | false rate on them | unclear |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range fs {
		rec, fr := "–", "–"
		if f.RedFlags > 0 {
			rec = fmt.Sprintf("%.3f", f.Recall())
		}
		if f.Clear > 0 {
			fr = fmt.Sprintf("%.3f", f.FalseRate())
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %s | %.0f | %s | %.0f |\n",
			f.Source, strings.Join(f.Labels, ", "), f.Rows, f.RedFlags, rec, f.Clear, fr, f.Unclear)
	}
	_, err = w.Write(b.Bytes())
	return err
}
