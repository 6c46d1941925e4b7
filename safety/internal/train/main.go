package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"nightfloat/safety"
	"nightfloat/safety/internal/learn"
)

func main() {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(2)
	}
	corpus := flag.String("corpus", filepath.Join(root, "..", "shared", "training"), "the external corpus directory")
	out := flag.String("out", filepath.Join(root, "safety", safety.LearnedModelPath), "model file to write")
	card := flag.String("card", filepath.Join(root, "docs", "model-card.md"), "model card to write")
	table := flag.String("table", filepath.Join(root, "docs", "sources.md"), "leave-one-source-out table to write")
	profile := flag.String("profile", "all", "all, or permissive (only permissively licensed sources)")
	check := flag.Bool("check", false, "only check that the committed model was trained on the current inputs")
	cmp := flag.Bool("compare", false, "measure the linear and the fastText-style model leave-one-source-out and print both; write nothing")
	flag.Parse()
	ctx := context.Background()
	if *cmp {
		t0 := time.Now()
		err = compare(ctx, os.Stdout, *corpus, func(format string, a ...any) {
			fmt.Fprintf(os.Stderr, "train: %6.1fs "+format+"\n", append([]any{time.Since(t0).Seconds()}, a...)...)
		})
	} else if *check {
		err = CheckModel(*corpus, *profile)
	} else {
		err = run(ctx, *corpus, *profile, *out, *card, *table)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, corpusDir, profile, out, cardPath, tablePath string) error {
	t0 := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "train: %6.1fs "+format+"\n", append([]any{time.Since(t0).Seconds()}, a...)...)
	}
	cases, sum, err := Inputs(corpusDir, profile)
	if err != nil {
		return err
	}
	logf("%d labelled texts", len(cases))
	items, version, err := safety.LabelledItems(ctx, cases)
	if err != nil {
		return err
	}
	logf("rules judged every text")
	ex, train := learn.DefaultBalance.Weigh(items)
	set := learn.NewSet(ex)
	logits := learn.LeaveOneSourceOut(set, items, train, learn.DefaultConfig, func(src string) { logf("held out %s", src) })
	prob, a, b := calibrated(items, ex, train, logits)
	handoff, review := learn.ChooseBands(items, prob, learn.DefaultTargets)
	logf("calibration a=%.4f b=%.4f; bands handoff %.3f review %.3f", a, b, handoff, review)
	var use []int
	for i := range items {
		if train[i] {
			use = append(use, i)
		}
	}
	m := learn.Train(set, use, ModelID(profile), learn.DefaultConfig)
	m.CalA, m.CalB, m.Handoff, m.Review, m.DataSum = a, b, handoff, review, sum
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	logf("wrote %s (%d bytes)", out, len(data))
	rep, err := safety.NewSourceReport(items, prob, m.ID, version, handoff, review)
	if err != nil {
		return err
	}
	if err := writeTable(tablePath, rep, cases); err != nil {
		return err
	}
	if err := writeCard(cardPath, m, rep, cases, profile, len(use)); err != nil {
		return err
	}
	logf("wrote %s and %s; targets missed: %s", tablePath, cardPath, strings.Join(rep.Misses(), "; "))
	return nil
}

// ModelID names the model of a profile.
func ModelID(profile string) string {
	if profile == "all" {
		return "learned.lr-v1"
	}
	return "learned.lr-v1-" + profile
}
