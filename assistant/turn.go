package assistant

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"nightfloat/internal/tick"
	"nightfloat/retrieval"
	"nightfloat/safety"
)

// runTurn answers one resident message. Whatever goes wrong, the resident is told plainly
// and given crisis resources: the turn fails closed, never open.
func (s *Service) runTurn(convID string, msg Message) {
	ctx, cancel := context.WithTimeout(s.base, s.opts.TurnTimeout)
	defer cancel()
	start := s.opts.Now()
	ctx = s.metrics.StartTurn(ctx, msg.CreatedAt)
	defer s.metrics.EndTurn(ctx)
	defer func() {
		if r := recover(); r != nil {
			s.failClosed(ctx, convID, msg, fmt.Errorf("panic in turn: %v\n%s", r, debug.Stack()))
		}
	}()
	stopRenew := s.renewLease(ctx, convID, msg.Seq)
	err := s.answer(ctx, convID, msg)
	stopRenew()
	if err != nil && s.base.Err() != nil {
		// Shutting down: leave the turn pending for the next server instead of failing it.
		s.metrics.Outcome(ctx, "released", nil)
		rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if rerr := s.store.ReleaseTurn(rctx, convID, msg.Seq); rerr != nil {
			s.logger.Warn("release interrupted turn", "conversation_id", convID, "seq", msg.Seq, "error", rerr)
		}
		return
	}
	if err != nil {
		s.failClosed(ctx, convID, msg, err)
		return
	}
	s.logger.Info("turn answered", "conversation_id", convID, "seq", msg.Seq, "duration_ms", s.opts.Now().Sub(start).Milliseconds())
}

// renewLease keeps the turn's lease alive while it runs, so that a short lease lets
// another replica take over quickly when this process dies, without stealing live turns.
func (s *Service) renewLease(ctx context.Context, convID string, seq int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick.Every(ctx, s.opts.TurnLease/3, func(time.Time) {
			if err := s.store.RenewLease(ctx, convID, seq, s.opts.TurnLease); err != nil && ctx.Err() == nil {
				s.logger.Warn("renew turn lease", "conversation_id", convID, "seq", seq, "error", err)
			}
		})
	}()
	return func() { cancel(); <-done }
}

// answer decides the turn and stores the outcome. When a clinician resolved the
// conversation's handoff while the turn was being decided, the store refuses the outcome
// and the turn is decided again on the conversation as it now stands. Only a resolution
// changes a conversation under a running turn, and a resolution needs a handoff that only
// this conversation's turns (run one at a time) can open, so a second attempt suffices;
// the third is a bound, not an expectation.
func (s *Service) answer(ctx context.Context, convID string, msg Message) error {
	for attempt := 1; ; attempt++ {
		err := s.decide(ctx, convID, msg, attempt > 1)
		if !errors.Is(err, errConversationChanged) || attempt == 3 {
			return err
		}
		s.logger.Info("conversation resolved while its turn was decided; deciding again", "conversation_id", convID, "seq", msg.Seq)
	}
}

// decide assesses the message on the conversation as it stands and stores the outcome.
// again is set when an earlier attempt was refused because a clinician resolved the
// handoff meanwhile; its assessment is then replaced, not added to.
func (s *Service) decide(ctx context.Context, convID string, msg Message, again bool) error {
	conv, err := s.store.Conversation(ctx, convID)
	if err != nil {
		return err
	}
	history, err := s.store.Recent(ctx, convID, msg.Seq-1, s.opts.HistoryMessages)
	if err != nil {
		return err
	}
	risk, err := s.store.RiskState(ctx, convID)
	if err != nil {
		return err
	}
	a, err := s.assess(ctx, risk.Memory, sinceReset(history, conv.RiskResetSeq), msg)
	if err != nil {
		return err
	}
	if err := s.store.RecordMessageAssessment(ctx, conv, msg.Seq, a, again); err != nil {
		return err
	}
	if !again {
		s.metrics.Assessed(a.Level.String())
	}
	s.logger.Info("message assessed", "conversation_id", convID, "seq", msg.Seq, "safety_level", a.Level.String(), "categories", a.Categories)
	switch {
	case conv.Mode == ModeHuman && a.Level.ForcesHandoff():
		// Already with a clinician: a new red flag can only raise the open handoff. Someone
		// else in danger now still gets the vetted reply on what to do at once.
		_, _, err := s.store.Escalate(ctx, conv, msg.Seq, a, s.crisis.thirdPartyReplies(a, msg.Seq)...)
		return err
	case conv.Mode == ModeHuman:
		// A clinician holds the conversation: the AI stays silent.
		_, err := s.store.completeTurn(ctx, convID, &conv, msg.Seq, TurnDone)
		return err
	case a.Level.ForcesHandoff():
		// This includes a message written to a clinician who resolved before it was
		// assessed: judged on its own (the resolved episode is forgotten), it is a red flag.
		return s.escalate(ctx, conv, msg, a)
	case msg.Seq < conv.RiskResetSeq && a.Level == safety.None:
		// Written to the clinician, who resolved the handoff after it: it was for them,
		// and the AI does not answer it. (Distress in it is answered below like any
		// other message: supportively with resources, or with the closed notice.)
		_, err := s.store.completeTurn(ctx, convID, &conv, msg.Seq, TurnDone)
		return err
	case conv.Mode == ModeClosed:
		_, err := s.store.completeTurn(ctx, convID, &conv, msg.Seq, TurnDone, Message{Author: AuthorSystem, Kind: KindCrisis, ReplyTo: msg.Seq,
			Body: "A clinician closed this conversation, so the AI won't answer here. Start a new conversation any time, or reach a person now:\n" + s.crisis.Text(safety.Concern)})
		if err == nil {
			s.referred(ctx, Referral{Kind: ReferralClosed, Level: a.Level, Categories: assessmentCategories(a)})
		}
		return err
	}
	return s.reply(ctx, conv, history, msg, a)
}

