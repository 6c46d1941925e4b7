package safety

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
)

type assessCase struct {
	name    string
	history []string
	msg     string
	level   Level    // exact level expected
	cat     Category // category expected among the findings ("" = none required)
	cssrs   int      // exact C-SSRS item expected (-1 = don't care)
}

func runAssessCases(t *testing.T, tests []assessCase) {
	t.Helper()
	c := testClassifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h []Turn
			for _, x := range tt.history {
				h = append(h, Turn{Author: AuthorResident, Text: x})
			}
			a, err := c.Assess(context.Background(), h, tt.msg)
			if err != nil {
				t.Fatalf("Assess: %v", err)
			}
			if a.Level != tt.level {
				t.Errorf("level = %v, want %v; evidence %+v", a.Level, tt.level, a.Evidence)
			}
			if tt.cat != "" && !hasCategory(a, tt.cat) {
				t.Errorf("categories %v lack %s", a.Categories, tt.cat)
			}
			if tt.cssrs >= 0 && a.CSSRS != tt.cssrs {
				t.Errorf("cssrs = %d, want %d; evidence %+v", a.CSSRS, tt.cssrs, a.Evidence)
			}
			if a.Version != c.Version() || !strings.HasPrefix(a.Version, "rules-") {
				t.Errorf("version = %q", a.Version)
			}
		})
	}
}

func TestNegation(t *testing.T) {
	runAssessCases(t, []assessCase{
		{"not suicidal", nil, "I'm not suicidal, just exhausted", Concern, Distress, 0},
		{"never thought", nil, "I have never thought about killing myself", None, "", 0},
		{"no thoughts of", nil, "no thoughts of hurting myself", None, "", 0},
		{"would never", nil, "I would never kill myself", None, "", 0},
		{"not going to lie is not negation", nil, "I'm not going to lie, I want to die", Urgent, SuicidalIdeation, 1},
		{"ngl is not negation", nil, "ngl i want to die", Urgent, SuicidalIdeation, 1},
		{"retraction keeps level", nil, "I want to die. jk. lol", Urgent, SuicidalIdeation, 1},
		{"never mind keeps level", nil, "I've been thinking of ending it... never mind, forget I said that", Urgent, SuicidalIdeation, 2},
		{"cue in another clause", nil, "I can't tell anyone I want to kill myself", Urgent, SuicidalIdeation, 2},
		{"denial then disclosure", nil, "I'm not suicidal but I wish I could just not wake up", Urgent, SuicidalIdeation, 1},
		{"negation inside pattern", nil, "I don't want to live anymore", Urgent, SuicidalIdeation, 1},
		{"trying not to is an urge", nil, "trying so hard not to cut tonight", Urgent, SelfHarm, 0},
		{"didn't mean", nil, "I didn't mean I want to die, I meant I want a nap", None, "", 0},
		{"declines human", nil, "no, I don't need a human, I just want to vent", None, "", 0},
	})
}

func TestAttribution(t *testing.T) {
	runAssessCases(t, []assessCase{
		{"patient attempt", nil, "my patient attempted suicide tonight", None, "", 0},
		{"pt SI", nil, "pt is SI with plan", None, "", 0},
		{"overdose patient", nil, "overdose patient in bed 4", None, "", 0},
		{"patient trying to die", nil, "the patient is trying to die", None, "", 0},
		{"withdraw care", nil, "family wants to withdraw care", None, "", 0},
		{"quoted patient", nil, `my patient told me "I want to kill myself"`, None, "", 0},
		{"colleague", nil, "someone in my cohort attempted suicide last year", None, "", 0},
		{"own risk after patient death", nil, "since my patient died I keep thinking I should be dead too", Urgent, SuicidalIdeation, 1},
		{"identification", nil, "I understand why my patient did it, I'd do the same", Urgent, SuicidalIdeation, 1},
		{"education", nil, "how do we screen patients for suicide risk", None, "", 0},
		{"cssrs question", nil, "what's the C-SSRS", None, "", 0},
		{"clinical dosing", nil, "pushed 2 of ativan", None, "", 0},
		{"pronounced", nil, "pronounced at 0300", None, "", 0},
		{"ED attempt", nil, "we had a suicide attempt in the ED", None, "", 0},
		{"lethal means counselling", nil, "discussing lethal means counselling with a patient", None, "", 0},
	})
}

