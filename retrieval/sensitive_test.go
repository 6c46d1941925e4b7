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
