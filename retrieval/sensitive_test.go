package retrieval

import "testing"

func TestAboutSubject(t *testing.T) {
	tests := []struct {
		doc, query string
		want       bool
	}{
		{"after-a-colleague-dies-by-suicide", "a classmate died by suicide last week", true},
		{"after-a-colleague-dies-by-suicide", "my co-resident took his own life", true},
		{"after-a-colleague-dies-by-suicide", "hard night, six admissions and no time to eat", false},
		{"substance-use-and-asking-for-help", "i've been drinking every night after shifts", true},
		{"substance-use-and-asking-for-help", "I hate my programme", false},
		{"substance-use-and-asking-for-help", "what's the usual drug level to aim for with vanc", false},
		{"substance-use-and-asking-for-help", "i've been using drugs to get through nights", true},
		{"harassment-and-discrimination", "a patient refused me because of my race", true},
		{"harassment-and-discrimination", "I failed my boards", false},
		{"urgent-help-right-now", "i dont want to be here anymore", true},
		{"urgent-help-right-now", "is there a number i can save for when things get really bad", true},
		{"urgent-help-right-now", "how do i sleep after a 24 hour call", false},
		{"workplace-violence-for-nurses", "a patient grabbed my wrist", true},
		{"workplace-violence-for-nurses", "12 hour shifts are killing my feet", false},
		{"urgent-help-right-now", "been sitting in the car working out how i'd do it", true},
		{"urgent-help-right-now", "how do i do it all on a 28 hour call", false},
		{"urgent-help-right-now", "since my co-resident killed himself i keep thinking i should do the same", true},
		{"urgent-help-right-now", "my senior stayed late to help so i should do the same", false},
		{"someone-in-danger-right-now", "my roommate said she won't be around much longer and gave away her cat", true},
		{"someone-in-danger-right-now", "my co-intern won't be around tomorrow, she's post call", false},
		{"harassment-and-discrimination", "the fellow keeps touching my lower back at the workstation", true},
		{"harassment-and-discrimination", "my attending keeps commenting on my body", true},
		{"harassment-and-discrimination", "my back hurts after a 12", false},
		{"when-a-colleague-is-impaired-at-work", "i smelled vodka on my co-resident on rounds", true},
		{"when-a-colleague-is-impaired-at-work", "my co-resident seems sad lately", false},
		{"when-a-colleague-is-impaired-at-work", "my senior's hands were shaking so badly during the central line", true},
		{"when-a-colleague-is-impaired-at-work", "the surgeon has a tremor by the afternoon and glassy eyes", true},
		{"harassment-and-discrimination", "he said going out with him would help my grade", true},
		{"harassment-and-discrimination", "said drinks with him would 'help my evals'", true},
		{"harassment-and-discrimination", "how do i help my grade in surgery", false},
		{"harassment-and-discrimination", "my grade in surgery was a pass", false},
		{"substance-use-and-asking-for-help", "i've been pocketing the wasted percocet at the end of my shifts", true},
		{"substance-use-and-asking-for-help", "can't stop thinking about the dilaudid in the pyxis", true},
		{"someone-in-danger-right-now", "my brother sent 'sorry for everything' at 2am and his phone is off", true},
		{"someone-in-danger-right-now", "apologised to the charge nurse for everything that went wrong tonight", false},
		{"sleep-after-night-float", "anything at all", true},
	}
	for _, tt := range tests {
		t.Run(tt.doc+"/"+tt.query, func(t *testing.T) {
			if got := AboutSubject(tt.doc, tt.query); got != tt.want {
				t.Errorf("AboutSubject(%q, %q) = %v, want %v", tt.doc, tt.query, got, tt.want)
			}
		})
	}
}
