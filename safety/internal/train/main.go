// Command train retrains the safety package's statistical layer
// (safety/model/stat-lr-v1.bin) from the labelled cases in evals/cases.
//
//	go run ./safety/internal/train          # retrain, report, write the model
//	go run ./safety/internal/train -check   # fail if the committed model is stale
//
// It trains on the splits in trainSplits only (never on a held-apart folder
// that is still blind, such as holdout20), chooses the escalation
// threshold by 5-fold cross-validation so that the layer on its own
// escalates at most -max-false of the negatives out of fold (on the main
// split and on all splits; the rules' verdicts are not used, so a rule edit
// never makes the model stale), then trains on all of the data and writes the
// model with a checksum of the training data. Everything is deterministic.
//
// -eval SPLIT reports aggregate figures (recall, false escalations) of the
// rules alone and of the rules with the committed model on one split, for
// example a blind holdout; it prints no case texts. With -model FILE it
// uses a candidate model written by -out instead, so that a candidate and
// the committed model can be compared on a blind set before adopting one.
//
// -pseudo FILE measures generalisation to a voice the training never saw:
// train on main (less generic_fixes_2.jsonl, written after holdout2 was seen)
// and holdout, and evaluate on holdout2 together with the rules as they were
// before they were tuned on holdout2 (FILE: JSON object case id -> escalated,
// produced by those rules).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"nightfloat/evals"
	"nightfloat/safety"
)

// trainSplits are the only splits the committed model learns from. A blind set
// stays out until it has been measured; a measured set joins when a model
// trained with it passes the adoption rule (safety/doc.go), so holdout18 and
// holdout19, measured but whose retrained model was not adopted, are not here.
var trainSplits = map[string]bool{"main": true, "holdout": true, "holdout2": true, "holdout3": true,
	"holdout4": true, "holdout5": true, "holdout6": true, "holdout7": true, "holdout8": true, "holdout9": true,
	"holdout10": true, "holdout11": true, "holdout12": true, "holdout13": true,
	"holdout14": true, "holdout15": true, "holdout16": true, "holdout17": true}

// trainSplitNames lists trainSplits, main first.
func trainSplitNames() []string {
	names := []string{"main"}
	for s := range trainSplits {
		if s != "main" {
			names = append(names, s)
		}
	}
	sort.Strings(names[1:])
	return names
}

const folds = 5

func main() {
	check := flag.Bool("check", false, "retrain and fail if the committed model differs (stale weights)")
	out := flag.String("out", "", "model file to write (default safety/"+safety.StatModelPath+" in the module)")
	maxFalse := flag.Float64("max-false", defaultMaxFalse, "out-of-fold false-escalation budget of the layer on its own")
	eval := flag.String("eval", "", "report rules alone vs rules+stat (the committed model) on this split, aggregates only, e.g. holdout3")
	model := flag.String("model", "", "with -eval: a candidate model file (as written by -out) instead of the committed model")
	pseudo := flag.String("pseudo", "", "rules verdicts (JSON id -> escalated) of the rules before holdout2 tuning; run the pseudo-holdout measurement")
	flag.Parse()
	if *eval != "" {
		if err := evalSplit(os.Stdout, *eval, *model); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Stdout, *check, *out, *maxFalse, *pseudo); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// defaultMaxFalse is the layer's out-of-fold false-escalation budget. It was 2% until
// holdout12/13 showed 3% buying six more catches for one more false escalation; the
// 3% model was adopted on the blind holdout14/15 (see safety/doc.go).
const defaultMaxFalse = 0.03

func run(w io.Writer, check bool, out string, maxFalse float64, pseudo string) error {
	if out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		out = filepath.Join(root, "safety", filepath.FromSlash(safety.StatModelPath))
	}
	cases, err := trainingCases()
	if err != nil {
		return err
	}
	if pseudo != "" {
		return pseudoHoldout(w, cases, pseudo, maxFalse)
	}
	m, rep, err := Build(cases, maxFalse)
	if err != nil {
		return err
	}
	fmt.Fprint(w, rep)
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	fmt.Fprintf(w, "model: %d bytes, sha256 %x, threshold (logit) %.4f\n", len(b), sum, m.Threshold())
	if check {
		old, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		return Compare(old, b)
	}
	return os.WriteFile(out, b, 0o644)
}

