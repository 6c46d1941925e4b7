package screening

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"nightfloat"
)

// Result is a scored screen: what the resident's answers add up to, and what Nightfloat
// must do about it.
type Result struct {
	Instrument ID     `json:"instrument"`
	Total      int    `json:"total"`
	Min        int    `json:"min"`  // the lowest possible total
	Max        int    `json:"max"`  // the highest possible total
	Band       string `json:"band"` // e.g. "moderate"
	// Positive is true when Total is at or above the instrument's PositiveAt.
	Positive bool `json:"positive"`
	// Level is how strongly the screen must be acted on: LevelUrgent when a question with
	// an alert (PHQ-9 item 9) is answered above its lowest option, else LevelConcern when
	// the screen is positive, else LevelNone. LevelUrgent forces a handoff.
	Level nightfloat.Level `json:"level"`
	// Alerts lists the questions that raised Level to their alert, in form order.
	Alerts []string `json:"alerts,omitempty"`
	// Answers are the answers scored, unscored ones included.
	Answers Responses `json:"answers"`
}

// Score scores a resident's answers to one instrument with its published cut-offs.
//
// It refuses (with a *nightfloat.Error of CodeInvalid) an unknown instrument, an answer to
// a question the instrument does not have, a value that is not one of a question's
// options, and a screen with any scored question unanswered: no rule for missing answers
// was found in the developers' published scoring, so none is guessed and none is counted
// as 0. The error for
// unanswered questions wraps a *MissingError naming them.
//
// Even when it returns an error, the Result's Instrument and Level are set: Level is
// SafetyLevel of whatever was answered, so a caller that refuses the screen still acts on
// an answer to PHQ-9 item 9.
func Score(id ID, answers Responses) (Result, error) {
	level, alerts := SafetyLevel(id, answers)
	refused := Result{Instrument: id, Level: level, Alerts: alerts}
	in, err := Lookup(id)
	if err != nil {
		return refused, err
	}
	if err := check(in, answers); err != nil {
		return refused, err
	}
	total := 0
	for _, q := range in.Items {
		if q.Scored {
			total += answers[q.ID]
		}
	}
	band, err := in.band(total)
	if err != nil {
		return refused, err
	}
	res := Result{
		Instrument: id,
		Total:      total,
		Min:        in.MinTotal(),
		Max:        in.MaxTotal(),
		Band:       band.Name,
		Positive:   total >= in.PositiveAt,
		Level:      level,
		Alerts:     alerts,
		Answers:    maps.Clone(answers),
	}
	if res.Positive {
		res.Level = max(res.Level, nightfloat.LevelConcern)
	}
	return res, nil
}

// SafetyLevel returns the level an instrument's alert questions raise the answers to, and
// those questions, whether or not the screen is complete or valid. Any answer to an alert
// question other than its lowest option raises, including values out of range or not whole
// numbers: a garbled answer to PHQ-9 item 9 is treated as a yes. It only ever raises; it is LevelNone for an
// unknown instrument or when no alert question is answered above its lowest option.
func SafetyLevel(id ID, answers Responses) (nightfloat.Level, []string) {
	in, err := Lookup(id)
	if err != nil {
		return nightfloat.LevelNone, nil
	}
	level := nightfloat.LevelNone
	var alerts []string
	for _, q := range in.Items {
		v, ok := answers[q.ID]
		if !ok || q.Alert == nightfloat.LevelNone || v == q.Options[0].Value {
			continue
		}
		level = max(level, q.Alert)
		alerts = append(alerts, q.ID)
	}
	return level, alerts
}

// check refuses answers that cannot be scored.
func check(in Instrument, answers Responses) error {
	var unknown []string
	for k := range answers {
		if _, ok := in.question(k); !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &nightfloat.Error{
			Code:    nightfloat.CodeInvalid,
			Message: fmt.Sprintf("%s does not have %d of the questions answered", in.Name, len(unknown)),
			Err:     fmt.Errorf("screening: %s: unknown questions %s", in.ID, quoteAll(unknown)),
		}
	}
	missing := &MissingError{Instrument: in.ID}
	for _, q := range in.Items {
		v, ok := answers[q.ID]
		if !ok {
			if q.Scored {
				missing.Items = append(missing.Items, q.ID)
				missing.Numbers = append(missing.Numbers, q.Number)
			}
			continue
		}
		if v == notANumber {
			return nightfloat.Errorf(nightfloat.CodeInvalid, "%s question %d: the answer is not a whole number", in.Name, q.Number)
		}
		if !q.allows(v) {
			lo, hi := q.Options[0].Value, q.Options[len(q.Options)-1].Value
			return nightfloat.Errorf(nightfloat.CodeInvalid, "%s question %d: %d is not an answer (want %d to %d)", in.Name, q.Number, v, lo, hi)
		}
	}
	if len(missing.Items) > 0 {
		return &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: missing.message(in.Name), Err: missing}
	}
	return nil
}

// MissingError names the scored questions left unanswered, which is why a screen was not
// scored.
type MissingError struct {
	Instrument ID
	Items      []string // question IDs, in form order
	Numbers    []int    // their numbers on the form
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("screening: %s: unanswered: %s", e.Instrument, strings.Join(e.Items, ", "))
}

// message says which questions need an answer, for the person filling in the form.
func (e *MissingError) message(name string) string {
	nums := make([]string, len(e.Numbers))
	for i, n := range e.Numbers {
		nums[i] = strconv.Itoa(n)
	}
	if len(nums) == 1 {
		return fmt.Sprintf("%s question %s is unanswered; every question needs an answer before the screen can be scored", name, nums[0])
	}
	return fmt.Sprintf("%s questions %s and %s are unanswered; every question needs an answer before the screen can be scored",
		name, strings.Join(nums[:len(nums)-1], ", "), nums[len(nums)-1])
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
