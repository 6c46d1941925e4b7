package assistant

import (
	"context"
	"log/slog"
	"nightfloat"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"nightfloat/internal/tick"
	"nightfloat/metrics"
	"nightfloat/selfhelp"
)

// Options tune the service; zero values take the defaults in NewService.
type Options struct {
	TurnTimeout        time.Duration // bound on one turn
	TurnLease          time.Duration // how long a turn's owner may go silent before another replica takes it over
	DisclosureEvery    time.Duration // repeat the AI disclosure after this long
	MaxMessageChars    int
	RateLimitPerMinute int
	HistoryMessages    int           // earlier messages given to the classifier and responder
	Sources            int           // retrieved chunks per turn
	ReAlertAfter       time.Duration // re-alert and re-page a handoff nobody has claimed after this long
	UnattendedAfter    time.Duration // tell the resident plainly when nobody has claimed it after this long
	ScreenReplyWithin  time.Duration // a counsellor answers a screen within this long (the resident is told so)
	ScreenReAlertEvery time.Duration // re-alert an overdue screen this often until it is answered
	ScreensPerHour     int           // screens a conversation may store in an hour (item-9 screens are never refused)
	CheckinGrace       time.Duration // list a check-in on the console when unanswered this long after its time
	Now                func() time.Time
}

// Deps are the parts the service is built from.
type Deps struct {
	Store      *Store
	Hub        *Hub
	Classifier Classifier
	Retriever  Retriever
	Responder  Responder
	Crisis     CrisisResources
	Logger     *slog.Logger
	Pager      Pager  // optional: a paging system for handoffs
	Roster     Roster // optional: who is on duty; without it nobody is assumed missing
	// Metrics records turn outcomes, timings and errors (optional: nil records nothing).
	Metrics *metrics.Set
	// Audit records clinicians' handoff actions (Claim, Say, Resolve) in the transaction of
	// the change; clinician.Audit is one. Without it those actions are refused.
	Audit Auditor
	// Forms keeps residents' safety plans and exercises (service_forms.go); without it
	// saving one is refused as unavailable.
	Forms *selfhelp.Store
	// Notifier pushes a due check-in to the resident's opted-in devices (optional: nil
	// sends none; the resident still finds it when they come back).
	Notifier Notifier
}

// Service runs conversations: it stores what residents send and answers each message
// through the turn pipeline, in the background, one turn at a time per conversation. It is
// the only way in to conversations, messages and handoffs: its store is not handed out, so
// every change goes through the rules (and the audit entries) here.
type Service struct {
	store      *Store
	hub        *Hub
	classifier Classifier
	retriever  Retriever
	responder  Responder
	crisis     CrisisResources
	logger     *slog.Logger
	pager      Pager
	roster     Roster
	metrics    *metrics.Set
	audit      Auditor
	forms      *selfhelp.Store
	notifier   Notifier
	opts       Options

	base    context.Context // turns run under this, not under a socket's context
	stop    context.CancelFunc
	mu      sync.Mutex
	workers map[string]bool // conversations with a running worker
	kicked  map[string]bool // conversations with a message stored since their worker last looked
	closing bool
	wg      sync.WaitGroup
}