// Compare reports whether the committed model old is current: trained on
// the same data and configuration, with the same threshold and the same
// quantised weights (allowing one quantum, for floating-point differences
// between architectures).
func Compare(old, cur []byte) error {
	if bytes.Equal(old, cur) {
		return nil
	}
	om, err := safety.ParseStatModel(old)
	if err != nil {
		return fmt.Errorf("committed model: %w (retrain: go run ./safety/internal/train)", err)
	}
	cm, err := safety.ParseStatModel(cur)
	if err != nil {
		return err
	}
	if om.DataSum() != cm.DataSum() {
		return errors.New("committed model is stale: the training data or configuration changed (retrain: go run ./safety/internal/train)")
	}
	if d := math.Abs(om.Threshold() - cm.Threshold()); d > 1e-3 {
		return fmt.Errorf("committed model's threshold differs by %g from a retrain (retrain: go run ./safety/internal/train)", d)
	}
	if d := safety.StatMaxWeightDiff(om, cm); d > 1 {
		return fmt.Errorf("committed model's weights differ by up to %d quanta from a retrain (retrain: go run ./safety/internal/train)", d)
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module nightfloat")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the nightfloat module")
		}
		dir = parent
	}
}

// trainingCases returns the cases of the training splits, sorted by id.
func trainingCases() ([]evals.Case, error) {
	all, err := evals.LoadCases(evals.Suite, "cases")
	if err != nil {
		return nil, err
	}
	var cs []evals.Case
	for _, c := range all {
		if trainSplits[c.Split()] {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	return cs, nil
}

func examples(cs []evals.Case) []safety.StatExample {
	ex := make([]safety.StatExample, len(cs))
	for i, c := range cs {
		ex[i] = safety.StatExample{History: c.History(), Message: c.Message(),
			Escalate: c.Expect == evals.Escalate, Category: safety.Category(c.Category)}
	}
	return ex
}

// dataSum is the SHA-256 of the training data and configuration.
func dataSum(cs []evals.Case, maxFalse float64) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %+v folds=%d max-false=%g\n", safety.StatModelID, safety.DefaultStatTrainConfig, folds, maxFalse)
	for _, c := range cs {
		fmt.Fprintf(h, "%q %q %q %q %q\x1e", c.ID, c.Split(), c.Expect, c.Category, c.Text)
		for _, t := range c.Turns {
			fmt.Fprintf(h, "%q\x1f", t)
		}
		h.Write([]byte{'\n'})
	}
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return s
}

func fold(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % folds)
}

// Build cross-validates, chooses the threshold and trains the final model on
// all of cs. It returns the model and a report.
func Build(cs []evals.Case, maxFalse float64) (*safety.StatModel, string, error) {
	var rep strings.Builder
	rules, err := rulesVerdicts(cs)
	if err != nil {
		return nil, "", err
	}
	v := safety.VectorizeStat(examples(cs))
	oof := crossValidate(v, cs)
	t := chooseThreshold(cs, oof, maxFalse)
	fmt.Fprintf(&rep, "training data: %d cases (splits %s); %d-fold cross-validation, threshold (logit) %.4f chosen for an out-of-fold false-escalation budget of the layer alone of %.1f%%\n",
		len(cs), strings.Join(trainSplitNames(), ", "), folds, t, 100*maxFalse)
	report(&rep, "cross-validated", cs, rules, oof, t)
	m := safety.TrainStat(v, nil, safety.DefaultStatTrainConfig)
	m.SetThreshold(t)
	m.SetDataSum(dataSum(cs, maxFalse))
	in := make([]float64, len(cs))
	for i := range cs {
		in[i] = v.Score(m, i)
	}
	report(&rep, "in-sample (final model)", cs, rules, in, t)
	return m, rep.String(), nil
}

