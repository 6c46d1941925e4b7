package main

import (
	"context"
	"fmt"
	"io"

	"nightfloat/safety"
	"nightfloat/safety/internal/learn"
)

// fastTextDim and fastTextBits size the richer model compared with the
// linear one.
const (
	fastTextDim  = 16
	fastTextBits = 18
)

// compare measures the linear model and the fastText-style model the same way
// (leave one source out, calibration and bands chosen on the out-of-source
// scores, with the rules) and prints both reports, so the better one is kept.
func compare(ctx context.Context, w io.Writer, corpusDir string, logf func(string, ...any)) error {
	cases, _, err := Inputs(corpusDir, "all")
	if err != nil {
		return err
	}
	items, version, err := safety.LabelledItems(ctx, cases)
	if err != nil {
		return err
	}
	ex, train := learn.DefaultBalance.Weigh(items)
	set := learn.NewSet(ex)
	ftCfg := learn.DefaultConfig
	ftCfg.Rate = 0.5
	learners := []struct {
		name string
		fit  func(use []int) func(i int) float64
	}{
		{ModelID("all"), func(use []int) func(i int) float64 {
			m := learn.Train(set, use, "fold", learn.DefaultConfig)
			return func(i int) float64 { return set.Logit(m, i) }
		}},
		{fmt.Sprintf("fasttext-d%d-b%d", fastTextDim, fastTextBits), func(use []int) func(i int) float64 {
			f := learn.TrainFastText(set, use, fastTextDim, fastTextBits, ftCfg)
			return func(i int) float64 { return f.Logit(set, i) }
		}},
	}
	for _, l := range learners {
		logits := learn.LeaveOneSourceOutWith(set, items, train, l.fit, func(src string) { logf("%s: held out %s", l.name, src) })
		prob, _, _ := calibrated(items, ex, train, logits)
		h, r := learn.ChooseBands(items, prob, learn.DefaultTargets)
		rep, err := safety.NewSourceReport(items, prob, l.name, version, h, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n## %s\n\n", l.name)
		if err := rep.WriteMarkdown(w); err != nil {
			return err
		}
	}
	return nil
}

// calibrated fits Platt scaling on out-of-source logits (weighted like the
// training data) and returns the probabilities with the fitted a and b.
func calibrated(items []learn.Labelled, ex []learn.Example, train []bool, logits []float64) (prob []float64, a, b float64) {
	a, b = calibration(items, ex, train, logits)
	cal := &learn.Model{CalA: a, CalB: b}
	prob = make([]float64, len(logits))
	for i, z := range logits {
		prob[i] = cal.Prob(z)
	}
	return prob, a, b
}

// calibration fits Platt scaling on out-of-source logits, each weighted as in
// training (rows left out by the balance count zero).
func calibration(items []learn.Labelled, ex []learn.Example, train []bool, logits []float64) (a, b float64) {
	ws := make([]float64, len(items))
	ys := make([]bool, len(items))
	for i := range items {
		ys[i] = items[i].Escalate
		if train[i] {
			ws[i] = float64(ex[i].Weight)
		}
	}
	return learn.Calibrate(logits, ys, ws)
}
