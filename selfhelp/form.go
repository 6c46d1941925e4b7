package selfhelp

// answer points at where a text or rating step's answer lives in an exercise.
type answer struct {
	text   *string
	rating **int
}

// normalizeAnswers trims every text answer in place and checks every answer against its
// step. It refuses an exercise with nothing answered at all.
func normalizeAnswers(steps []Step, answers map[string]answer) error {
	empty := true
	for _, st := range steps {
		a := answers[st.Field]
		switch st.Kind {
		case StepText:
			s, err := cleanText(st.Field, st.Title, *a.text, st.MaxChars)
			if err != nil {
				return err
			}
			*a.text = s
			empty = empty && s == ""
		case StepRating:
			if err := checkRating(st, *a.rating); err != nil {
				return err
			}
			if v := *a.rating; v != nil {
				c := *v // the result never shares the caller's int
				*a.rating = &c
				empty = false
			}
		}
	}
	if empty {
		return invalid("", "empty", "nothing is filled in yet, so there is nothing to save")
	}
	return nil
}

// textFields lists the non-empty text answers, in step order.
func textFields(steps []Step, answers map[string]answer) []Field {
	var out []Field
	for _, st := range steps {
		if a := answers[st.Field]; st.Kind == StepText && *a.text != "" {
			out = append(out, Field{Path: st.Field, Text: *a.text})
		}
	}
	return out
}

// missing lists the required steps not yet answered, in step order.
func missing(steps []Step, answers map[string]answer) []string {
	var out []string
	for _, st := range steps {
		if !st.Required {
			continue
		}
		a := answers[st.Field]
		if (st.Kind == StepText && *a.text == "") || (st.Kind == StepRating && *a.rating == nil) {
			out = append(out, st.Field)
		}
	}
	return out
}
