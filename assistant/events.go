package assistant

import (
	"strconv"
	"strings"
	"sync"
)

// EventKind says what happened in a conversation.
type EventKind int

const (
	// EventStored: messages up to Seq are in the database; subscribers read what they lack.
	EventStored EventKind = iota
	// EventDelta: a piece of a reply that is still streaming (never stored on its own).
	EventDelta
	// EventFailure: the turn failed and could not even be recorded (the database is down);
	// Text is the crisis message to show.
	EventFailure
	// EventResync: the event stream may have gaps (the listener reconnected); read from the database.
	EventResync
	// EventHandoff: the conversation's handoff changed; Seq is the handoff id.
	EventHandoff
)

// Event is one thing a conversation's subscribers should know about.
type Event struct {
	Kind           EventKind
	ConversationID string
	Seq            int64 // EventStored: the newest seq; EventDelta: the resident message answered
	Text           string
}

// Hub fans events out to the subscribers of each conversation on this server. Events from
// other replicas arrive through PostgreSQL NOTIFY and are published here by the listener.
// Delivery never blocks: a subscriber whose deliver func refuses an event (its buffer is
// full) is dropped and told so through its dropped func, and must resync from the database.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*subscription]struct{}
}

type subscription struct {
	deliver func(Event) bool
	dropped func()
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: make(map[string]map[*subscription]struct{})} }

// Subscribe registers deliver for a conversation's events (convID "*" receives every
// conversation's). It returns the function that unsubscribes.
func (h *Hub) Subscribe(convID string, deliver func(Event) bool, dropped func()) (unsubscribe func()) {
	s := &subscription{deliver: deliver, dropped: dropped}
	h.mu.Lock()
	if h.subs[convID] == nil {
		h.subs[convID] = make(map[*subscription]struct{})
	}
	h.subs[convID][s] = struct{}{}
	h.mu.Unlock()
	return func() { h.remove(convID, s) }
}

func (h *Hub) remove(convID string, s *subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.subs[convID]
	if _, ok := set[s]; !ok {
		return false
	}
	delete(set, s)
	if len(set) == 0 {
		delete(h.subs, convID)
	}
	return true
}

// Publish delivers ev to the conversation's subscribers and to the "*" subscribers.
func (h *Hub) Publish(ev Event) {
	type target struct {
		conv string
		sub  *subscription
	}
	h.mu.Lock()
	targets := make([]target, 0, len(h.subs[ev.ConversationID])+len(h.subs["*"]))
	for _, conv := range []string{ev.ConversationID, "*"} {
		for s := range h.subs[conv] {
			targets = append(targets, target{conv, s})
		}
	}
	h.mu.Unlock()
	// Outside the lock: a deliver func may take its own locks.
	for _, t := range targets {
		if !t.sub.deliver(ev) && h.remove(t.conv, t.sub) && t.sub.dropped != nil {
			t.sub.dropped()
		}
	}
}

// PublishAll sends ev to every subscriber of every conversation (used for EventResync).
func (h *Hub) PublishAll(ev Event) {
	h.mu.Lock()
	convs := make([]string, 0, len(h.subs))
	for c := range h.subs {
		convs = append(convs, c)
	}
	h.mu.Unlock()
	for _, c := range convs {
		e := ev
		e.ConversationID = c
		h.Publish(e)
	}
}

// Subscribers counts subscriptions (for metrics and tests).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}

// ParseHandoffPayload reads a HandoffsChannel payload, "<handoff id>:<conversation id>".
func ParseHandoffPayload(payload string) (Event, bool) {
	idStr, conv, ok := strings.Cut(payload, ":")
	if !ok {
		return Event{}, false
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return Event{}, false
	}
	return Event{Kind: EventHandoff, ConversationID: conv, Seq: id}, true
}

// ParseStoredPayload reads a MessagesChannel payload, "<conversation id>:<seq>".
func ParseStoredPayload(payload string) (Event, bool) {
	id, seqStr, ok := strings.Cut(payload, ":")
	if !ok {
		return Event{}, false
	}
	seq, err := strconv.ParseInt(seqStr, 10, 64)
	if err != nil {
		return Event{}, false
	}
	return Event{Kind: EventStored, ConversationID: id, Seq: seq}, true
}
