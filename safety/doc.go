// Package safety is Nightfloat's safety classifier. Every resident message
// passes through Classifier.Assess before the assistant answers, and every
// assistant reply (or streamed sentence) through Classifier.CheckReply before
// it is shown.
//
// # The contract
//
//   - Level (level.go): None, Concern (distress; answer supportively with
//     resources), Urgent (a red flag; a clinician takes over,
//     Level.ForcesHandoff), Emergency (imminent danger; hand off and show
//     emergency resources first). Emergency is imminent danger only: fear of
//     harming a patient by mistake, exhaustion or an episode that is over are
//     not emergencies.
//   - Category (category.go): what a finding is about.
//   - Assessment and Evidence (assessment.go): the verdict, every finding with
//     its layer, rule and the resident's own words, and the C-SSRS screener
//     item (1 wish to be dead ... 6 recent behaviour) of suicide findings.
//   - Memory (memory.go): the red flags and signals of the whole conversation,
//     however long, which the caller stores with each assessment
//     (Memory.Remember) and passes to AssessConversation. Remembered signals
//     combine with new ones; a retraction never lowers a level; a clinician's
//     resolution says how later signals combine with what was remembered.
//   - Third-party risk has its own categories: third_party_danger (someone
//     else in danger now: emergency), colleague_impaired (a clinician
//     impaired while caring for patients now: emergency) and
//     third_party_worry (not imminent: concern). Patients are clinical
//     context (rules/27_third_party.yaml).
//   - Layers (layer.go) merge upward only (Merge): no layer can lower a
//     verdict. An optional layer's error or panic is recorded in
//     Assessment.Errors and the verdict stands; a failure of the rules layer
//     returns an error with an Urgent assessment, so callers fail closed.
//
// # The layers
//
//   - Rules (always on): the precise, explainable layer. Rule files
//     rules/*.yaml (embedded, versioned by "version" in 00_lexicon.yaml) are
//     compiled once at New; the engine normalises the text, finds candidate
//     patterns with a literal prefilter, checks idioms, negation and
//     attribution around each match, combines concept signals within a
//     sentence or a few sentences (concepts.go, 60_concepts.yaml), and
//     carries red flags and signals forward from earlier turns (conversation
//     memory, 40_memory.yaml).
//   - Learned (on unless WithoutLearned): a logistic-regression model over
//     word and character n-grams (internal/learn), trained on a corpus of
//     public text written by others and on the project's cases, with
//     calibrated scores in three bands: handoff (Urgent), review (Concern; the
//     conversation is queued for clinician review) and none. Weights:
//     model/learned.bin; model card: docs/model-card.md; generalisation per
//     source: docs/sources.md.
//   - Model (optional, NewModelLayer with NIGHTFLOAT_SAFETY_MODEL): a chat
//     model asked for a structured verdict; its prompt is
//     prompts/model-layer-v1.txt.
//
// # Where to change what
//
//   - A phrase or concept the rules miss, or a false alarm: the right file
//     under rules/ (00_lexicon macros, negation and attribution words;
//     10_idioms; 2x message categories; 28_requests requests to the assistant
//     for a method of harm; 30_distress; 40_memory signals and combinations;
//     50_reply the output check; 60_concepts). Every rule carries examples
//     that must fire and non_examples that must not (TestRuleExamples). Bump
//     the version, add labelled cases to evals/cases (never to a blind
//     split), retrain the learned layer (its inputs depend on the rules), and
//     run go test ./safety/... ./evals/....
//   - The learned layer: go run ./safety/internal/train retrains it from
//     ../shared/training and evals/cases, measures it leave-one-source-out,
//     chooses its bands on those figures and rewrites the weights, the model
//     card and docs/sources.md (docs/training.md). TestCommittedModelIsCurrent
//     fails when the committed weights were not trained on the current inputs.
//   - Generalisation: nightfloat eval sources. Per-case gates: nightfloat eval
//     safety and evals/cases (docs/evals.md).
//
// It owns no table: the conversation memory it computes is stored by assistant. It defines
// the categories, and takes levels from the domain package, for every other package to
// use instead of re-listing them. It must not import assistant, retrieval, review, web or
// config.
package safety