func TestIdioms(t *testing.T) {
	for _, msg := range []string{
		"killing it on rounds", "dying to sleep", "kill the alarm", "this shift is killing me",
		"shoot me a page", "kill the line", "I could murder a burger", "dead tired", "I'm dead lol",
		"drop dead gorgeous", "my pager is going to be the death of me", "the cake is to die for",
		"kill two birds with one stone", "code brown in 4", "ugh, shoot me now",
		"I'd rather die than present at M&M", "cut myself some slack", "I'd kill for a coffee",
		"I'm going to kill my co-intern if he steals my pens again lol",
	} {
		t.Run(msg, func(t *testing.T) {
			runAssessCases(t, []assessCase{{msg, nil, msg, None, "", 0}})
		})
	}
	runAssessCases(t, []assessCase{
		{"rather be dead than keep living", nil, "I'd rather be dead than keep living like this", Urgent, SuicidalIdeation, 1},
		{"idiom does not hide a disclosure", nil, "this shift is killing me and honestly I want to die", Urgent, SuicidalIdeation, 1},
	})
}

func TestCategoriesAndCSSRS(t *testing.T) {
	runAssessCases(t, []assessCase{
		{"passive wish = 1", nil, "I wish I wouldn't wake up", Urgent, SuicidalIdeation, 1},
		{"burden = 1", nil, "everyone would be better off without me", Urgent, SuicidalIdeation, 1},
		{"active = 2", nil, "I want to kill myself", Urgent, SuicidalIdeation, 2},
		{"method thought = 3", nil, "I keep thinking about jumping off the parking garage", Urgent, SuicidePlanOrIntent, 3},
		{"intent = 4", nil, "I'm going to kill myself", Emergency, SuicidePlanOrIntent, 4},
		// A time without a method is intent (4); a plan needs a method too (C-SSRS).
		{"intent with timing = 4", nil, "I want to kill myself tonight", Emergency, SuicidePlanOrIntent, 4},
		{"method calculation = 5", nil, "I've worked out how many units of insulin", Emergency, SuicidePlanOrIntent, 5},
		{"pyxis = 5", nil, "I know which drugs in the pyxis would do it", Emergency, SuicidePlanOrIntent, 5},
		{"letters = 6", nil, "I wrote letters to my family", Emergency, SuicidePlanOrIntent, 6},
		{"overdose in progress = 6", nil, "I took the whole bottle", Emergency, SuicidePlanOrIntent, 6},
		{"overdose count = 6", nil, "I already took 40 of them", Emergency, SuicidePlanOrIntent, 6},
		{"self harm", nil, "I've been cutting again", Urgent, SelfHarm, 0},
		{"harm to others intent", nil, "I brought my gun to work today", Emergency, HarmToOthers, 0},
		{"impaired practice", nil, "I'm drunk at work right now", Urgent, ImpairedPractice, 0},
		{"diversion", nil, "I've been pocketing the fentanyl waste", Urgent, ImpairedPractice, 0},
		{"drowsy driving", nil, "I fell asleep at the wheel driving home after call", Urgent, SevereImpairment, 0},
		{"days without sleep", nil, "haven't slept in 3 days", Urgent, SevereImpairment, 0},
		{"assault", nil, "my attending grabbed me in the call room", Urgent, AbuseOrAssault, 0},
		{"psychosis", nil, "I'm hearing voices telling me things", Urgent, AcuteCrisis, 0},
		{"dissociation with fear", nil, "nothing feels real and I'm scared of what I'll do", Urgent, AcuteCrisis, 0},
		{"human", nil, "can I talk to a real person", Urgent, RequestForHuman, 0},
		{"is there a human", nil, "is there a human", Urgent, RequestForHuman, 0},
		{"someone real", nil, "I need to talk to someone real", Urgent, RequestForHuman, 0},
		{"concern only", nil, "I'm so burnt out, I cry in the car every day", Concern, Distress, 0},
	})
}

