package safety

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

var statProbe = []struct {
	history []string
	msg     string
}{
	{nil, "I want to die"},
	{nil, "honestly I don't see the point of anything anymore, everyone would be better off"},
	{nil, "the shift is killing me lol but I'm ok"},
	{nil, "how do I dose vancomycin in renal failure?"},
	{nil, "my patient said he wants to kill himself, how do I do a risk assessment"},
	{nil, "I k1ll myyyyyself every night in my dreams"},
	{nil, "can I talk to a real person please"},
	{[]string{"nothing will get better", "I have access to propofol"}, "tonight"},
	{[]string{"I'm fine"}, "what's the best way to study for boards"},
	{nil, ""},
	{nil, "!!!! ???? ...."},
	{nil, strings.Repeat("ок ", 100) + "\u200b\ufeff 日本語 emoji 😀"},
}

func TestStatLayer(t *testing.T) {
	m, err := EmbeddedStatModel()
	if err != nil {
		t.Fatalf("committed model does not load: %v", err)
	}

	t.Run("committed model loads", func(t *testing.T) {
		if m.ID() != StatModelID {
			t.Errorf("id %q, want %q", m.ID(), StatModelID)
		}
		if math.IsNaN(m.Threshold()) || math.IsInf(m.Threshold(), 0) {
			t.Errorf("threshold %v", m.Threshold())
		}
		if m.DataSum() == ([32]byte{}) {
			t.Error("no training-data checksum")
		}
		if len(embeddedStatModel) >= 2<<20 {
			t.Errorf("model file is %d bytes, budget 2 MB", len(embeddedStatModel))
		}
		b, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(b, embeddedStatModel) {
			t.Errorf("model does not re-encode to the committed bytes (err %v)", err)
		}
		if len(m.cats) == 0 {
			t.Error("no category heads")
		}
	})

	t.Run("corrupt files are errors", func(t *testing.T) {
		for _, n := range []int{0, 5, len(statMagic) + 3, len(embeddedStatModel) / 2, len(embeddedStatModel) - 1} {
			if _, err := ParseStatModel(embeddedStatModel[:n]); err == nil {
				t.Errorf("truncated to %d bytes: no error", n)
			}
		}
		if _, err := ParseStatModel(append(bytes.Clone(embeddedStatModel), 0)); err == nil {
			t.Error("trailing byte: no error")
		}
	})

	t.Run("only raises", func(t *testing.T) {
		rules, err := New()
		if err != nil {
			t.Fatal(err)
		}
		both, err := New(WithStat(), WithStat()) // the second is a no-op
		if err != nil {
			t.Fatal(err)
		}
		if len(both.layers) != 1 {
			t.Fatalf("WithStat twice: %d layers", len(both.layers))
		}
		l := NewStatLayer(m)
		ctx := context.Background()
		for _, p := range statProbe {
			var h []Turn
			for _, s := range p.history {
				h = append(h, Turn{Author: AuthorResident, Text: s})
			}
			ra, _ := rules.Assess(ctx, h, p.msg)
			ba, err := both.Assess(ctx, h, p.msg)
			if err != nil || len(ba.Errors) > 0 {
				t.Fatalf("%q: %v %v", p.msg, err, ba.Errors)
			}
			if ba.Level < ra.Level || ba.CSSRS < ra.CSSRS {
				t.Errorf("%q: with stat %v (cssrs %d), rules alone %v (%d)", p.msg, ba.Level, ba.CSSRS, ra.Level, ra.CSSRS)
			}
			for _, e := range ra.Evidence {
				if !containsEvidence(ba.Evidence, e) {
					t.Errorf("%q: rules evidence %+v lost", p.msg, e)
				}
			}
			sa, err := l.Assess(ctx, h, p.msg)
			if err != nil {
				t.Fatal(err)
			}
			score := m.Score(nil, p.msg) // the layer scores the message alone
			switch {
			case score >= m.Threshold():
				if sa.Level != Urgent || len(sa.Evidence) != 1 {
					t.Fatalf("%q: score %.3f >= threshold but %+v", p.msg, score, sa)
				}
				e := sa.Evidence[0]
				if e.Layer != LayerStat || e.RuleID != StatModelID || e.Level != Urgent || e.Start != -1 || e.End != -1 || e.Category == "" {
					t.Errorf("%q: evidence %+v", p.msg, e)
				}
				if ba.Level < Urgent {
					t.Errorf("%q: stat fired but classifier says %v", p.msg, ba.Level)
				}
			default:
				if sa.Level != None || len(sa.Evidence) != 0 {
					t.Errorf("%q: score %.3f below threshold but %+v", p.msg, score, sa)
				}
			}
			if sa.Version != StatModelID {
				t.Errorf("version %q", sa.Version)
			}
			t.Logf("%-60.60q score %7.3f stat %v rules %v combined %v", p.msg, score, sa.Level, ra.Level, ba.Level)
		}
	})

	t.Run("red flag in plain words scores high", func(t *testing.T) {
		// in the training data many times over; a sanity check that the
		// committed weights belong to this feature code
		// (the threshold is chosen for a false-escalation budget, and the
		// rules catch this phrase anyway, so compare with an ordinary
		// question rather than with the threshold)
		msg, plain := "I want to kill myself", "how do I dose vancomycin in renal failure?"
		if s, p := m.Score(nil, msg), m.Score(nil, plain); s < p+3 {
			t.Errorf("%q scores %.3f, not well above %q (%.3f)", msg, s, plain, p)
		}
	})

	t.Run("deterministic training", func(t *testing.T) {
		ex := []StatExample{
			{Message: "i want to die tonight", Escalate: true, Category: SuicidalIdeation},
			{Message: "i have pills saved up and a plan", Escalate: true, Category: SuicidePlanOrIntent},
			{Message: "i cut myself again after the shift", Escalate: true, Category: SelfHarm},
			{Message: "please get me a real human", Escalate: true, Category: RequestForHuman},
			{Message: "the shift is killing me", Escalate: false},
			{Message: "how do i dose heparin", Escalate: false},
			{Message: "my patient wants to die, what do i do", Escalate: false},
			{Message: "so tired of notes", Escalate: false},
			{History: []Turn{{Author: AuthorResident, Text: "nothing will ever get better"}}, Message: "tonight", Escalate: true, Category: SuicidePlanOrIntent},
		}
		cfg := StatTrainConfig{Epochs: 30, Rate: 0.3, L2: 1e-5, Seed: 1}
		a, _ := TrainStat(VectorizeStat(ex), nil, cfg).MarshalBinary()
		b, _ := TrainStat(VectorizeStat(ex), nil, cfg).MarshalBinary()
		if !bytes.Equal(a, b) {
			t.Fatal("two trainings on the same data differ")
		}
		tm, err := ParseStatModel(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ex {
			if s := tm.Score(e.History, e.Message); (s >= 0) != e.Escalate {
				t.Errorf("trained model scores its own example %q %.3f", e.Message, s)
			}
		}
		if c := tm.category(statVectorize(nil, "i cut myself again").feats); c != SelfHarm {
			t.Errorf("category %v, want self_harm", c)
		}
	})

	t.Run("normalisation", func(t *testing.T) {
		for in, want := range map[string]string{
			"I K1LL mysellllf!!":       " i kill myself ",
			"don't   want 2 be here":   " dont want 2 be here ",
			"$uicide… @ 3am":           " suicide 3am ",
			"soooo tired, feel \t off": " so tired feel off ",
			"":                         " ",
			"d13 at 2am, k@ll me, x@y": " die at 2am kall me xay ",
		} {
			if got := string(statNormalize(nil, in)); got != want {
				t.Errorf("statNormalize(%q) = %q, want %q", in, got, want)
			}
		}
	})

	t.Run("latency", func(t *testing.T) {
		l := NewStatLayer(m)
		msg := longMessage()
		d := latencies(500, func() { _, _ = l.Assess(context.Background(), nil, msg) })
		p50 := percentile(d, 0.5)
		t.Logf("stat layer on 2,000 chars: p50 %v p99 %v", p50, percentile(d, 0.99))
		if budget := 200 * time.Microsecond * raceSlowdown; p50 > budget {
			t.Errorf("p50 %v, budget %v", p50, budget)
		}
	})
}

func containsEvidence(es []Evidence, e Evidence) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

func BenchmarkStatLayer(b *testing.B) {
	m, err := EmbeddedStatModel()
	if err != nil {
		b.Fatal(err)
	}
	l := NewStatLayer(m)
	msg := longMessage()
	reportLatency(b, func() { _, _ = l.Assess(context.Background(), nil, msg) })
}
