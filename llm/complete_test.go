package llm

import (
	"context"
	"strings"
	"testing"

	"nightfloat/llm/llmtest"
)

func TestCompleteReturnsTheWholeReplyAndSendsBothMessages(t *testing.T) {
	f, srv := newFakeChat(t, llmtest.Step{Pieces: []string{`{"level":`, `"urgent",`, `"categories":[]}`}})
	c := newTestChat(t, srv, fastOptions())
	got, err := c.Complete(context.Background(), "you are a classifier", "judge this")
	if err != nil {
		t.Fatal(err)
	}
	if got != `{"level":"urgent","categories":[]}` {
		t.Errorf("got %q", got)
	}
	msgs, _ := f.Requests()[0].Fields["messages"].([]any)
	if len(msgs) != 2 || !strings.Contains(msgs[0].(map[string]any)["content"].(string), "classifier") ||
		msgs[1].(map[string]any)["content"] != "judge this" {
		t.Errorf("request messages %v", msgs)
	}
}

func TestCompleteReportsAFailedModel(t *testing.T) {
	_, srv := newFakeChat(t, llmtest.Step{Status: 500, Body: `{"error":{"message":"boom"}}`})
	c := newTestChat(t, srv, fastOptions())
	if _, err := c.Complete(context.Background(), "s", "u"); err == nil {
		t.Fatal("a failing model must be an error")
	}
}