// sinceReset keeps the messages after a clinician's last resolution: the classifier's
// memory of an episode ends when a clinician closes it.
func sinceReset(history []Message, reset int64) []Message {
	for i, m := range history {
		if m.Seq > reset {
			return history[i:]
		}
	}
	return nil
}

// assess runs the classifier with the conversation's memory (its risk state) and the
// recent turns; a panic inside it is an error like any other.
func (s *Service) assess(ctx context.Context, mem safety.Memory, history []Message, msg Message) (a safety.Assessment, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("assistant: classifier panicked: %v", r)
		}
	}()
	turns := make([]safety.Turn, len(history))
	for i, m := range history {
		turns[i] = safety.Turn{Author: m.Author, Text: m.Body}
	}
	a, err = assessWith(ctx, s.classifier, mem, turns, msg.Body)
	if err != nil {
		return a, fmt.Errorf("assistant: classify: %w", err)
	}
	return a, nil
}

// escalate hands the conversation to a human: the AI produces nothing more in it.
func (s *Service) escalate(ctx context.Context, conv Conversation, msg Message, a safety.Assessment) error {
	body := "I'm connecting you with a clinician now — a person, not the AI. While you wait, you can reach someone right away:\n" + s.crisis.Text(a.Level)
	notice := Message{Author: AuthorSystem, Kind: KindHandoff, Body: body, ReplyTo: msg.Seq,
		Meta: map[string]any{"level": a.Level.String(), "categories": a.Categories}}
	// About someone else in danger now: what to do comes first, then the handoff.
	notices := append(s.crisis.thirdPartyReplies(a, msg.Seq), notice)
	id, _, err := s.store.Escalate(ctx, conv, msg.Seq, a, notices...)
	if err != nil {
		return err
	}
	s.logger.Warn("handoff opened", "conversation_id", conv.ID, "handoff_id", id, "safety_level", a.Level.String(), "categories", a.Categories)
	s.metrics.Outcome(ctx, "handoff", nil)
	s.referred(ctx, Referral{Kind: ReferralHandoff, Level: a.Level, Categories: assessmentCategories(a)})
	s.afterHandoff(id)
	return nil
}