// NewService returns a service; call Shutdown to stop its turns.
func NewService(d Deps, o Options) *Service {
	if o.TurnTimeout <= 0 {
		o.TurnTimeout = 60 * time.Second
	}
	if o.TurnLease <= 0 {
		o.TurnLease = 15 * time.Second
	}
	if o.DisclosureEvery <= 0 {
		o.DisclosureEvery = 3 * time.Hour
	}
	if o.MaxMessageChars <= 0 {
		o.MaxMessageChars = 4000
	}
	if o.RateLimitPerMinute <= 0 {
		o.RateLimitPerMinute = 20
	}
	if o.HistoryMessages <= 0 {
		o.HistoryMessages = 20
	}
	if o.Sources <= 0 {
		o.Sources = 4
	}
	if o.ReAlertAfter <= 0 {
		o.ReAlertAfter = 2 * time.Minute
	}
	if o.UnattendedAfter <= 0 {
		o.UnattendedAfter = 5 * time.Minute
	}
	if o.ScreenReplyWithin <= 0 {
		o.ScreenReplyWithin = 24 * time.Hour
	}
	if o.ScreenReAlertEvery <= 0 {
		o.ScreenReAlertEvery = time.Hour
	}
	if o.ScreensPerHour <= 0 {
		o.ScreensPerHour = 20
	}
	if o.CheckinGrace <= 0 {
		o.CheckinGrace = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	base, stop := context.WithCancel(context.Background())
	return &Service{store: d.Store, hub: d.Hub, classifier: d.Classifier, retriever: d.Retriever, responder: d.Responder,
		crisis: d.Crisis, logger: d.Logger, pager: d.Pager, roster: d.Roster, metrics: d.Metrics, audit: d.Audit,
		forms: d.Forms, notifier: d.Notifier, opts: o, base: base, stop: stop, workers: make(map[string]bool), kicked: make(map[string]bool)}
}

// MaxMessageChars is the longest message a resident may send, in characters.
func (s *Service) MaxMessageChars() int { return s.opts.MaxMessageChars }

// Start begins a conversation and stores its opening disclosure.
func (s *Service) Start(ctx context.Context, role nightfloat.Role) (Conversation, string, error) {
	return s.StartFrom(ctx, role, "")
}

// StartFrom is Start with the source tag of the network the conversation comes from (see
// Store.CreateConversationFrom).
func (s *Service) StartFrom(ctx context.Context, role nightfloat.Role, sourceTag string) (Conversation, string, error) {
	conv, token, err := s.store.CreateConversationFrom(ctx, role, sourceTag)
	if err != nil {
		return Conversation{}, "", err
	}
	msgs, err := s.store.Append(ctx, conv.ID, Message{Author: AuthorSystem, Kind: KindDisclosure, Body: s.crisis.Disclosure()})
	if err != nil {
		return Conversation{}, "", err
	}
	if err := s.store.MarkDisclosed(ctx, conv.ID); err != nil {
		return Conversation{}, "", err
	}
	conv.LastSeq = msgs[len(msgs)-1].Seq
	return conv, token, nil
}

// Submit validates and stores a resident's message, then starts its turn. The message is
// committed before Submit returns, so a returned message is an acknowledgement. A resend
// of a stored client id returns the stored message with duplicate set and starts nothing.
func (s *Service) Submit(ctx context.Context, conv Conversation, clientID, text string) (Message, bool, error) {
	text = strings.TrimSpace(text)
	switch {
	case checkClientID(clientID) != nil:
		return Message{}, false, checkClientID(clientID)
	case text == "":
		return Message{}, false, nightfloat.Errorf(nightfloat.CodeInvalid, "the message is empty")
	case checkStorable("message", text) != nil:
		return Message{}, false, checkStorable("message", text)
	case utf8.RuneCountInString(text) > s.opts.MaxMessageChars:
		return Message{}, false, nightfloat.Errorf(nightfloat.CodeTooLarge, "messages can be at most %d characters; this one has %d", s.opts.MaxMessageChars, utf8.RuneCountInString(text))
	}
	since := s.opts.Now().Add(-time.Minute)
	msg, dup, err := s.store.AppendResidentLimited(ctx, conv.ID, clientID, text, since, s.opts.RateLimitPerMinute)
	if err != nil {
		return Message{}, false, err
	}
	s.hub.Publish(Event{Kind: EventStored, ConversationID: conv.ID, Seq: msg.Seq})
	if !dup {
		s.kick(conv.ID)
	}
	return msg, dup, nil
}

// checkClientID refuses a client id that cannot name a resident's message.
func checkClientID(clientID string) error {
	if clientID == "" || len(clientID) > 100 {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "each message needs a client_id of 1 to 100 characters")
	}
	return checkStorable("client_id", clientID)
}

// kick makes sure a worker is answering the conversation's pending turns. It marks the
// conversation as kicked even when a worker is running, so that a worker which has just
// found nothing to do looks again instead of exiting past a message stored meanwhile.
func (s *Service) kick(convID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return
	}
	s.kicked[convID] = true
	if s.workers[convID] {
		return
	}
	s.workers[convID] = true
	s.wg.Add(1)
	go s.work(convID)
}

// work answers the conversation's pending turns in order, then exits. It exits only under
// the lock, after checking that nobody kicked it since it last looked.
func (s *Service) work(convID string) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if s.closing {
			delete(s.workers, convID)
			delete(s.kicked, convID)
			s.mu.Unlock()
			return
		}
		delete(s.kicked, convID) // what is stored by now, this look will see
		s.mu.Unlock()

		msg, ok, err := s.store.LeaseNextTurn(s.base, convID, s.opts.TurnLease)
		if err != nil {
			// The database is failing: leave the turn to the recovery loop.
			s.logger.Error("lease turn", "conversation_id", convID, "error", err)
			s.mu.Lock()
			delete(s.workers, convID)
			delete(s.kicked, convID)
			s.mu.Unlock()
			return
		}
		if ok {
			s.runTurn(convID, msg)
			continue
		}
		s.mu.Lock()
		if s.kicked[convID] && !s.closing {
			s.mu.Unlock()
			continue
		}
		delete(s.workers, convID)
		s.mu.Unlock()
		return
	}
}

// Recover starts workers for turns that a crashed or stopped server left unanswered.
func (s *Service) Recover(ctx context.Context, minAge time.Duration) error {
	ids, err := s.store.StalledTurns(ctx, minAge, 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.logger.Info("resuming an unanswered turn", "conversation_id", id)
		s.kick(id)
	}
	return nil
}

// RunRecovery calls Recover now and then every interval until ctx ends, for turns older
// than minAge (younger ones are normally still starting on the server that took them).
func (s *Service) RunRecovery(ctx context.Context, interval, minAge time.Duration) {
	tick.NowAndEvery(ctx, interval, func() {
		if err := s.Recover(ctx, minAge); err != nil && ctx.Err() == nil {
			s.logger.Warn("recover stalled turns", "error", err)
			s.metrics.DBError("recover")
		}
	})
}

// Shutdown stops starting turns and waits for running ones until ctx ends; then it
// cancels what is left (those turns stay pending and are answered after restart).
func (s *Service) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.stop()
		return nil
	case <-ctx.Done():
		s.stop()
		<-done
		return ctx.Err()
	}
}