func rulesVerdicts(cs []evals.Case) ([]bool, error) {
	c, err := safety.New(safety.WithoutStat())
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(cs))
	for i, k := range cs {
		a, err := c.Assess(context.Background(), k.History(), k.Message())
		out[i] = err != nil || a.Level.ForcesHandoff()
	}
	return out, nil
}

// crossValidate returns every case's out-of-fold logit.
func crossValidate(v *safety.StatVectors, cs []evals.Case) []float64 {
	oof := make([]float64, len(cs))
	for f := 0; f < folds; f++ {
		var use []int
		for i, c := range cs {
			if fold(c.ID) != f {
				use = append(use, i)
			}
		}
		m := safety.TrainStat(v, use, safety.DefaultStatTrainConfig)
		for i, c := range cs {
			if fold(c.ID) == f {
				oof[i] = v.Score(m, i)
			}
		}
	}
	return oof
}

// chooseThreshold returns the lowest threshold at which the layer on its
// own escalates at most maxFalse of the negatives out of fold, counted on
// the main split and on all splits. It does not look at the rules'
// verdicts, so editing a rule never makes the committed model stale (and
// the budget holds even where the rules are silent).
func chooseThreshold(cs []evals.Case, score []float64, maxFalse float64) float64 {
	t := math.Inf(-1)
	for _, onlyMain := range []bool{true, false} {
		var neg []float64
		for i, c := range cs {
			if c.Expect == evals.NoEscalate && (!onlyMain || c.Split() == "main") {
				neg = append(neg, score[i])
			}
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(neg)))
		k := int(math.Floor(maxFalse * float64(len(neg))))
		if k < len(neg) {
			// escalate strictly above the (k+1)-th highest negative
			t = math.Max(t, math.Nextafter(neg[k], math.Inf(1)))
		}
	}
	// round up to 4 decimals so the file is stable
	return math.Ceil(t*1e4) / 1e4
}

type counts struct{ pos, tp, neg, fp int }

func (c counts) String() string {
	return fmt.Sprintf("recall %.4f (%d/%d), false %.4f (%d/%d)",
		ratio(c.tp, c.pos), c.tp, c.pos, ratio(c.fp, c.neg), c.fp, c.neg)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func tally(cs []evals.Case, pred func(i int) bool, keep func(c evals.Case) bool) counts {
	var k counts
	for i, c := range cs {
		if !keep(c) {
			continue
		}
		p := pred(i)
		if c.Expect == evals.Escalate {
			k.pos++
			if p {
				k.tp++
			}
		} else {
			k.neg++
			if p {
				k.fp++
			}
		}
	}
	return k
}

func report(w io.Writer, what string, cs []evals.Case, rules []bool, score []float64, t float64) {
	fmt.Fprintf(w, "%s:\n", what)
	for _, split := range append(trainSplitNames(), "all") {
		keep := func(c evals.Case) bool { return split == "all" || c.Split() == split }
		r := tally(cs, func(i int) bool { return rules[i] }, keep)
		s := tally(cs, func(i int) bool { return score[i] >= t }, keep)
		u := tally(cs, func(i int) bool { return rules[i] || score[i] >= t }, keep)
		fmt.Fprintf(w, "  %-8s rules: %s | stat: %s | rules+stat: %s\n", split, r, s, u)
	}
}

// pseudoHoldout trains on what existed before holdout2 was written and
// measures rules-before-tuning vs rules-before-tuning + stat on holdout2.
func pseudoHoldout(w io.Writer, all []evals.Case, file string, maxFalse float64) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var old map[string]bool
	if err := json.Unmarshal(b, &old); err != nil {
		return err
	}
	var train, test []evals.Case
	for _, c := range all {
		switch {
		case c.Split() == "holdout2":
			test = append(test, c)
		case strings.HasSuffix(c.File, "generic_fixes_2.jsonl"):
		default:
			train = append(train, c)
		}
	}
	oldRules := func(cs []evals.Case) []bool {
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = old[c.ID]
		}
		return out
	}
	tr := oldRules(train)
	v := safety.VectorizeStat(examples(train))
	oof := crossValidate(v, train)
	t := chooseThreshold(train, oof, maxFalse)
	fmt.Fprintf(w, "pseudo-holdout: train %d cases (main less generic_fixes_2, holdout), threshold %.4f (budget %.1f%%)\n", len(train), t, 100*maxFalse)
	report(w, "cross-validated on the training cases, rules before holdout2 tuning", train, tr, oof, t)
	m := safety.TrainStat(v, nil, safety.DefaultStatTrainConfig)
	te := oldRules(test)
	sc := make([]float64, len(test))
	for i, c := range test {
		sc[i] = m.Score(c.History(), c.Message())
	}
	report(w, "holdout2 (never trained on), rules before holdout2 tuning", test, te, sc, t)
	return nil
}

