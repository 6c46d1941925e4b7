package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"nightfloat/evals"
	"nightfloat/safety"
	"nightfloat/safety/internal/learn"
)

// Inputs reads the labelled texts of a profile (all, or permissive) and
// returns them with the checksum of everything the weights depend on: the
// profile and training settings, the rule files (the learned layer judges what
// the rules did not explain away), every corpus file's bytes, and the cases.
func Inputs(corpusDir, profile string) ([]safety.SourceCase, [32]byte, error) {
	var sum [32]byte
	if profile != "all" && profile != "permissive" {
		return nil, sum, fmt.Errorf("unknown profile %q (all or permissive)", profile)
	}
	info, _, err := safety.Sources()
	if err != nil {
		return nil, sum, err
	}
	rules, err := safety.RulesDigest()
	if err != nil {
		return nil, sum, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "profile=%s config=%+v balance=%+v rules=%x\n", profile, learn.DefaultConfig, learn.DefaultBalance, rules)
	all, err := safety.LoadCorpus(corpusDir, h)
	if err != nil {
		return nil, sum, err
	}
	own, err := evals.ProjectSources()
	if err != nil {
		return nil, sum, err
	}
	for _, sc := range own {
		if sc.Source == evals.RequestsSource {
			fmt.Fprintf(h, "\x00request %v %s %q", sc.Escalate, sc.Category, sc.Text)
		} else {
			fmt.Fprintf(h, "\x00case %s %v %s %q", sc.Genre, sc.Escalate, sc.Category, sc.Text)
			for _, t := range sc.History {
				fmt.Fprintf(h, " %q", t.Text)
			}
		}
		all = append(all, sc)
	}
	var out []safety.SourceCase
	for _, c := range all {
		if profile == "permissive" && !info[c.Source].Permissive {
			continue
		}
		out = append(out, c)
	}
	copy(sum[:], h.Sum(nil))
	return out, sum, nil
}

// CheckModel fails when the committed model was not trained on the current
// inputs of the profile.
func CheckModel(corpusDir, profile string) error {
	_, sum, err := Inputs(corpusDir, profile)
	if err != nil {
		return err
	}
	if safety.LearnedDataSum() != sum {
		return errors.New("the committed learned model was not trained on the current corpus, cases and settings: run go run ./safety/internal/train")
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
