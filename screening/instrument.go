package screening

import (
	"fmt"
	"strings"

	"nightfloat"
)

// ID names an instrument as stored, sent and logged.
type ID string

// The instruments, in the order the screening page shows them.
const (
	PHQ9    ID = "phq9"
	GAD7    ID = "gad7"
	Burnout ID = "burnout"
)

// IDs lists every instrument, in display order.
var IDs = []ID{PHQ9, GAD7, Burnout}

// Option is one answer a question offers: the value stored and scored, and its published
// label.
type Option struct {
	Value int    `json:"value"`
	Label string `json:"label"`
}

// Question is one question of an instrument, worded exactly as published.
type Question struct {
	ID      string   `json:"id"`      // stable key of the answer, e.g. "phq9_9"
	Number  int      `json:"number"`  // position on the published form, from 1
	Text    string   `json:"text"`    // the published wording
	Options []Option `json:"options"` // the only values accepted
	// Scored questions are added to the total and must all be answered. An unscored
	// question (the PHQ-9's difficulty question) may be left out and never counts.
	Scored bool `json:"scored"`
	// Alert is the level any answer other than the lowest option raises the screen to, at
	// once and whatever else is answered; LevelNone for most questions.
	Alert nightfloat.Level `json:"alert"`
}

// Band is a published severity range of totals, Min and Max included.
type Band struct {
	Min  int    `json:"min"`
	Max  int    `json:"max"`
	Name string `json:"name"` // e.g. "moderately_severe"
}

// Source is where a fact in an instrument's data was checked.
type Source struct {
	Supports string `json:"supports"` // which facts: "item wording", "cut-offs", ...
	Citation string `json:"citation"`
	URL      string `json:"url"`
}

// Instrument is one validated questionnaire: its wording, scoring and provenance.
type Instrument struct {
	ID       ID         `json:"id"`
	Name     string     `json:"name"`
	Topic    string     `json:"topic"` // what it screens for, in a word people use: "depression"
	Measures string     `json:"measures"`
	Stem     string     `json:"stem,omitempty"` // the instruction above the questions; empty for a lone question
	Items    []Question `json:"items"`
	Bands    []Band     `json:"bands"` // in order, covering every possible total
	// PositiveAt is the published total at or above which a screen is positive: further
	// evaluation is warranted (PHQ-9, GAD-7: 10) or burnout is reported (burnout item: 3).
	PositiveAt int      `json:"positive_at"`
	Licence    string   `json:"licence"`
	Sources    []Source `json:"sources"`
}

// Instruments returns every instrument, in display order. Each call returns fresh values,
// so a caller may change what it gets without affecting anyone else.
func Instruments() []Instrument {
	return []Instrument{phq9(), gad7(), burnout()}
}

// Lookup returns the instrument with the given id.
func Lookup(id ID) (Instrument, error) {
	switch id {
	case PHQ9:
		return phq9(), nil
	case GAD7:
		return gad7(), nil
	case Burnout:
		return burnout(), nil
	}
	names := make([]string, len(IDs))
	for i, x := range IDs {
		names[i] = string(x)
	}
	return Instrument{}, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown questionnaire %q (want %s)", id, strings.Join(names, ", "))
}

// MinTotal is the lowest possible total: every scored question at its lowest option.
func (in Instrument) MinTotal() int {
	total := 0
	for _, q := range in.Items {
		if q.Scored {
			total += q.Options[0].Value
		}
	}
	return total
}

// MaxTotal is the highest possible total: every scored question at its highest option.
func (in Instrument) MaxTotal() int {
	total := 0
	for _, q := range in.Items {
		if q.Scored {
			total += q.Options[len(q.Options)-1].Value
		}
	}
	return total
}

// band returns the band a total falls in.
func (in Instrument) band(total int) (Band, error) {
	for _, b := range in.Bands {
		if total >= b.Min && total <= b.Max {
			return b, nil
		}
	}
	return Band{}, fmt.Errorf("screening: %s: no band holds total %d", in.ID, total)
}

// question returns the question with the given answer key.
func (in Instrument) question(key string) (Question, bool) {
	for _, q := range in.Items {
		if q.ID == key {
			return q, true
		}
	}
	return Question{}, false
}

// allows reports whether v is one of q's option values.
func (q Question) allows(v int) bool {
	for _, o := range q.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}
