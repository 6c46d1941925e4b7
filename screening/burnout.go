package screening

// burnout is the single-item burnout measure of the Physician Worklife Study, with the
// question wording Dolan et al. (2015) validated. Its five answers score 1 to 5; 3 and
// above is burnout.
func burnout() Instrument {
	return Instrument{
		ID:       Burnout,
		Name:     "Single-item burnout measure",
		Topic:    "burnout",
		Measures: "burnout as the person defines it, on five ordered statements",
		Items: []Question{{
			ID:     "burnout_1",
			Number: 1,
			Text:   "Overall, based on your definition of burnout, how would you rate your level of burnout?",
			Options: []Option{
				{1, "I enjoy my work. I have no symptoms of burnout."},
				{2, "Occasionally I am under stress, and I don't always have as much energy as I once did, but I don't feel burned out."},
				{3, "I am definitely burning out and have one or more symptoms of burnout, such as physical and emotional exhaustion."},
				{4, "The symptoms of burnout that I'm experiencing won't go away. I think about frustration at work a lot."},
				{5, "I feel completely burned out and often wonder if I can go on. I am at the point where I may need some changes or may need to seek some sort of help."},
			},
			Scored: true,
		}},
		Bands: []Band{
			{1, 2, "no_burnout"},
			{3, 5, "burnout"},
		},
		PositiveAt: 3,
		Licence:    "Non-proprietary (Dolan et al. 2015; National Academy of Medicine). No explicit permission statement from the item's authors was found; see docs/instruments.md.",
		Sources:    []Source{srcDolan2015, srcNAMSingleItem, srcRohland2004, srcWaddimba2015},
	}
}
