package assistant

import (
	"sync/atomic"
	"testing"
)

func TestHubDropsASubscriberThatCannotKeepUp(t *testing.T) {
	h := NewHub()
	fast := make(chan Event, 10)
	var dropped atomic.Bool
	slowBuf := make(chan Event, 1)
	h.Subscribe("c1", func(ev Event) bool {
		select {
		case fast <- ev:
			return true
		default:
			return false
		}
	}, nil)
	h.Subscribe("c1", func(ev Event) bool {
		select {
		case slowBuf <- ev:
			return true
		default:
			return false
		}
	}, func() { dropped.Store(true) })
	h.Subscribe("other", func(Event) bool { t.Error("an event reached another conversation"); return true }, nil)

	for i := range 3 {
		h.Publish(Event{Kind: EventStored, ConversationID: "c1", Seq: int64(i + 1)})
	}
	if !dropped.Load() {
		t.Fatal("the slow subscriber was not dropped")
	}
	if len(fast) != 3 {
		t.Errorf("the fast subscriber got %d of 3 events", len(fast))
	}
	if got := h.Subscribers(); got != 2 {
		t.Errorf("want 2 subscribers left, got %d", got)
	}
}

func TestParsePayloads(t *testing.T) {
	ev, ok := ParseStoredPayload("6f1c0000-0000-0000-0000-000000000000:42")
	if !ok || ev.Seq != 42 || ev.ConversationID != "6f1c0000-0000-0000-0000-000000000000" {
		t.Errorf("stored payload: %+v %v", ev, ok)
	}
	ev, ok = ParseHandoffPayload("7:abc")
	if !ok || ev.Kind != EventHandoff || ev.Seq != 7 || ev.ConversationID != "abc" {
		t.Errorf("handoff payload: %+v %v", ev, ok)
	}
	for _, bad := range []string{"", "x", "a:b", ":1"} {
		if _, ok := ParseStoredPayload(bad); ok && bad != ":1" {
			t.Errorf("ParseStoredPayload(%q) accepted", bad)
		}
	}
}

func TestAsksIfHuman(t *testing.T) {
	for text, want := range map[string]bool{
		"are you a real person?":         true,
		"r u a bot":                      true,
		"am I talking to an AI":          true,
		"is this a human or a bot":       true,
		"who am i talking to":            true,
		"my patient is a real character": false,
		"I need sleep tips":              false,
	} {
		if got := AsksIfHuman(text); got != want {
			t.Errorf("AsksIfHuman(%q) = %v, want %v", text, got, want)
		}
	}
}
