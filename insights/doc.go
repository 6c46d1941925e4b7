// Package insights holds the reads that span table owners and the aggregates built from
// them: the supervisor dashboard and its agreement figure (Cohen's kappa), the conversations
// the review sampler may queue, the handoff gauges /metrics serves, the annual
// crisis-referral report and leadership's weekly trends (trends.go: minimum cell,
// complementary suppression, aligned ISO weeks). Each answers with counts or typed rows,
// never with text a resident typed.
//
// It owns no table and writes nothing: every read takes a DB, which offers queries only.
// The tables it reads belong to assistant, review and pulse, which alone write them.
// Levels, safety categories and evidence layers come from nightfloat and safety, never typed
// again; the few words of other owners it matches in SQL or names in a report (a handoff's
// status, a message's kind, a review's rating, a referral's kind) are named once in
// vocabulary.go, and a test holds them equal to the owners' constants.
//
// It must not import assistant, review, clinician, web, cmd or config, nor any package
// that writes: it may import nightfloat, safety, postgres and redact. Only web, cmd, review
// and metrics import it.
package insights