func TestMemory(t *testing.T) {
	runAssessCases(t, []assessCase{
		{"hopeless then means", []string{"I can't keep doing this, nothing will get better"}, "I have a lot of propofol access", Emergency, SuicidePlanOrIntent, -1},
		{"ideation then timing", []string{"I've been thinking about ending it"}, "tonight, after my shift", Emergency, SuicidePlanOrIntent, 4},
		{"retraction keeps level", []string{"I want to die"}, "never mind, I'm fine", Urgent, SuicidalIdeation, 1},
		{"topic change keeps level", []string{"I've had thoughts of killing myself"}, "anyway what's a good podcast", Urgent, SuicidalIdeation, 2},
		{"ideation then decided", []string{"I keep thinking about suicide"}, "I've decided", Emergency, SuicidePlanOrIntent, 4},
		{"distress only", []string{"I'm so tired of this rotation"}, "any tips for sleep after nights?", None, "", 0},
		{"clinical means after venting", []string{"rough night"}, "the potassium was 7.2 and we gave insulin", None, "", 0},
	})
	c := testClassifier(t)
	a, err := c.Assess(context.Background(), []Turn{{AuthorResident, "I want to die"}}, "never mind")
	if err != nil {
		t.Fatal(err)
	}
	var mem int
	for _, e := range a.Evidence {
		if e.Layer == LayerMemory {
			mem++
			if e.Start != -1 || e.End != -1 {
				t.Errorf("memory evidence has offsets %d,%d", e.Start, e.End)
			}
		}
	}
	if mem == 0 {
		t.Errorf("no memory evidence: %+v", a.Evidence)
	}
	// An assistant question answered with "yes".
	a, _ = c.Assess(context.Background(), []Turn{
		{AuthorResident, "I'm struggling"},
		{AuthorAssistant, "Are you having thoughts of suicide?"},
	}, "yeah, sometimes")
	if a.Level < Urgent || !hasCategory(a, SuicidalIdeation) {
		t.Errorf("affirmation after a suicide question not escalated: %+v", a)
	}
}

// TestRuleExamples checks every rule's examples and non_examples from the
// rule files, so a rule's documentation cannot drift from its behaviour.
func TestRuleExamples(t *testing.T) {
	c := testClassifier(t)
	for i := range c.rules.rules {
		r := &c.rules.rules[i]
		for _, ex := range r.spec.Positives {
			if !ruleFires(c, r, ex) {
				t.Errorf("%s: example %q does not fire", r.id, ex)
			}
		}
		for _, ex := range r.spec.Negatives {
			if ruleFires(c, r, ex) {
				t.Errorf("%s: non-example %q fires", r.id, ex)
			}
		}
	}
}

func ruleFires(c *Classifier, r *rule, text string) bool {
	nt := c.rules.norm.normalize(text)
	for _, f := range c.rules.scan(r.target, &nt, text, scanContext{}) {
		if f.rule == r {
			return true
		}
	}
	return false
}

type fakeLayer struct {
	name string
	a    Assessment
	err  error
	pan  bool
}

func (f fakeLayer) Name() string { return f.name }
func (f fakeLayer) Assess(context.Context, []Turn, string) (Assessment, error) {
	if f.pan {
		panic("boom")
	}
	return f.a, f.err
}