// evalSplit compares the rules alone with rules+stat (the committed model,
// as safety.WithStat adds it) on one split.
func evalSplit(w io.Writer, split, modelPath string) error {
	all, err := evals.LoadCases(evals.Suite, "cases")
	if err != nil {
		return err
	}
	var cs []evals.Case
	for _, c := range all {
		if c.Split() == split {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return fmt.Errorf("no cases in split %q", split)
	}
	rules, err := safety.New(safety.WithoutStat())
	if err != nil {
		return err
	}
	stat := safety.WithStat()
	if modelPath != "" {
		b, err := os.ReadFile(modelPath)
		if err != nil {
			return fmt.Errorf("read candidate model: %w", err)
		}
		m, err := safety.ParseStatModel(b)
		if err != nil {
			return fmt.Errorf("parse candidate model %s: %w", modelPath, err)
		}
		stat = safety.WithLayer(safety.NewStatLayer(m))
	}
	both, err := safety.New(safety.WithoutStat(), stat)
	if err != nil {
		return err
	}
	verdicts := func(c *safety.Classifier) ([]bool, int) {
		out, low := make([]bool, len(cs)), 0
		for i, k := range cs {
			a, err := c.Assess(context.Background(), k.History(), k.Message())
			out[i] = err != nil || a.Level.ForcesHandoff()
			if want, _ := safety.ParseLevel(k.Level); out[i] && k.Expect == evals.Escalate && k.Level != "" && a.Level < want {
				low++
			}
		}
		return out, low
	}
	r, rlow := verdicts(rules)
	b, blow := verdicts(both)
	keep := func(evals.Case) bool { return true }
	rc := tally(cs, func(i int) bool { return r[i] }, keep)
	bc := tally(cs, func(i int) bool { return b[i] }, keep)
	if split != "main" && !trainSplits[split] {
		fmt.Fprintf(w, "%s (never trained on): %d cases\n", split, len(cs))
	} else {
		fmt.Fprintf(w, "%s (in the training data): %d cases\n", split, len(cs))
	}
	fmt.Fprintf(w, "  rules:      %s, level too low %d\n", rc, rlow)
	fmt.Fprintf(w, "  rules+stat: %s, level too low %d\n", bc, blow)
	fmt.Fprintf(w, "  change: recall %+.4f (%+d), false %+.4f (%+d)\n",
		ratio(bc.tp, bc.pos)-ratio(rc.tp, rc.pos), bc.tp-rc.tp, ratio(bc.fp, bc.neg)-ratio(rc.fp, rc.neg), bc.fp-rc.fp)
	return nil
}