// reply retrieves vetted content, lets the responder write, and checks every sentence
// before it is streamed and the whole reply before it is stored.
func (s *Service) reply(ctx context.Context, conv Conversation, history []Message, msg Message, a safety.Assessment) error {
	var pre []Message
	asked := AsksIfHuman(msg.Body)
	if !asked && (conv.DisclosedAt == nil || s.opts.Now().Sub(*conv.DisclosedAt) >= s.opts.DisclosureEvery) {
		pre = append(pre, Message{Author: AuthorSystem, Kind: KindDisclosure, Body: s.crisis.Disclosure(), ReplyTo: msg.Seq})
	}
	sources, err := s.retriever.Search(ctx, conv.Role, msg.Body, s.opts.Sources)
	if err != nil {
		return fmt.Errorf("assistant: retrieve: %w", err)
	}
	req := Request{Conversation: conv, History: history, Message: msg, Assessment: a, Sources: sources, AskedIfHuman: asked}
	g := &gate{ctx: ctx, check: s.classifier.CheckReply, send: func(piece string) {
		s.hub.Publish(Event{Kind: EventDelta, ConversationID: conv.ID, Seq: msg.Seq, Text: piece})
	}}
	stopResponder := s.metrics.Responder(ctx)
	rep, err := s.responder.Respond(ctx, req, g.write)
	stopResponder()
	s.metrics.ModelReply(rep.Note, NoteModelUnavailable, NoteCutShort)
	if err == nil {
		err = g.flush()
	}
	out := Message{Author: AuthorAssistant, Kind: KindText, ReplyTo: msg.Seq, Body: rep.Text,
		Citations: citationsFor(rep.Cited, sources),
		Meta:      map[string]any{"prompt_id": rep.PromptID, "prompt_version": rep.PromptVersion, "model": rep.Model, "sources": sourceScores(sources)}}
	switch {
	case errors.Is(err, errWithheld):
		out = s.withheld(msg, rep, g.failed)
	case err != nil:
		return err
	default:
		// The stream was checked sentence by sentence; the whole reply is checked once more.
		v, err := s.classifier.CheckReply(ctx, rep.Text)
		if err != nil {
			return fmt.Errorf("assistant: check reply: %w", err)
		}
		if !v.Safe {
			out = s.withheld(msg, rep, &v)
		} else {
			// Recorded so that an audit can prove every reply shown was checked.
			out.Meta["output_checked"] = true
		}
		if rep.Note != "" {
			out.Body += "\n\n" + rep.Note
		}
	}
	if len(pre) > 0 || asked {
		if err := s.store.MarkDisclosed(ctx, conv.ID); err != nil {
			return err
		}
	}
	// Refused when the conversation changed while the reply was written: a screen's item-9
	// answer handed it to a clinician, and the AI says nothing more (the turn is decided again).
	_, err = s.store.completeTurn(ctx, conv.ID, &conv, msg.Seq, TurnDone, append(pre, out)...)
	if errors.Is(err, errConversationChanged) {
		return err
	}
	s.metrics.Outcome(ctx, out.Kind, err)
	if err == nil && (out.Kind == KindWithheld || a.Level == safety.Concern) {
		kind := ReferralConcern
		if out.Kind == KindWithheld {
			kind = ReferralWithheld
		}
		s.referred(ctx, Referral{Kind: kind, Level: a.Level, Categories: assessmentCategories(a)})
	}
	return err
}

// withheld replaces a reply that failed the output check with a safe message, and keeps
// the reasons (never the text) for reviewers.
func (s *Service) withheld(msg Message, rep Reply, v *safety.Verdict) Message {
	var reasons []safety.Evidence
	if v != nil {
		reasons = v.Reasons
	}
	return Message{Author: AuthorSystem, Kind: KindWithheld, ReplyTo: msg.Seq,
		Body: "I started to write a reply that didn't meet our safety rules, so I stopped it. A clinician will review this conversation. " +
			"If you'd like to talk to a person now:\n" + s.crisis.Text(safety.Concern),
		Meta: map[string]any{"withheld": true, "reasons": reasons, "prompt_id": rep.PromptID, "model": rep.Model}}
}

// failClosed records a failed turn with a visible message and crisis resources. When even
// that cannot be stored (the database is down) the resident is told live, and the turn
// stays pending so that it is answered once the database is back.
func (s *Service) failClosed(ctx context.Context, convID string, msg Message, cause error) {
	s.logger.Error("turn failed; gave the resident crisis resources", "conversation_id", convID, "seq", msg.Seq, "error", cause)
	s.metrics.Outcome(ctx, "failed", nil)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	notice := Message{Author: AuthorSystem, Kind: KindError, ReplyTo: msg.Seq, Body: s.crisis.FailureMessage()}
	if _, err := s.store.CompleteTurn(wctx, convID, msg.Seq, TurnFailed, notice); err != nil {
		s.logger.Error("could not record the failed turn", "conversation_id", convID, "seq", msg.Seq, "error", err)
		s.metrics.DBError("fail_closed")
		s.hub.Publish(Event{Kind: EventFailure, ConversationID: convID, Seq: msg.Seq, Text: s.crisis.FailureMessage()})
	} else {
		s.referred(wctx, Referral{Kind: ReferralFailClosed})
	}
}

func citationsFor(ids []string, sources []retrieval.Result) []Citation {
	var out []Citation
	for _, id := range ids {
		for _, r := range sources {
			if r.ChunkID == id {
				out = append(out, Citation{ChunkID: r.ChunkID, DocID: r.DocID, Title: r.Title, Heading: r.Heading,
					ReviewedBy: r.ReviewedBy, ReviewedOn: r.ReviewedOn, Status: r.Status})
				break
			}
		}
	}
	return out
}

func sourceScores(sources []retrieval.Result) []map[string]any {
	out := make([]map[string]any, len(sources))
	for i, r := range sources {
		out[i] = map[string]any{"chunk_id": r.ChunkID, "score": r.Score}
	}
	return out
}
