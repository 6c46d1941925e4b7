package selfhelp

// Source is published work a form's structure rests on. The prompts themselves are the
// project's own words.
type Source struct {
	Supports string `json:"supports"`
	Citation string `json:"citation"`
	URL      string `json:"url"`
}

// Evidence returns the sources behind a form's structure; docs/instruments.md says what
// was and was not checked. It is empty for an unknown form.
func Evidence(k Kind) []Source {
	switch k {
	case KindSafetyPlan:
		return []Source{{
			Supports: "the first six sections: warning signs, internal coping, social contacts and settings for distraction, family or friends who can help, professionals and agencies, restricting access to means (the seventh, reasons to keep going, comes from issue 19)",
			Citation: "Stanley B, Brown GK. Safety Planning Intervention: a brief intervention to mitigate suicide risk. Cognitive and Behavioral Practice. 2012;19(2):256-264",
			URL:      "https://doi.org/10.1016/j.cbpra.2011.01.001",
		}}
	case KindThoughtRecord:
		return []Source{{
			Supports: "the thought record of cognitive behavioural therapy, as the project's content page content/thought-records.md describes it; no paper was checked",
			Citation: "Beck Institute for Cognitive Behavior Therapy",
			URL:      "https://beckinstitute.org/",
		}}
	case KindActivation:
		return []Source{{
			Supports: "behavioural activation is an effective treatment for depression (26 randomised trials; most of low quality, short follow-up)",
			Citation: "Ekers D, Webster L, Van Straten A, Cuijpers P, Richards D, Gilbody S. Behavioural activation for depression; an update of meta-analysis of effectiveness and sub group analysis. PLoS One. 2014;9(6):e100100",
			URL:      "https://pmc.ncbi.nlm.nih.gov/articles/PMC4061095",
		}}
	}
	return nil
}
