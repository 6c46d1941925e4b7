// Package review is clinical oversight of what the AI said: the sampler that chooses
// conversations for review (handoffs, withheld replies, resident feedback, uncertain
// verdicts and a deterministic random share), the reviewers' queue with claims and blind
// double review, the rubric and turn marks, Cohen's kappa between reviewers, and the export
// of reviewed turns as draft eval cases.
//
// It owns the review_* tables and reviews, and names no other table: transcripts come from
// their owner through Conversations (assistant.Store), reviewers' names through Reviewers
// (clinician.Accounts), and sampling candidates from insights. Every transcript a reviewer
// opens is redacted here and audited in the same transaction. It must not import web or
// config.
package review
