package safety

import (
	"context"
	"fmt"
	"io"
	"sort"

	"nightfloat/safety/internal/learn"
)

// SourceFigures are one source's leave-one-source-out counts (the learned
// layer trained without this source, together with the rules) and its kind.
type SourceFigures struct {
	learn.Figures
	Kind string
}

// SourceReport is the leave-one-source-out measurement.
type SourceReport struct {
	Model          string // learned model id whose settings and bands were used
	Rules          string // rules version
	Handoff        float64
	Review         float64
	Sources        []SourceFigures
	MacroRecall    float64
	MacroFalseRate float64
	Targets        SourceTargets
	// HandedOff says, for each case in the order given, whether the rules or the
	// out-of-source model at the handoff band hand it off.
	HandedOff []bool
}

// EvalSources measures how the classifier generalises to text written by
// others: for each source, a learned model is trained, with the committed
// model's settings, on every other source, and the rules with that model (at
// the committed model's calibration and bands) judge the held-out source.
// It trains one model per source and takes minutes.
func EvalSources(ctx context.Context, cases []SourceCase, progress func(source string)) (SourceReport, error) {
	m, err := loadEmbeddedLearned()
	if err != nil {
		return SourceReport{}, fmt.Errorf("safety: eval sources: %w", err)
	}
	items, version, err := LabelledItems(ctx, cases)
	if err != nil {
		return SourceReport{}, err
	}
	logits := LeaveOneSourceOutLogits(items, progress)
	prob := make([]float64, len(logits))
	for i, z := range logits {
		prob[i] = m.Prob(z)
	}
	return NewSourceReport(items, prob, m.ID, version, m.Handoff, m.Review)
}

// LabelledItems runs the rules on the cases (RulesVerdicts) and pairs each
// case with their verdict and the text the learned layer judges, for training
// and measuring; it also returns the rules' version.
func LabelledItems(ctx context.Context, cases []SourceCase) ([]learn.Labelled, string, error) {
	rules, judged, version, err := RulesVerdicts(ctx, cases)
	if err != nil {
		return nil, "", err
	}
	items := make([]learn.Labelled, len(cases))
	for i, c := range cases {
		items[i] = learn.Labelled{
			Example: learn.Example{Text: judged[i], Escalate: c.Escalate, Category: c.Category},
			Source:  c.Source, Genre: c.Genre, Rules: rules[i],
		}
	}
	return items, version, nil
}

// LeaveOneSourceOutLogits trains one model per source, with the committed
// training settings, and returns each item's logit under the model that did
// not see its source.
func LeaveOneSourceOutLogits(items []learn.Labelled, progress func(source string)) []float64 {
	ex, train := learn.DefaultBalance.Weigh(items)
	set := learn.NewSet(ex)
	return learn.LeaveOneSourceOut(set, items, train, learn.DefaultConfig, progress)
}

// NewSourceReport tallies items under probabilities and bands.
func NewSourceReport(items []learn.Labelled, prob []float64, model, rules string, handoff, review float64) (SourceReport, error) {
	info, targets, err := Sources()
	if err != nil {
		return SourceReport{}, err
	}
	r := SourceReport{Model: model, Rules: rules, Handoff: handoff, Review: review, Targets: targets}
	r.HandedOff = make([]bool, len(items))
	for i, it := range items {
		r.HandedOff[i] = it.HandedOff(prob[i], handoff)
	}
	fs := learn.Tally(items, prob, handoff, review)
	r.MacroRecall, r.MacroFalseRate = learn.Macro(fs)
	for _, f := range fs {
		kind := info[f.Source].Kind
		if kind == "" {
			kind = "unknown"
		}
		r.Sources = append(r.Sources, SourceFigures{Figures: f, Kind: kind})
	}
	sort.SliceStable(r.Sources, func(i, j int) bool {
		if r.Sources[i].Kind != r.Sources[j].Kind {
			return r.Sources[i].Kind < r.Sources[j].Kind
		}
		return r.Sources[i].Source < r.Sources[j].Source
	})
	return r, nil
}

// Misses lists the targets the report does not meet (none when all are met).
func (r SourceReport) Misses() []string {
	var out []string
	if r.MacroRecall < r.Targets.MacroRecall {
		out = append(out, fmt.Sprintf("macro recall %.3f < %.2f", r.MacroRecall, r.Targets.MacroRecall))
	}
	if r.MacroFalseRate > r.Targets.MacroFalseRate {
		out = append(out, fmt.Sprintf("macro false rate %.3f > %.2f", r.MacroFalseRate, r.Targets.MacroFalseRate))
	}
	for _, f := range r.Sources {
		t, ok := r.Targets.Kinds[f.Kind]
		if !ok {
			continue
		}
		if t.MinRecall > 0 && f.Positives > 0 && f.Recall() < t.MinRecall {
			out = append(out, fmt.Sprintf("%s recall %.3f < %.2f", f.Source, f.Recall(), t.MinRecall))
		}
		if t.MaxFalseRate > 0 && f.Negatives > 0 && f.FalseRate() > t.MaxFalseRate {
			out = append(out, fmt.Sprintf("%s false rate %.3f > %.2f", f.Source, f.FalseRate(), t.MaxFalseRate))
		}
	}
	return out
}

// WriteMarkdown writes the report as a Markdown table.
func (r SourceReport) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Leave-one-source-out: rules %s with the learned layer %s (handoff at p ≥ %.3f, review at p ≥ %.3f), each source judged by a model trained without it.\n\n",
		r.Rules, r.Model, r.Handoff, r.Review)
	ew.printf("| source | kind | recall (caught/escalate) | rules alone | false rate (handed off/no_escalate) | rules alone | review band |\n")
	ew.printf("|---|---|---:|---:|---:|---:|---:|\n")
	for _, f := range r.Sources {
		rec, rrec := "–", "–"
		if f.Positives > 0 {
			rec = fmt.Sprintf("%.3f (%d/%d)", f.Recall(), f.Caught, f.Positives)
			rrec = fmt.Sprintf("%.3f", float64(f.RulesCaught)/float64(f.Positives))
		}
		fr, rfr, rev := "–", "–", "–"
		if f.Negatives > 0 {
			fr = fmt.Sprintf("%.3f (%d/%d)", f.FalseRate(), f.FalseEsc, f.Negatives)
			rfr = fmt.Sprintf("%.3f", float64(f.RulesFalse)/float64(f.Negatives))
			rev = fmt.Sprintf("%.3f", float64(f.Review)/float64(f.Negatives))
		}
		ew.printf("| %s | %s | %s | %s | %s | %s | %s |\n", f.Source, f.Kind, rec, rrec, fr, rfr, rev)
	}
	ew.printf("| **macro** | | **%.3f** | | **%.3f** | | |\n", r.MacroRecall, r.MacroFalseRate)
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
