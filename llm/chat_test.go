package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"nightfloat/llm/llmtest"
)

// newFakeChat starts a fake model server answering request n with steps[n] (the last
// step repeats) and returns it with its base URL.
func newFakeChat(t *testing.T, steps ...llmtest.Step) (*llmtest.Server, string) {
	t.Helper()
	f := &llmtest.Server{Steps: steps}
	return f, f.Start(t)
}

func fastOptions() ChatOptions {
	return ChatOptions{Model: "fake-model", FirstTokenTimeout: 500 * time.Millisecond, IdleTimeout: 300 * time.Millisecond,
		Timeout: 5 * time.Second, RetryBase: 10 * time.Millisecond, MaxRetryWait: time.Second}
}

func newTestChat(t *testing.T, srv string, opts ChatOptions) *Chat {
	t.Helper()
	c, err := NewChat(Config{BaseURL: srv + "/v1"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var hello = []string{"Hello", " there", ". That", " sounds hard."}

func collect(t *testing.T, c *Chat) ([]string, ChatResult, error) {
	t.Helper()
	var pieces []string
	res, err := c.Stream(context.Background(), ChatRequest{Messages: []ChatMessage{{RoleSystem, "be kind"}, {RoleUser, "hi"}}},
		func(p string) error { pieces = append(pieces, p); return nil })
	return pieces, res, err
}

func TestChatStreamsPiecesAndReportsUsage(t *testing.T) {
	f, srv := newFakeChat(t, llmtest.Step{Pieces: hello, Usage: llmtest.Usage{Prompt: 120, Completion: 7}})
	pieces, res, err := collect(t, newTestChat(t, srv, fastOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "|") != strings.Join(hello, "|") || res.Text != strings.Join(hello, "") {
		t.Fatalf("pieces %q, text %q", pieces, res.Text)
	}
	if !res.Usage.Reported || res.Usage.PromptTokens != 120 || res.Usage.CompletionTokens != 7 || res.FinishReason != "stop" || res.Attempts != 1 {
		t.Fatalf("result %+v", res)
	}
	req := f.Requests()[0].Fields
	if req["stream"] != true || req["model"] != "fake-model" || req["max_tokens"] != float64(600) || req["temperature"] != 0.3 {
		t.Fatalf("request %v", req)
	}
	if so, _ := req["stream_options"].(map[string]any); so["include_usage"] != true {
		t.Fatalf("stream_options %v", req["stream_options"])
	}
	if f.Requests()[0].Path != "/v1/chat/completions" {
		t.Fatalf("path %s", f.Requests()[0].Path)
	}
}

func TestChatEstimatesUsageWhenNotReported(t *testing.T) {
	_, srv := newFakeChat(t, llmtest.Step{Pieces: hello})
	_, res, err := collect(t, newTestChat(t, srv, fastOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Usage.Reported || res.Usage.PromptTokens == 0 || res.Usage.CompletionTokens != EstimateTokens(res.Text) {
		t.Fatalf("usage %+v", res.Usage)
	}
}

func TestChatFailures(t *testing.T) {
	tests := []struct {
		name      string
		steps     []llmtest.Step
		kind      error
		attempts  int
		delivered bool
		status    int
	}{
		{"429 then success", []llmtest.Step{{Status: 429, RetryAfter: "0", Body: `{"error":{"message":"slow down","type":"rate_limit"}}`}, {Pieces: hello}}, nil, 2, false, 0},
		{"5xx exhausted", []llmtest.Step{{Status: 503, Body: `{"error":{"message":"overloaded","type":"server_error"}}`}}, ErrServer, 3, false, 503},
		{"5xx without JSON body", []llmtest.Step{{Status: 502, Body: `<html>bad gateway</html>`}}, ErrServer, 3, false, 502},
		{"quota is not retried", []llmtest.Step{{Status: 429, Body: `{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`}}, ErrRejected, 1, false, 429},
		{"Retry-After beyond the cap", []llmtest.Step{{Status: 429, RetryAfter: "120", Body: `{"error":{"message":"slow down"}}`}}, ErrRateLimited, 1, false, 429},
		{"auth", []llmtest.Step{{Status: 401, Body: `{"error":{"message":"bad key","code":"invalid_api_key"}}`}}, ErrRejected, 1, false, 401},
		{"context length code", []llmtest.Step{{Status: 400, Body: `{"error":{"message":"too long","code":"context_length_exceeded"}}`}}, ErrContextLength, 1, false, 400},
		{"context length vLLM", []llmtest.Step{{Status: 400, Body: `{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","code":400}`}}, ErrContextLength, 1, false, 400},
		{"context length llama.cpp", []llmtest.Step{{Status: 400, Body: `{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}`}}, ErrContextLength, 1, false, 400},
		{"first token time-out", []llmtest.Step{{Delay: 2 * time.Second, Pieces: hello}}, ErrTimeout, 1, false, 0},
		{"stall mid-stream", []llmtest.Step{{Pieces: hello, StallAfter: 2}}, ErrStalled, 1, true, 0},
		{"malformed chunk", []llmtest.Step{{Pieces: hello, Raw: "data: {\"choices\": [{\"delta\": {\"content\": \n\n"}}, ErrMalformed, 1, true, 0},
		{"malformed first chunk", []llmtest.Step{{Raw: "data: not json\n\n"}}, ErrMalformed, 1, false, 0},
		{"cut off", []llmtest.Step{{Pieces: hello, NoFinish: true}}, ErrTruncated, 1, true, 0},
		{"error event mid-stream", []llmtest.Step{{Pieces: hello, Raw: "data: {\"error\":{\"message\":\"engine crashed\",\"type\":\"server_error\"}}\n\n", NoFinish: true}}, ErrServer, 1, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeChat(t, tt.steps...)
			pieces, res, err := collect(t, newTestChat(t, srv, fastOptions()))
			if tt.kind == nil {
				if err != nil || res.Text != strings.Join(hello, "") {
					t.Fatalf("err %v, text %q", err, res.Text)
				}
			} else {
				var ce *ChatError
				if !errors.As(err, &ce) || !errors.Is(err, tt.kind) {
					t.Fatalf("err %v, want %v", err, tt.kind)
				}
				if ce.Delivered != tt.delivered || ce.Status != tt.status {
					t.Fatalf("delivered %v status %d, want %v %d (%v)", ce.Delivered, ce.Status, tt.delivered, tt.status, err)
				}
				if strings.Join(pieces, "") != res.Text {
					t.Fatalf("delivered %q but result text %q", pieces, res.Text)
				}
			}
			if len(f.Requests()) != tt.attempts || res.Attempts != tt.attempts {
				t.Fatalf("%d requests, result says %d; want %d", len(f.Requests()), res.Attempts, tt.attempts)
			}
		})
	}
}

func TestChatHonoursRetryAfter(t *testing.T) {
	_, srv := newFakeChat(t, llmtest.Step{Status: 429, RetryAfter: "0.3", Body: `{"error":{"message":"slow down"}}`}, llmtest.Step{Pieces: hello})
	start := time.Now()
	_, _, err := collect(t, newTestChat(t, srv, fastOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("retried after %v, before Retry-After", d)
	}
}

func TestChatTotalTimeout(t *testing.T) {
	opts := fastOptions()
	opts.Timeout = 400 * time.Millisecond
	opts.IdleTimeout = time.Second
	_, srv := newFakeChat(t, llmtest.Step{Pieces: hello, Every: 300 * time.Millisecond})
	_, res, err := collect(t, newTestChat(t, srv, opts))
	var ce *ChatError
	if !errors.Is(err, ErrDeadline) || !errors.As(err, &ce) || !ce.Delivered || res.Text == "" {
		t.Fatalf("err %v, text %q", err, res.Text)
	}
}

func TestChatStopsWhenDeliverRefuses(t *testing.T) {
	_, srv := newFakeChat(t, llmtest.Step{Pieces: hello})
	stop := errors.New("withheld")
	n := 0
	_, err := newTestChat(t, srv, fastOptions()).Stream(context.Background(), ChatRequest{Messages: []ChatMessage{{RoleUser, "hi"}}},
		func(string) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d pieces", err, n)
	}
}

func TestChatCallerCancellationIsNotAModelFailure(t *testing.T) {
	_, srv := newFakeChat(t, llmtest.Step{Pieces: hello, StallAfter: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newTestChat(t, srv, fastOptions()).Stream(ctx, ChatRequest{Messages: []ChatMessage{{RoleUser, "hi"}}}, func(string) error { return nil })
	var ce *ChatError
	if errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestChatRetriesWithoutStreamOptionsWhenRejected(t *testing.T) {
	f, srv := newFakeChat(t, llmtest.Step{Status: 400, Body: `{"error":{"message":"Unrecognized request argument supplied: stream_options"}}`}, llmtest.Step{Pieces: hello})
	c := newTestChat(t, srv, fastOptions())
	if _, _, err := collect(t, c); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if _, ok := reqs[1].Fields["stream_options"]; ok || len(reqs) != 2 {
		t.Fatalf("requests %v", reqs)
	}
	if _, _, err := collect(t, c); err != nil || len(f.Requests()) != 3 {
		t.Fatalf("err %v, %d requests", err, len(f.Requests()))
	}
}

func TestChatAzureUsesDeploymentAndKeyHeader(t *testing.T) {
	f, srv := newFakeChat(t, llmtest.Step{Pieces: hello})
	c, err := NewChat(Config{BaseURL: srv, APIType: APITypeAzure, APIKey: "k1", APIVersion: "2024-10-21"}, ChatOptions{Model: "support-gpt4o"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := collect(t, c); err != nil {
		t.Fatal(err)
	}
	if f.Requests()[0].Path != "/openai/deployments/support-gpt4o/chat/completions?api-version=2024-10-21" || f.Requests()[0].Auth != "k1" {
		t.Fatalf("path %s auth %q", f.Requests()[0].Path, f.Requests()[0].Auth)
	}
}

func TestChatReasoningModelsGetCompletionTokensAndNoTemperature(t *testing.T) {
	f, srv := newFakeChat(t, llmtest.Step{Pieces: hello})
	opts := fastOptions()
	opts.Model = "gpt-5-mini"
	if _, _, err := collect(t, newTestChat(t, srv, opts)); err != nil {
		t.Fatal(err)
	}
	req := f.Requests()[0].Fields
	if _, ok := req["temperature"]; ok || req["max_completion_tokens"] != float64(600) || req["max_tokens"] != nil {
		t.Fatalf("request %v", req)
	}
}

func TestNewChatValidates(t *testing.T) {
	for _, o := range []ChatOptions{{}, {Model: "bad model"}, {Model: "m", Temperature: 3}, {Model: "m", MaxTokens: -1}} {
		if _, err := NewChat(Config{BaseURL: "http://localhost:1/v1"}, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]time.Duration{"Retry-After=2": 2 * time.Second, "Retry-After=1.5": 1500 * time.Millisecond,
		"Retry-After-Ms=250": 250 * time.Millisecond, "Retry-After=" + now.Add(3*time.Second).Format(http.TimeFormat): 3 * time.Second}
	for in, want := range cases {
		k, v, _ := strings.Cut(in, "=")
		h := http.Header{}
		h.Set(k, v)
		if got, ok := RetryAfter(h, now); !ok || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, ok, want)
		}
	}
	if _, ok := RetryAfter(http.Header{"Retry-After": {"soon"}}, now); ok {
		t.Error("parsed nonsense")
	}
}
