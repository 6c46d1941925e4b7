// Package insights holds the reads that span table owners and the aggregates built from
// them: the supervisor dashboard and its agreement figure (Cohen's kappa), the conversations
// the review sampler may queue, the handoff gauges /metrics serves and the annual
// crisis-referral report. Each answers with counts or typed rows, never with text a
// resident typed.
//
// It owns no table and writes nothing: every function takes a DB, which can only query.
// The tables it reads belong to assistant, review and clinician, which alone write them.
// Levels, safety categories and evidence layers come from nightfloat and safety, and
// referral kinds from nightfloat; the few words of other owners it matches in SQL (a
// handoff's status, a message's kind, a review's rating) are named once in vocabulary.go and
// a test holds them equal to the owners' constants.
//
// It must not import assistant, review, clinician, web, cmd or config, nor any package
// that writes: it may import nightfloat, safety, postgres and redact. Only web, cmd, review
// and metrics import it.
package insights
