package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChat is an httptest server speaking the OpenAI chat-completions streaming protocol:
// SSE "data: {...}" chunks ending with "data: [DONE]". Each request is answered by the
// step of its number (the last step repeats).
type fakeChat struct {
	mu       sync.Mutex
	steps    []chatStep
	requests []map[string]any
	paths    []string
	auth     []string
}

type chatStep struct {
	status     int    // non-zero: answer with this status and errBody
	errBody    string // JSON error body
	retryAfter string
	pieces     []string
	every      time.Duration // between chunks
	delay      time.Duration // before the first chunk
	stallAfter int           // >0: after this many pieces, hang until the client leaves
	raw        string        // sent verbatim after the pieces (e.g. a malformed chunk)
	noFinish   bool          // close without a finish reason or [DONE]
	usage      bool          // send a usage chunk
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, req)
	f.paths = append(f.paths, r.URL.RequestURI())
	f.auth = append(f.auth, r.Header.Get("Authorization")+r.Header.Get("api-key"))
	st := f.steps[min(n, len(f.steps)-1)]
	f.mu.Unlock()
	if st.status != 0 {
		if st.retryAfter != "" {
			w.Header().Set("Retry-After", st.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st.status)
		_, _ = w.Write([]byte(st.errBody))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "fake-model",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	sleep := func(d time.Duration) bool {
		select {
		case <-r.Context().Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	if !sleep(st.delay) {
		return
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for i, p := range st.pieces {
		if st.stallAfter > 0 && i == st.stallAfter {
			<-r.Context().Done()
			return
		}
		if i > 0 && !sleep(st.every) {
			return
		}
		send(chunk(map[string]any{"content": p}, nil))
	}
	if st.raw != "" {
		fmt.Fprint(w, st.raw)
		fl.Flush()
	}
	if st.noFinish {
		return
	}
	send(chunk(map[string]any{}, "stop"))
	if st.usage {
		send(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "fake-model", "choices": []any{},
			"usage": map[string]int{"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127}})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}

func (f *fakeChat) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func newFakeChat(t *testing.T, steps ...chatStep) (*fakeChat, *httptest.Server) {
	t.Helper()
	f := &fakeChat{steps: steps}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func fastOptions() ChatOptions {
	return ChatOptions{Model: "fake-model", FirstTokenTimeout: 500 * time.Millisecond, IdleTimeout: 300 * time.Millisecond,
		Timeout: 5 * time.Second, RetryBase: 10 * time.Millisecond, MaxRetryWait: time.Second}
}

func newTestChat(t *testing.T, srv *httptest.Server, opts ChatOptions) *Chat {
	t.Helper()
	c, err := NewChat(Config{BaseURL: srv.URL + "/v1"}, opts)
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
	f, srv := newFakeChat(t, chatStep{pieces: hello, usage: true})
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
	req := f.requests[0]
	if req["stream"] != true || req["model"] != "fake-model" || req["max_tokens"] != float64(600) || req["temperature"] != 0.3 {
		t.Fatalf("request %v", req)
	}
	if so, _ := req["stream_options"].(map[string]any); so["include_usage"] != true {
		t.Fatalf("stream_options %v", req["stream_options"])
	}
	if f.paths[0] != "/v1/chat/completions" {
		t.Fatalf("path %s", f.paths[0])
	}
}

func TestChatEstimatesUsageWhenNotReported(t *testing.T) {
	_, srv := newFakeChat(t, chatStep{pieces: hello})
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
		steps     []chatStep
		kind      error
		attempts  int
		delivered bool
		status    int
	}{
		{"429 then success", []chatStep{{status: 429, retryAfter: "0", errBody: `{"error":{"message":"slow down","type":"rate_limit"}}`}, {pieces: hello}}, nil, 2, false, 0},
		{"5xx exhausted", []chatStep{{status: 503, errBody: `{"error":{"message":"overloaded","type":"server_error"}}`}}, ErrServer, 3, false, 503},
		{"5xx without JSON body", []chatStep{{status: 502, errBody: `<html>bad gateway</html>`}}, ErrServer, 3, false, 502},
		{"quota is not retried", []chatStep{{status: 429, errBody: `{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`}}, ErrRejected, 1, false, 429},
		{"Retry-After beyond the cap", []chatStep{{status: 429, retryAfter: "120", errBody: `{"error":{"message":"slow down"}}`}}, ErrRateLimited, 1, false, 429},
		{"auth", []chatStep{{status: 401, errBody: `{"error":{"message":"bad key","code":"invalid_api_key"}}`}}, ErrRejected, 1, false, 401},
		{"context length code", []chatStep{{status: 400, errBody: `{"error":{"message":"too long","code":"context_length_exceeded"}}`}}, ErrContextLength, 1, false, 400},
		{"context length vLLM", []chatStep{{status: 400, errBody: `{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","code":400}`}}, ErrContextLength, 1, false, 400},
		{"context length llama.cpp", []chatStep{{status: 400, errBody: `{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}`}}, ErrContextLength, 1, false, 400},
		{"first token time-out", []chatStep{{delay: 2 * time.Second, pieces: hello}}, ErrTimeout, 1, false, 0},
		{"stall mid-stream", []chatStep{{pieces: hello, stallAfter: 2}}, ErrStalled, 1, true, 0},
		{"malformed chunk", []chatStep{{pieces: hello, raw: "data: {\"choices\": [{\"delta\": {\"content\": \n\n"}}, ErrMalformed, 1, true, 0},
		{"malformed first chunk", []chatStep{{raw: "data: not json\n\n"}}, ErrMalformed, 1, false, 0},
		{"cut off", []chatStep{{pieces: hello, noFinish: true}}, ErrTruncated, 1, true, 0},
		{"error event mid-stream", []chatStep{{pieces: hello, raw: "data: {\"error\":{\"message\":\"engine crashed\",\"type\":\"server_error\"}}\n\n", noFinish: true}}, ErrServer, 1, true, 0},
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
			if f.count() != tt.attempts || res.Attempts != tt.attempts {
				t.Fatalf("%d requests, result says %d; want %d", f.count(), res.Attempts, tt.attempts)
			}
		})
	}
}

func TestChatHonoursRetryAfter(t *testing.T) {
	_, srv := newFakeChat(t, chatStep{status: 429, retryAfter: "0.3", errBody: `{"error":{"message":"slow down"}}`}, chatStep{pieces: hello})
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
	_, srv := newFakeChat(t, chatStep{pieces: hello, every: 300 * time.Millisecond})
	_, res, err := collect(t, newTestChat(t, srv, opts))
	var ce *ChatError
	if !errors.Is(err, ErrDeadline) || !errors.As(err, &ce) || !ce.Delivered || res.Text == "" {
		t.Fatalf("err %v, text %q", err, res.Text)
	}
}

func TestChatStopsWhenDeliverRefuses(t *testing.T) {
	_, srv := newFakeChat(t, chatStep{pieces: hello})
	stop := errors.New("withheld")
	n := 0
	_, err := newTestChat(t, srv, fastOptions()).Stream(context.Background(), ChatRequest{Messages: []ChatMessage{{RoleUser, "hi"}}},
		func(string) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d pieces", err, n)
	}
}

func TestChatCallerCancellationIsNotAModelFailure(t *testing.T) {
	_, srv := newFakeChat(t, chatStep{pieces: hello, stallAfter: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newTestChat(t, srv, fastOptions()).Stream(ctx, ChatRequest{Messages: []ChatMessage{{RoleUser, "hi"}}}, func(string) error { return nil })
	var ce *ChatError
	if errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestChatRetriesWithoutStreamOptionsWhenRejected(t *testing.T) {
	f, srv := newFakeChat(t, chatStep{status: 400, errBody: `{"error":{"message":"Unrecognized request argument supplied: stream_options"}}`}, chatStep{pieces: hello})
	c := newTestChat(t, srv, fastOptions())
	if _, _, err := collect(t, c); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.requests[1]["stream_options"]; ok || len(f.requests) != 2 {
		t.Fatalf("requests %v", f.requests)
	}
	if _, _, err := collect(t, c); err != nil || len(f.requests) != 3 {
		t.Fatalf("err %v, %d requests", err, len(f.requests))
	}
}

func TestChatAzureUsesDeploymentAndKeyHeader(t *testing.T) {
	f, srv := newFakeChat(t, chatStep{pieces: hello})
	c, err := NewChat(Config{BaseURL: srv.URL, APIType: APITypeAzure, APIKey: "k1", APIVersion: "2024-10-21"}, ChatOptions{Model: "support-gpt4o"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := collect(t, c); err != nil {
		t.Fatal(err)
	}
	if f.paths[0] != "/openai/deployments/support-gpt4o/chat/completions?api-version=2024-10-21" || f.auth[0] != "k1" {
		t.Fatalf("path %s auth %q", f.paths[0], f.auth[0])
	}
}

func TestChatReasoningModelsGetCompletionTokensAndNoTemperature(t *testing.T) {
	f, srv := newFakeChat(t, chatStep{pieces: hello})
	opts := fastOptions()
	opts.Model = "gpt-5-mini"
	if _, _, err := collect(t, newTestChat(t, srv, opts)); err != nil {
		t.Fatal(err)
	}
	req := f.requests[0]
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
