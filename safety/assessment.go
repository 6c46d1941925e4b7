package safety

// Evidence is one finding: which layer and rule saw what, where.
type Evidence struct {
	Layer    string   `json:"layer"` // "rules", "memory", "model", ...
	RuleID   string   `json:"rule_id"`
	Category Category `json:"category"`
	Level    Level    `json:"level"`
	Span     string   `json:"span"`  // the matched text as the user wrote it
	Start    int      `json:"start"` // byte offsets into the judged message; -1 when not applicable
	End      int      `json:"end"`
	Signals  string   `json:"signals,omitempty"` // concept layer: the signals that fired, "means=rope; timing=tonight"
}

// Assessment is the verdict on one message.
type Assessment struct {
	Level      Level      `json:"level"`
	Categories []Category `json:"categories"`
	Evidence   []Evidence `json:"evidence"`
	CSSRS      int        `json:"cssrs,omitempty"` // Columbia screener item 1..6 for suicide findings, 0 otherwise
	Version    string     `json:"version"`
	Errors     []string   `json:"errors,omitempty"` // layer failures; the rules verdict stands
	// Signals are the memory signals the judged message itself raised (Memory.Remember).
	Signals []string `json:"signals,omitempty"`
}

// Merge combines assessments. The level and C-SSRS item are the maxima,
// categories, evidence, errors and signals are unioned in order of first appearance,
// and the version is the first non-empty one. Merging can only raise.
func Merge(as ...Assessment) Assessment {
	var out Assessment
	seenCat := map[Category]bool{}
	seenEv := map[Evidence]bool{}
	seenErr := map[string]bool{}
	seenSig := map[string]bool{}
	for _, a := range as {
		for _, s := range a.Signals {
			if !seenSig[s] {
				seenSig[s] = true
				out.Signals = append(out.Signals, s)
			}
		}
		if a.Level > out.Level {
			out.Level = a.Level
		}
		if a.CSSRS > out.CSSRS {
			out.CSSRS = a.CSSRS
		}
		if out.Version == "" {
			out.Version = a.Version
		}
		for _, c := range a.Categories {
			if !seenCat[c] {
				seenCat[c] = true
				out.Categories = append(out.Categories, c)
			}
		}
		for _, e := range a.Evidence {
			if e.Level > out.Level {
				out.Level = e.Level
			}
			if !seenCat[e.Category] && e.Category != "" {
				seenCat[e.Category] = true
				out.Categories = append(out.Categories, e.Category)
			}
			if !seenEv[e] {
				seenEv[e] = true
				out.Evidence = append(out.Evidence, e)
			}
		}
		for _, s := range a.Errors {
			if !seenErr[s] {
				seenErr[s] = true
				out.Errors = append(out.Errors, s)
			}
		}
	}
	if out.Categories == nil {
		out.Categories = []Category{}
	}
	if out.Evidence == nil {
		out.Evidence = []Evidence{}
	}
	return out
}
