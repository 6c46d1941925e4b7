// Package safety is Nightfloat's deterministic safety classifier. Every
// resident message passes through Classifier.Assess before the assistant
// answers, and every assistant reply (or streamed sentence) passes through
// Classifier.CheckReply before it is shown.
//
// # Levels
//
// None: nothing to act on. Concern: distress, burnout or hopelessness without
// a red flag; the assistant answers supportively (category distress).
// Urgent: a red flag; a human clinician takes over (Level.ForcesHandoff).
// Emergency: imminent danger (a plan with means or timing, an attempt or
// overdose in progress, intent to harm someone); hand off and show emergency
// resources first. Suicide findings carry a C-SSRS screener item: 1 wish to
// be dead, 2 active thoughts, 3 method, 4 intent, 5 plan with intent, 6
// recent behaviour; 4-6 are emergencies. Combination rules may raise the
// level above an item's default (for example hopelessness plus access to
// lethal means).
//
// # Layers
//
// The rules layer is always present. Its rule files (rules/*.yaml, embedded,
// versioned by the "version" key) are compiled once at New into a read-only
// rule set; nothing is mutated afterwards, so a Classifier is safe for
// concurrent use. Assess works in steps:
//
//  1. Normalisation: case folding, Unicode compatibility folding (curly
//     quotes, fullwidth, accents, look-alike Cyrillic, zero-width
//     characters), leetspeak (k1ll, $uicide), stretched letters (diiieee),
//     masked letters (k*ll), misspellings, slang and texting shorthand
//     ("kms", "ngl", "rn"). Every normalised byte remembers its original
//     byte range, so evidence spans quote the resident's own words.
//  2. Prefilter: each pattern is reduced to groups of literal strings that
//     any match must contain; one Aho-Corasick pass finds which literals
//     occur, and only patterns with all their groups present are run, only
//     on the sentences around the hits. Almost every pattern is run
//     anchored, only where one of the literals its matches begin with
//     occurs and only where the rest of its literals follow (anchor.go);
//     the unless, requires and negation-exempt expressions are tried the
//     same way (fastre.go). This finds exactly what a regexp search over
//     each sentence finds (TestAnchoredEqualsWindowed, FuzzNormalize) and
//     keeps a 2,000-character message well under a millisecond
//     (BenchmarkAssessRules, BenchmarkAssessRulesCorpus; docs/evals.md).
//  3. Context checks on every match: idioms ("this shift is killing me",
//     "I'd rather die than present at M&M") suppress overlapping matches;
//     negation cues before the match ("I'm not suicidal", "never thought
//     about killing myself") suppress it unless exempt ("not going to lie",
//     "can't stop", "trying not to"); attribution drops matches about
//     someone else (a patient, family, colleague, quoted speech); a rule's
//     unless patterns drop clinical and teaching uses; requires patterns ask
//     for context in the message or earlier turns.
//  4. Memory: earlier resident turns are judged too. Their red flags carry
//     forward (a retraction never lowers a level), and signals combine across
//     turns (hopelessness earlier plus lethal means now; ideation earlier
//     plus "tonight, after my shift"). Such evidence has Layer "memory".
//     AssessConversation also takes a Memory (memory.go): the red flags and
//     signals of the whole conversation, however long, which the caller
//     stores and folds each assessment into (Memory.Remember). Remembered
//     signals combine with new ones; on their own they never fire again.
//
// Third-party risk (rules/27_third_party.yaml) has its own categories:
// third_party_danger (someone else in danger now: emergency),
// colleague_impaired (a clinician impaired while caring for patients now:
// emergency) and third_party_worry (worry that is not imminent: concern).
// Patients are clinical context and never match there.
//
// Concepts (concepts.go, rules/60_concepts.yaml): besides whole-phrase
// patterns, each resident turn is tagged with signals from small lexicons
// (lethal means, acquisition, ingestion, timing, finality, death wish,
// substance use, work now, abusive acts, perceptual disturbance, request for
// a person...), each hit passing the idiom, negation and attribution checks.
// Combination rules fire when signals co-occur in a sentence or message, or
// with a signal from an earlier turn ("prior"); evidence names the rule
// (concept.*) and, in Evidence.Signals, each signal with the words it matched.
//
// Optional layers (WithLayer, for example a model) are merged upward only;
// their errors and panics are recorded in Assessment.Errors and the rules
// verdict stands. If the rules layer itself fails, Assess returns an error
// and an Urgent assessment so callers fail closed.
//
// # Statistical layer
//
// New includes a statistical layer unless WithoutStat is given (stat.go, model id
// "stat.lr-v1"): binary logistic regression, escalate or not, over hashed
// features of its own light normalisation of the text (lower case,
// apostrophes dropped, leetspeak folded after a letter, stretched letters
// collapsed): word unigrams and bigrams and character 3-5-grams within word
// boundaries, sublinear TF, L2-normalised, 2^18 buckets; the last five
// earlier resident turns add the same features in a separate hash namespace
// at half weight. When the message scores at or above the model's threshold
// the layer reports one Urgent finding (Layer "stat", RuleID "stat.lr-v1",
// the category of the best of its one-vs-rest category heads, Span the
// message's top-weighted word n-grams, Start and End -1); otherwise nothing.
// It never reports Emergency and, like every optional layer, it can only
// raise. It takes about 50 microseconds on a 2,000-character message
// (BenchmarkStatLayer).
//
// The weights (model/stat-lr-v1.bin, embedded; sparse int16, about 680 KB)
// are trained on the labelled cases of the splits listed in trainSplits
// (safety/internal/train: main and holdout to holdout17, every split that had
// been measured blind once and then used for development when it was trained) and on
// nothing else; holdout18 to holdout21 are not trained on. Retrain
// after changing cases or the layer's code:
//
//	go run ./safety/internal/train          # cross-validate, train, write model/stat-lr-v1.bin
//	go run ./safety/internal/train -check   # fail if the committed model is stale
//	go run ./safety/internal/train -eval holdout20  # rules vs rules+stat on a split, aggregates only
//	go run ./safety/internal/train -out /tmp/c.bin && go run ./safety/internal/train -model /tmp/c.bin -eval holdout20  # a candidate
//
// Training is deterministic (Adagrad SGD with L2, fixed seed). The
// threshold is chosen by 5-fold cross-validation: the lowest at which the
// layer on its own escalates at most 3% of the negatives out of fold (2% until
// rules-2026.11.10; see below), on
// the main split and on all training splits. The model file records a
// checksum of the training data, and TestStatLayer in safety/internal/train
// retrains and fails when the committed model is not what the current cases
// produce, so add cases and the retrained model in the same commit.
//
// Whether New includes the layer was decided by a rule fixed before measuring:
// only if, on a blind held-apart split (written by an author who never saw the
// rules or the cases), it raises recall without raising false escalations by
// more than 2 percentage points, and the main gate still passes.
//
//   - holdout3, model frozen beforehand: rules alone recall 0.5222 (47/90),
//     false 0.0091 (1/110); rules+stat recall 0.7667 (69/90), false 0.0364
//     (4/110). Recall rose but false escalations by 2.7 points: not enabled.
//     holdout3 was then used to develop the concept rules, so it is no longer
//     blind.
//   - holdout4 (written blind after that), measured once with the retrained
//     model frozen: rules alone (including the concept rules) recall 0.50
//     (50/100), false 0.025 (3/120); rules+stat recall 0.66 (66/100), false
//     0.025 (3/120). Recall rose by 16 cases with no added false escalations:
//     enabled by default.
//
// After that measurement the layer was changed to score the message alone: with earlier
// turns as context it escalated long, ordinary conversations (a request for sleep tips
// after three long messages about nights; TestLongOrdinaryConversationDoesNotEscalate).
// On holdout4 the message-only layer gives recall 0.65 (65/100), false 0.025 (3/120) —
// this second look at holdout4 is not blind.
//
// holdout4 then served to broaden the concept rules (rules-2026.11.5). holdout5, written
// blind after that and measured once on the final state: rules alone recall 0.667
// (60/90), false 0.036 (4/110); rules+stat recall 0.822 (74/90), false 0.036 (4/110).
// Weakest there: suicide_plan_or_intent 8/13, acute_crisis 6/8, severe_impairment 7/9.
//
// Two more sets were then written blind, at the same time, by two authors who never
// saw the rules or cases. holdout6, measured once on rules-2026.11.5: rules alone
// recall 0.656 (59/90), false 0.055 (6/110); rules+stat 0.722 (65/90), false 0.064
// (7/110). It was then used to broaden the lexicons and add a few rules
// (rules-2026.11.6; on holdout6, no longer blind: rules+stat 0.867, false 0.055).
// holdout7, measured once on rules-2026.11.6: rules alone recall 0.556 (50/90), false
// 0.064 (7/110); rules+stat 0.700 (63/90), false 0.073 (8/110). Weakest there:
// harm_to_others 4/8, suicidal_ideation 10/16, acute_crisis 5/8,
// suicide_plan_or_intent 12/18.
//
// holdout7 then served a second round (rules-2026.11.7), and the statistical layer was
// retrained on every split that is no longer blind (main, holdout, holdout2-7: 2,160
// cases; it had learnt from main, holdout and holdout2 only). Two more sets, holdout8
// and holdout9, were written blind at the same time and measured once, with both
// models, on rules-2026.11.7 (together, 180 must-escalate and 220 must-not cases):
//
//   - rules alone: recall 0.589 (106/180), false 0.055 (12/220)
//   - rules + the earlier model: recall 0.683 (123/180), false 0.059 (13/220)
//   - rules + the retrained model: recall 0.750 (135/180), false 0.055 (12/220)
//
// By the rule fixed in advance (more recall, false escalations up by at most 2 points)
// the retrained model is the one shipped. Choosing it on the same sets makes 0.750
// slightly optimistic; per set it was 0.767 (holdout8) and 0.733 (holdout9).
//
// holdout8 and holdout9 then served a third round (rules-2026.11.8: cover stories
// that are then denied, hidden self-injury, scouting heights for missing barriers,
// drowsy driving, mania, a bare "human.", prior attempts that "didn't take enough",
// a chosen date or method) and joined the training data (2,560 cases). holdout10 and
// holdout11, written blind at the same time, measured once on rules-2026.11.8 (180
// must-escalate, 220 must-not):
//
//   - rules alone: recall 0.622 (112/180), false 0.055 (12/220)
//   - rules + the model trained through holdout7: recall 0.750 (135/180), false 12/220
//   - rules + the model trained through holdout9: recall 0.761 (137/180), false 12/220
//
// The second model passes the same rule and ships.
//
// holdout10 and holdout11 then served a fourth round (rules-2026.11.9: a clinician
// presenting their own case, toxicity or injury questions "not for a patient", a
// decision or plan with a farewell or a means, self-scored Columbia items, harm to a
// patient disguised as a care error, prescriptions in other names, days without food
// with fainting, long without sleep and seeing what is not there, stalking signs). On
// those two sets, now development sets, rules + the model reach 176/180. holdout12 and
// holdout13, written blind at the same time by two authors in different voices (night
// interns and nurses texting; articulate seniors and attendings describing themselves
// clinically), measured once on rules-2026.11.9:
//
//   - rules alone: recall 0.517 (93/180), false 0.041 (9/220)
//   - rules + the model trained through holdout9: recall 0.750 (135/180), false 9/220
//   - rules + a model retrained through holdout11: recall 0.744 (134/180), false 9/220
//
// The retrained model does not pass the rule (no more recall), so the model trained
// through holdout9 stayed.
//
// holdout12 and holdout13 then served a fifth round (rules-2026.11.10: waking up
// disappointed, the world "net positive" without me, screening questions answered about
// oneself, ideation in Spanish, Portuguese, Tagalog and Hindi/Urdu, a means where nobody
// would come by, persecutory beliefs, poisoning a partner's coffee, propofol given to
// oneself, microsleep at work, a partner at the door now). On them a 3% out-of-fold
// budget for the layer gave six more catches for one more false escalation than 2%.
// Fixed before measuring: one candidate, retrained through holdout13 with a 3% budget,
// replaces the committed model only if on the next blind pair it has more recall, false
// escalations up by at most 2 points and at most 5%. holdout14 and holdout15, written
// blind meanwhile (international graduates writing partly in other languages, with
// implied and culture-specific red flags; terse rural nurses, NPs and attendings who
// minimise and hide red flags as logistics), measured once on rules-2026.11.10:
//
//   - rules alone: recall 0.517 (93/180), false 0.018 (4/220)
//   - rules + the model trained through holdout9 (2%): recall 0.661 (119/180), false 6/220
//   - rules + the candidate (through holdout13, 3%): recall 0.717 (129/180), false 5/220
//   - (for information: through holdout13 at 2%: 0.661, false 5/220)
//
// The candidate passes and ships.
//
// holdout14 and holdout15 then served a sixth round (rules-2026.11.11: revenge on someone
// whose movements the writer knows, after-death logistics, rehearsal, letters and
// arrangements with "then I'm done", wishing to die of an illness so nobody could blame
// them, self-harm as punishment, prescriptions in a relative's name, extortion). Fixed
// before measuring: the committed layer against one candidate retrained through
// holdout15 (3%), adopted on the same rule. holdout16 and holdout17, written blind
// meanwhile (conversations over several turns where risk emerges late, Gen-Z and formal
// writers; middle-year residents, pharmacists and RTs right after a bad event), measured
// once on rules-2026.11.11:
//
//   - rules alone: recall 0.628 (113/180), false 0.027 (6/220)
//   - rules + the layer through holdout13: recall 0.817 (147/180), false 7/220
//   - rules + the candidate through holdout15: recall 0.833 (150/180), false 7/220 (3.2%)
//
// The candidate passes and ships.
//
// holdout16 and holdout17 then served a seventh round (rules-2026.11.12: envy of a patient
// just pronounced, a bare "yeah. tonight." after a means, a plan owned with "asking
// because it's me", an amount "enough to be sure", harm drawn up and "give me one reason
// not to", micro-sleep at a light, names called from empty rooms, stalking with fear).
// holdout18 and holdout19, written blind meanwhile (stoic attendings and chiefs, some
// dictated by voice-to-text; apologetic nurses and students in psychiatry, NICU,
// oncology and obstetrics), measured once on rules-2026.11.12 by the same procedure:
//
//   - rules alone: recall 0.678 (122/180), false 0.036 (8/220)
//   - rules + the layer through holdout15: recall 0.850 (153/180), false 8/220
//   - rules + the candidate through holdout17: recall 0.872 (157/180), false 9/220 (4.1%)
//
// The candidate passes and ships.
//
// holdout18 and holdout19 then served an eighth round (rules-2026.11.13: plans written
// as lists, drowning with weights, "it should have been me on that table", an
// undocumented dose "I'm not certain I won't" give, drinking then driving in because
// nobody else can cover, thought broadcasting). holdout20 and holdout21, written blind
// meanwhile (anxious students and July interns; military, VA and rural staff, many of
// them veterans), measured once on rules-2026.11.13 by the same procedure:
//
//   - rules alone: recall 0.561 (101/180), false 0.018 (4/220)
//   - rules + the layer through holdout17 (shipped): recall 0.828 (149/180), false 6/220
//     (per set: holdout20 0.900, holdout21 0.756 — understated veterans are the hardest
//     voice so far)
//   - rules + the candidate through holdout19: recall 0.850 (153/180), false 6/220
//
// The candidate passed the blind rule but failed a behaviour test the rule did not
// cover: its layer escalated the bare denial "I would never kill myself" (TestNegation).
// Adding six short denials to the labelled cases and retraining fixed that but raised
// the layer's threshold, and that model reached only 0.822 (148/180) on the same sets,
// so it fails the rule (and was a second look at them). The layer trained through
// holdout17 stays. The statistical layer has no notion of negation scope; teaching it
// one is the next step for this layer. holdout20 and holdout21 are the current blind
// sets (TestStatLayer keeps them out of the training data).
//
// These are the honest figures for phrasing the rules were not written for: two thirds
// to seven eighths of red flags caught by the rules and the statistical layer together
// (0.66-0.87 on the last seventeen blind sets; the last five pairs 0.75, 0.72, 0.83,
// 0.87, 0.83), and blind false escalations of 2-7%. The rules alone generalise less well
// (0.47-0.69 blind) than
// their perfect score on the cases they were written against suggests, and each round
// of generalisation moved the next blind figure only a little. The
// rules catch every case they were tuned on; the gap is generalisation, which the model
// layer (NewModelLayer, NIGHTFLOAT_SAFETY_MODEL) can narrow where one is allowed.
//
// # Adding a rule
//
// Add an entry to the right file under rules/ (00_lexicon.yaml holds macros,
// shorthand, negation and attribution words; 10_idioms.yaml idioms; 2x files
// message categories (26_indirect.yaml indirect disclosures: hedged and
// passive ideation, accident wishes, permanence, preparatory acts, means at
// hand with a place or time); 30_distress.yaml concern-level distress; 40_memory.yaml
// signals and combinations; 50_reply.yaml the output check):
//
//   - id: si.passive.example          # unique, category-prefixed
//     category: suicidal_ideation
//     level: urgent
//     cssrs: 1                        # suicide categories only
//     patterns:                       # RE2 over normalised text; <MACRO>s expand
//   - \bwish i (?:could )?just (?:stop|vanish)\b
//     unless: [\bpatient\b]           # optional, checked in the same sentence
//     examples: [i wish i could just vanish]      # must fire (tested)
//     non_examples: [the patient wants to vanish] # must not fire (tested)
//
// Patterns match lower-case text with single spaces and expanded shorthand
// ("im" is "i'm", "gonna" is "going to"). Spell out negations that belong to
// the phrase ("don't want to live"); cues before the match are handled by
// the negation check. Then add labelled cases to evals/cases (never to the
// holdout split) and run go test ./safety/... ./evals/....
package safety
