package safety

import (
	"context"
	_ "embed"
	"sync"

	"nightfloat/safety/internal/learn"
)

// LayerLearned names the learned layer's evidence.
const LayerLearned = "learned"

// LearnedModelPath is the committed model file, relative to this package.
const LearnedModelPath = "model/learned.bin"

//go:embed model/learned.bin
var embeddedLearned []byte

var loadEmbeddedLearned = sync.OnceValues(func() (*learn.Model, error) {
	return learn.Parse(embeddedLearned)
})

// learnedLayer scores the message alone with the learned model. Its score
// falls in one of three bands: handoff (one Urgent finding), review (one
// Concern finding: a supportive answer with resources, and the conversation
// is queued for clinician review) or none. Earlier turns are left to the
// rules' conversation memory.
type learnedLayer struct{ m *learn.Model }

func (l *learnedLayer) Name() string { return LayerLearned }

func (l *learnedLayer) Assess(_ context.Context, _ []Turn, message string) (Assessment, error) {
	a := Assessment{Categories: []Category{}, Evidence: []Evidence{}, Version: l.m.ID}
	fs := learn.Vectorize(nil, message)
	level, rule := None, l.m.ID
	switch l.m.BandOf(l.m.Prob(l.m.Logit(fs))) {
	case learn.BandHandoff:
		level = Urgent
	case learn.BandReview:
		level, rule = Concern, l.m.ID+".review"
	default:
		return a, nil
	}
	cat := Category(l.m.Category(fs))
	if cat == "" {
		cat = SuicidalIdeation
	}
	a.Level = level
	a.Categories = append(a.Categories, cat)
	a.Evidence = append(a.Evidence, Evidence{
		Layer: LayerLearned, RuleID: rule, Category: cat, Level: level,
		Span: l.m.TopGrams(message, 3), Start: -1, End: -1,
	})
	return a, nil
}

// LearnedDataSum is the checksum of the inputs the committed learned model was
// trained on (zero if it cannot be read).
func LearnedDataSum() [32]byte {
	m, err := loadEmbeddedLearned()
	if err != nil {
		return [32]byte{}
	}
	return m.DataSum
}
