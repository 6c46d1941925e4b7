package screening

// gad7 is the Generalized Anxiety Disorder 7-item scale as printed on the Pfizer form at
// phqscreeners.com.
func gad7() Instrument {
	texts := []string{
		"Feeling nervous, anxious or on edge",
		"Not being able to stop or control worrying",
		"Worrying too much about different things",
		"Trouble relaxing",
		"Being so restless that it is hard to sit still",
		"Becoming easily annoyed or irritable",
		"Feeling afraid as if something awful might happen",
	}
	items := make([]Question, len(texts))
	for i, t := range texts {
		items[i] = Question{ID: itemID(GAD7, i+1), Number: i + 1, Text: t, Options: frequency(), Scored: true}
	}
	return Instrument{
		ID:       GAD7,
		Name:     "GAD-7",
		Topic:    "anxiety",
		Measures: "how often, over the last two weeks, seven symptoms of generalized anxiety bothered the person",
		Stem:     "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Items:    items,
		Bands: []Band{
			{0, 4, "minimal"},
			{5, 9, "mild"},
			{10, 14, "moderate"},
			{15, 21, "severe"},
		},
		PositiveAt: 10,
		Licence:    "Public domain: \"No permission is required to reproduce, translate, display or distribute.\" Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.",
		Sources:    []Source{srcGAD7Form, srcPHQManual, srcSpitzer2006, srcZorowitz2021},
	}
}