func TestLayers(t *testing.T) {
	msg := "I want to kill myself"
	tests := []struct {
		name      string
		layer     Layer
		wantLevel Level
		wantErr   string
	}{
		{"error keeps rules verdict", fakeLayer{name: "model", err: errors.New("time-out")}, Urgent, "model layer: time-out"},
		{"panic keeps rules verdict", fakeLayer{name: "model", pan: true}, Urgent, "model layer: panic: boom"},
		{"lower verdict cannot lower", fakeLayer{name: "model", a: Assessment{Level: None}}, Urgent, ""},
		{"higher verdict raises", fakeLayer{name: "model", a: Assessment{Level: Emergency, Evidence: []Evidence{{RuleID: "m1", Category: SuicidePlanOrIntent, Level: Emergency}}}}, Emergency, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(WithLayer(tt.layer))
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.Assess(context.Background(), nil, msg)
			if err != nil {
				t.Fatalf("Assess returned error for an optional layer failure: %v", err)
			}
			if a.Level != tt.wantLevel {
				t.Errorf("level = %v, want %v", a.Level, tt.wantLevel)
			}
			if tt.wantErr != "" && (len(a.Errors) != 1 || !strings.Contains(a.Errors[0], tt.wantErr)) {
				t.Errorf("errors = %q, want one containing %q", a.Errors, tt.wantErr)
			}
			if tt.wantErr == "" && len(a.Errors) != 0 {
				t.Errorf("unexpected errors %q", a.Errors)
			}
			for _, e := range a.Evidence {
				if e.Layer == "" {
					t.Errorf("evidence without layer: %+v", e)
				}
			}
		})
	}
	if _, err := New(WithLayer(nil)); err == nil {
		t.Error("New accepted a nil layer")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _ := New(WithoutLearned(), WithLayer(fakeLayer{name: "model", a: Assessment{Level: Emergency}}))
	a, err := c.Assess(ctx, nil, msg)
	if err != nil || a.Level != Urgent || len(a.Errors) != 1 {
		t.Errorf("cancelled context: level %v errors %q err %v", a.Level, a.Errors, err)
	}
}

func TestRulesLayerFailureFailsClosed(t *testing.T) {
	c := testClassifier(t)
	c.rules.matchers = nil // simulate a broken rules layer
	a, err := c.Assess(context.Background(), nil, "hello")
	if err == nil {
		t.Fatal("no error from a broken rules layer")
	}
	if !a.Level.ForcesHandoff() {
		t.Errorf("broken rules layer did not fail closed: %v", a.Level)
	}
}

func TestBadRuleFiles(t *testing.T) {
	tests := map[string]string{
		"no version":       "rules:\n  - id: a\n    category: distress\n    level: concern\n    patterns: [x]\n",
		"bad category":     "version: v\nrules:\n  - id: a\n    category: nope\n    level: concern\n    patterns: [x]\n",
		"bad level":        "version: v\nrules:\n  - id: a\n    category: distress\n    level: high\n    patterns: [x]\n",
		"bad regex":        "version: v\nrules:\n  - id: a\n    category: distress\n    level: concern\n    patterns: ['(']\n",
		"unknown macro":    "version: v\nrules:\n  - id: a\n    category: distress\n    level: concern\n    patterns: ['<NOPE>']\n",
		"duplicate id":     "version: v\nrules:\n  - {id: a, category: distress, level: concern, patterns: [x]}\n  - {id: a, category: distress, level: concern, patterns: [y]}\n",
		"unknown field":    "version: v\nrulez: []\n",
		"cssrs wrong kind": "version: v\nrules:\n  - {id: a, category: distress, level: concern, cssrs: 2, patterns: [x]}\n",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := mapFS{"r/a.yaml": body}
			if _, err := New(withRules(fsys, "r")); err == nil || !strings.HasPrefix(err.Error(), "safety: ") {
				t.Errorf("New = %v, want a safety: error", err)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	c := testClassifier(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				a, _ := c.Assess(context.Background(), []Turn{{AuthorResident, "nothing will get better"}}, "I have insulin at home")
				if a.Level < Urgent {
					t.Errorf("concurrent assess level %v", a.Level)
					return
				}
				if v, _ := c.CheckReply(context.Background(), "take 10 of your 50mg tabs"); v.Safe {
					t.Error("concurrent CheckReply passed dosing")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestVersionFormat(t *testing.T) {
	if !regexp.MustCompile(`^rules-\d{4}\.\d+\.\d+$`).MatchString(testClassifier(t).Version()) {
		t.Errorf("version %q", testClassifier(t).Version())
	}
}
