package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"nightfloat/evals"
	"nightfloat/safety"
	"nightfloat/safety/internal/learn"
)

func writeTable(path string, rep safety.SourceReport, cases []safety.SourceCase) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generalisation: leave one source out\n\n"+
		"Written by `go run ./safety/internal/train`; `nightfloat eval sources` measures the same way. "+
		"Each source's texts are judged by the rules together with a learned model trained on every *other* "+
		"source, so each row says how the classifier does on writing it never saw. "+
		"Recall counts escalate rows handed off; the false rate counts no_escalate rows handed off; "+
		"the review band counts no_escalate rows answered supportively and queued for clinician review. "+
		"Targets: %s.\n\n", targetsText(rep.Targets))
	if err := rep.WriteMarkdown(&b); err != nil {
		return err
	}
	if m := rep.Misses(); len(m) > 0 {
		fmt.Fprintf(&b, "\nTargets not met: %s.\n", strings.Join(m, "; "))
	}
	if err := evals.WriteAudit(&b, cases, rep.HandedOff); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

func targetsText(t safety.SourceTargets) string {
	s := fmt.Sprintf("macro recall ≥ %.2f at a macro false rate ≤ %.2f", t.MacroRecall, t.MacroFalseRate)
	if k, ok := t.Kinds["assistant_requests"]; ok {
		s += fmt.Sprintf("; recall ≥ %.2f on every source of assistant requests", k.MinRecall)
	}
	if k, ok := t.Kinds["everyday"]; ok {
		s += fmt.Sprintf("; false rate ≤ %.2f on every source of everyday conversation or venting", k.MaxFalseRate)
	}
	return s
}

// writeCard writes the model card: what the model is, what it was trained
// on (every source, its licence and counts), how it was measured, and its
// limits.
func writeCard(path string, m *learn.Model, rep safety.SourceReport, cases []safety.SourceCase, profile string, trained int) error {
	info, _, err := safety.Sources()
	if err != nil {
		return err
	}
	type counts struct{ esc, no int }
	by := map[string]*counts{}
	for _, c := range cases {
		x := by[c.Source]
		if x == nil {
			x = &counts{}
			by[c.Source] = x
		}
		if c.Escalate {
			x.esc++
		} else {
			x.no++
		}
	}
	var names []string
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "# Model card: %s\n\n", m.ID)
	fmt.Fprintf(&b, "Written by `go run ./safety/internal/train -profile %s`. The weights are `safety/%s`, embedded in the binary.\n\n", profile, safety.LearnedModelPath)
	b.WriteString("## What it is\n\n" +
		"Logistic regression over hashed word unigrams and bigrams, word pairs in the scope of a negation (\"not\", \"never\", \"don't\" and the next three words), " +
		"and character 3-5-grams within words (2^20 buckets, sublinear term frequency, L2-normalised), trained by Adagrad SGD with a fixed seed, " +
		"with one head per category that only names the category of a finding. Pure Go at inference, no network, no download.\n\n" +
		"It scores the message alone (earlier turns are the rules' conversation memory). Its probability is calibrated (Platt scaling fitted on " +
		"leave-one-source-out scores) and falls in three bands:\n\n")
	fmt.Fprintf(&b, "- **handoff** (p ≥ %.3f): an Urgent finding; a clinician takes over.\n", m.Handoff)
	fmt.Fprintf(&b, "- **review** (%.3f ≤ p < %.3f): a Concern finding; the resident gets a supportive answer with resources, and the conversation is queued for clinician review.\n", m.Review, m.Handoff)
	b.WriteString("- **none**.\n\nThe rules stay the precise, explainable layer (evidence spans, C-SSRS items); the learned layer only adds, and a verdict can only rise.\n\n")
	fmt.Fprintf(&b, "## Training data\n\n%d labelled texts read, %d trained on after balancing (each (source, label) group above %.0f rows is subsampled to about %.0f; smaller groups are weighted up, at most %.0f×%s). Rows labelled `ambiguous` are left out. The corpus is never copied into the repository; see `docs/training.md` for how it was assembled and how to add an institution's own reviewed cases.\n\n",
		len(cases), trained, learn.DefaultBalance.Cap, learn.DefaultBalance.Cap, learn.DefaultBalance.Boost, sourceWeights())
	b.WriteString("| source | licence | permissive | escalate | no_escalate |\n|---|---|---|---:|---:|\n")
	for _, n := range names {
		i := info[n]
		perm := "no"
		if i.Permissive {
			perm = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d |\n", n, i.Licence, perm, by[n].esc, by[n].no)
	}
	b.WriteString("\nSeveral sources are licensed for non-commercial use only (CC BY-NC, CC BY-NC-SA) or state no licence. An institution whose counsel requires it can train the `permissive` profile (`-profile permissive`), which uses only the sources marked permissive, and read its own leave-one-source-out figures.\n\n")
	b.WriteString("## How it was measured\n\nLeave one source out: for each source, a model trained on every other source judges it, together with the rules. The calibration and both bands are chosen on these out-of-source scores, never on in-sample fit: the handoff band is the lowest threshold at which the macro false rate of the whole classifier is at most " +
		fmt.Sprintf("%.2f and the project's own cases' false rate at most %.2f, the review band the lowest at which at most %.2f of negatives (macro), and %.2f of the project's, reach review or handoff.\n\n",
			learn.DefaultTargets.MaxMacroFalse, learn.DefaultTargets.SourceFalse[safety.CasesSource], learn.DefaultTargets.MaxReviewFalse, learn.DefaultTargets.SourceReview[safety.CasesSource]))
	if err := rep.WriteMarkdown(&b); err != nil {
		return err
	}
	if ms := rep.Misses(); len(ms) > 0 {
		fmt.Fprintf(&b, "\nTargets not met: %s.\n", strings.Join(ms, "; "))
	}
	b.WriteString("\n## Limits\n\n" +
		"- Labels come from the sources (subreddit, dataset label, harm category) and are noisy; see SOURCES.md beside the corpus.\n" +
		"- Few positives for harm to others, abuse, eating disorders and substance use, and those mostly requests to an assistant or weak subreddit labels.\n" +
		"- Bag-of-n-grams: it does not know who a sentence is about, so supportive replies that talk about someone else's suicidality, and long posts, are its commonest false escalations.\n" +
		"- English only.\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write card: %w", err)
	}
	return nil
}

// sourceWeights describes the per-source weight multipliers, in name order.
func sourceWeights() string {
	var names []string
	for n := range learn.DefaultBalance.Source {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s counts %g times", n, learn.DefaultBalance.Source[n]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}
