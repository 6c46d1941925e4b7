package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Chat roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// ChatMessage is one message of a chat.
type ChatMessage struct {
	Role    string // RoleSystem, RoleUser or RoleAssistant
	Content string
}

// ChatRequest is one chat completion to stream.
type ChatRequest struct {
	Messages []ChatMessage
}

// Usage is the tokens one request used. Reported says the server sent the counts (in the
// stream's final chunk); otherwise they are estimates from the text.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	Reported         bool
}

// ChatResult is what a stream produced, also when it failed part way.
type ChatResult struct {
	Text         string // every piece delivered, in order
	Usage        Usage  // zero when no request reached the model
	FinishReason string // "stop", "length", "content_filter", ...; empty when the stream broke
	Attempts     int    // requests made, retries included
	Model        string // as the server named it, else as configured
}

// ChatOptions tune a Chat; zero values take the defaults in NewChat.
type ChatOptions struct {
	Model       string  // model name, or the deployment name on Azure
	Temperature float64 // 0 < t <= 2 (default 0.3); not sent to reasoning models
	MaxTokens   int     // longest reply, in tokens (default 600)

	ConnectTimeout    time.Duration // TCP and TLS set-up (default 5s)
	FirstTokenTimeout time.Duration // from sending a request to its first chunk (default 20s)
	IdleTimeout       time.Duration // longest silence between chunks (default 10s)
	Timeout           time.Duration // the whole call, retries and waits included (default 45s)

	// MaxRetries bounds retries after a 429, a 5xx or a failed connection, made only while
	// nothing has been delivered. 0 takes the default (2); a negative value disables them.
	MaxRetries int
	// RetryBase is the first backoff (default 500ms); it doubles per retry, with jitter.
	RetryBase time.Duration
	// MaxRetryWait caps one wait (default 8s). A Retry-After longer than this is not
	// waited for: the call fails at once, so that the caller can fall back.
	MaxRetryWait time.Duration
}

func (o *ChatOptions) defaults() {
	if o.Temperature == 0 {
		o.Temperature = 0.3
	}
	if o.MaxTokens == 0 {
		o.MaxTokens = 600
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.FirstTokenTimeout == 0 {
		o.FirstTokenTimeout = 20 * time.Second
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 10 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = 45 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 2
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.RetryBase == 0 {
		o.RetryBase = 500 * time.Millisecond
	}
	if o.MaxRetryWait == 0 {
		o.MaxRetryWait = 8 * time.Second
	}
}

// Why a chat failed. A *ChatError wraps exactly one of these; test with errors.Is.
var (
	ErrTimeout       = errors.New("the model did not start answering in time")
	ErrStalled       = errors.New("the model stopped sending part way through its reply")
	ErrDeadline      = errors.New("the model did not finish within the time allowed")
	ErrRateLimited   = errors.New("the model server is rate limiting requests")
	ErrServer        = errors.New("the model server failed")
	ErrUnreachable   = errors.New("the model server could not be reached")
	ErrContextLength = errors.New("the prompt is longer than the model's context")
	ErrRejected      = errors.New("the model server rejected the request")
	ErrMalformed     = errors.New("the model server sent a malformed stream")
	ErrTruncated     = errors.New("the stream ended before the reply was finished")
)

// ChatError is a failed chat. Errors returned by the caller's delivery func are passed
// back as they are, never wrapped in a ChatError.
type ChatError struct {
	Kind      error // one of the Err* values above
	Status    int   // HTTP status, 0 when there was none
	Attempts  int
	Delivered bool  // some text had been delivered before the failure
	Err       error // the underlying error
}

func (e *ChatError) Error() string {
	s := "llm: chat: " + e.Kind.Error()
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ChatError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// retryable reports whether a failed request may be sent again (when nothing was delivered).
func (e *ChatError) retryable() bool {
	return e.Kind == ErrRateLimited || e.Kind == ErrServer || e.Kind == ErrUnreachable
}

// Chat streams chat completions from an OpenAI-compatible server, with time-outs, bounded
// retries and usage reporting. It is safe for concurrent use.
type Chat struct {
	client *openai.Client
	opts   ChatOptions
	// noStreamUsage is set once a server rejected stream_options; usage is then estimated.
	noStreamUsage atomic.Bool
}

// NewChat checks the configuration and returns a chat client. It makes no request.
func NewChat(cfg Config, opts ChatOptions) (*Chat, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts.defaults()
	switch {
	case opts.Model == "":
		return nil, errors.New("llm: chat: no model named")
	case !modelPattern.MatchString(opts.Model):
		return nil, fmt.Errorf("llm: chat: model %q: want letters, digits and . _ : / -", opts.Model)
	case opts.Temperature < 0 || opts.Temperature > 2:
		return nil, fmt.Errorf("llm: chat: temperature %g: want more than 0, at most 2", opts.Temperature)
	case opts.MaxTokens < 1:
		return nil, fmt.Errorf("llm: chat: max tokens %d: want at least 1", opts.MaxTokens)
	case opts.ConnectTimeout < 0 || opts.FirstTokenTimeout < 0 || opts.IdleTimeout < 0 || opts.Timeout < 0:
		return nil, errors.New("llm: chat: time-outs must be positive")
	}
	cfg.HTTPClient = chatHTTPClient(cfg.HTTPClient, opts.ConnectTimeout)
	return &Chat{client: newClient(cfg), opts: opts}, nil
}

// Model is the configured model (or Azure deployment) name.
func (c *Chat) Model() string { return c.opts.Model }

// MaxTokens is the configured reply budget.
func (c *Chat) MaxTokens() int { return c.opts.MaxTokens }

// chatHTTPClient returns a client whose transport records Retry-After. Without a client of
// the caller's own, it dials with the connect time-out and keeps enough idle connections
// for many concurrent streams.
func chatHTTPClient(hc *http.Client, connect time.Duration) *http.Client {
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext
		t.TLSHandshakeTimeout = connect
		t.MaxIdleConnsPerHost = 128
		hc = &http.Client{Transport: t}
	} else {
		copied := *hc
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = hintTransport{base: base}
	return hc
}

// Stream sends req and delivers the reply's text piece by piece, in order, as the server
// streams it. A failure is a *ChatError; an error from deliver stops the stream and is
// returned as it is. The result holds what was produced even when an error is returned.
//
// Retries (after a 429, a 5xx or a failed connection) happen only while nothing has been
// delivered, so deliver never sees text twice.
func (c *Chat) Stream(ctx context.Context, req ChatRequest, deliver func(piece string) error) (ChatResult, error) {
	if len(req.Messages) == 0 {
		return ChatResult{}, errors.New("llm: chat: no messages")
	}
	parent := ctx
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, ErrDeadline)
	defer cancel()
	var res ChatResult
	retries := 0
	for attempt := 1; ; attempt++ {
		hint := &retryHint{}
		res = ChatResult{Model: c.opts.Model, Attempts: attempt}
		err := c.attempt(context.WithValue(ctx, hintKey{}, hint), req, &res, deliver)
		if err == nil {
			return res, nil
		}
		var ce *ChatError
		if !errors.As(err, &ce) {
			return res, err
		}
		ce.Attempts = attempt
		if parent.Err() != nil {
			// The caller gave up (the turn ended or the server is stopping): not the model's fault.
			return res, parent.Err()
		}
		if ce.Kind == ErrRejected && !ce.Delivered && mentions(ce.Err, "stream_options") && !c.noStreamUsage.Swap(true) {
			continue // an older server without stream_options: ask again without it
		}
		if ce.Delivered || !ce.retryable() || retries >= c.opts.MaxRetries {
			return res, ce
		}
		wait, ok := c.backoff(retries, hint.get())
		if !ok {
			return res, ce
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return res, ce // no time left to wait and try again
		}
		retries++
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if parent.Err() != nil {
				return res, parent.Err()
			}
			return res, ce
		case <-t.C:
		}
	}
}

// backoff is the wait before retry n+1: Retry-After when the server sent one (and it is
// within the cap), else exponential with jitter. ok is false when Retry-After asks for
// longer than the cap allows.
func (c *Chat) backoff(n int, retryAfter time.Duration) (time.Duration, bool) {
	if retryAfter > 0 {
		if retryAfter > c.opts.MaxRetryWait {
			return 0, false
		}
		return retryAfter, true
	}
	d := c.opts.RetryBase << n
	if d <= 0 || d > c.opts.MaxRetryWait {
		d = c.opts.MaxRetryWait
	}
	// Full jitter in [d/2, d): replicas retrying together do not arrive together.
	return d/2 + rand.N(d/2+1), true
}

var (
	errFirstToken = errors.New("first-token time-out")
	errIdle       = errors.New("idle time-out")
)

func (c *Chat) attempt(ctx context.Context, req ChatRequest, res *ChatResult, deliver func(string) error) error {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Until the first chunk the first-token time-out runs; after it, the idle time-out.
	var started atomic.Bool
	timer := time.AfterFunc(c.opts.FirstTokenTimeout, func() {
		if started.Load() {
			cancel(errIdle)
		} else {
			cancel(errFirstToken)
		}
	})
	defer timer.Stop()

	stream, err := c.client.CreateChatCompletionStream(actx, c.request(req))
	if err != nil {
		return c.classify(ctx, actx, err, false)
	}
	defer stream.Close()
	var text strings.Builder
	delivered := false
	for {
		chunk, err := stream.Recv()
		if err == io.EOF && actx.Err() == nil {
			break
		}
		if err != nil {
			res.Text = text.String()
			c.estimate(res, req)
			return c.classify(ctx, actx, err, delivered)
		}
		if !timer.Stop() {
			// The time-out fired while this chunk was arriving: the next Recv reports it.
			continue
		}
		if chunk.Model != "" {
			res.Model = chunk.Model
		}
		if chunk.Usage != nil {
			res.Usage = Usage{PromptTokens: chunk.Usage.PromptTokens, CompletionTokens: chunk.Usage.CompletionTokens, Reported: true}
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.FinishReason != "" && ch.FinishReason != "null" {
				res.FinishReason = string(ch.FinishReason)
			}
			// Reasoning text (ReasoningContent) is never passed on: only the answer is.
			piece := ch.Delta.Content + ch.Delta.Refusal
			if piece == "" {
				continue
			}
			text.WriteString(piece)
			delivered = true
			if err := deliver(piece); err != nil {
				res.Text = text.String()
				c.estimate(res, req)
				return err
			}
		}
		started.Store(true)
		timer.Reset(c.opts.IdleTimeout)
	}
	res.Text = text.String()
	c.estimate(res, req)
	if res.FinishReason == "" {
		// The connection closed without a finish reason or [DONE]: the reply was cut off.
		return &ChatError{Kind: ErrTruncated, Delivered: delivered, Err: io.ErrUnexpectedEOF}
	}
	return nil
}

// estimate fills in usage the server did not report.
func (c *Chat) estimate(res *ChatResult, req ChatRequest) {
	if res.Usage.Reported {
		return
	}
	res.Usage = Usage{PromptTokens: EstimateMessages(req.Messages), CompletionTokens: EstimateTokens(res.Text)}
}

func (c *Chat) request(req ChatRequest) openai.ChatCompletionRequest {
	r := openai.ChatCompletionRequest{Model: c.opts.Model, Stream: true}
	for _, m := range req.Messages {
		r.Messages = append(r.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	if isReasoningModel(c.opts.Model) {
		// These models reject max_tokens and any temperature but their own.
		r.MaxCompletionTokens = c.opts.MaxTokens
	} else {
		r.MaxTokens = c.opts.MaxTokens
		r.Temperature = float32(c.opts.Temperature)
	}
	if !c.noStreamUsage.Load() {
		r.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	return r
}

func isReasoningModel(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

var contextLengthPattern = regexp.MustCompile(`(?i)context[ _-]?(length|window|size)|maximum context|too many tokens|prompt is too long|input is too long|exceeds the .*context`)

// classify turns an error from go-openai or the transport into a *ChatError. ctx is the
// call's context (total deadline), actx the attempt's (first-token and idle time-outs).
func (c *Chat) classify(ctx, actx context.Context, err error, delivered bool) error {
	ce := &ChatError{Delivered: delivered, Err: err}
	switch {
	case ctx.Err() != nil && context.Cause(ctx) == ErrDeadline:
		ce.Kind = ErrDeadline
		return ce
	case ctx.Err() != nil:
		return ctx.Err() // the caller's own cancellation
	case actx.Err() != nil && context.Cause(actx) == errFirstToken:
		ce.Kind = ErrTimeout
		return ce
	case actx.Err() != nil && context.Cause(actx) == errIdle:
		ce.Kind = ErrStalled
		return ce
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		ce.Status = apiErr.HTTPStatusCode
		code, _ := apiErr.Code.(string)
		ce.Kind = kindForStatus(ce.Status, code, apiErr.Type+" "+apiErr.Message)
		return ce
	case errors.As(err, &reqErr):
		ce.Status = reqErr.HTTPStatusCode
		ce.Kind = kindForStatus(ce.Status, "", string(reqErr.Body))
		return ce
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var netErr net.Error
	switch {
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr), errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		ce.Kind = ErrMalformed
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		ce.Kind = ErrTruncated
	case delivered:
		// A read failed part way (connection reset): the reply was cut off.
		ce.Kind = ErrTruncated
	case errors.As(err, &netErr), isConnectionError(err):
		ce.Kind = ErrUnreachable
	case strings.HasPrefix(err.Error(), "error, "):
		// go-openai's wrapping of an error event sent inside the stream.
		ce.Kind = kindForStatus(0, "", err.Error())
	default:
		ce.Kind = ErrRejected // e.g. go-openai refusing a parameter before sending
	}
	return ce
}

func kindForStatus(status int, code, message string) error {
	switch {
	case code == "context_length_exceeded" || code == "string_above_max_length" ||
		((status == 400 || status == 413 || status == 0) && contextLengthPattern.MatchString(message)):
		return ErrContextLength
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		return ErrRejected // billing, not load: retrying cannot help
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == 0 || status == http.StatusRequestTimeout || status == http.StatusConflict || status >= 500:
		return ErrServer
	default:
		return ErrRejected
	}
}

func isConnectionError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

func mentions(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}

// retryHint carries a response's Retry-After from the transport to Stream.
type retryHint struct {
	mu    sync.Mutex
	after time.Duration
}

type hintKey struct{}

func (h *retryHint) set(d time.Duration) {
	h.mu.Lock()
	h.after = d
	h.mu.Unlock()
}

func (h *retryHint) get() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.after
}

// hintTransport records Retry-After (or retry-after-ms) of 429 and 5xx responses into the
// request context's retryHint: go-openai does not expose response headers on errors.
type hintTransport struct{ base http.RoundTripper }

func (t hintTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500) {
		return resp, err
	}
	if h, ok := r.Context().Value(hintKey{}).(*retryHint); ok {
		if d, ok := RetryAfter(resp.Header, time.Now()); ok {
			h.set(d)
		}
	}
	return resp, err
}

// RetryAfter reads how long a server asked to wait: retry-after-ms, or Retry-After as
// seconds or an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// EstimateTokens estimates the tokens of text: about four bytes a token for English, which
// over-counts (the safe side for a budget) for other scripts.
func EstimateTokens(s string) int {
	return (len(s) + 3) / 4
}

// EstimateMessages estimates the prompt tokens of messages, with the few tokens of framing
// each message costs.
func EstimateMessages(msgs []ChatMessage) int {
	n := 3
	for _, m := range msgs {
		n += 4 + EstimateTokens(m.Content)
	}
	return n
}

// Complete asks for one reply and returns its whole text (for callers that need a
// verdict, not a stream, such as the safety classifier's model layer).
func (c *Chat) Complete(ctx context.Context, system, user string) (string, error) {
	res, err := c.Stream(ctx, ChatRequest{Messages: []ChatMessage{{Role: RoleSystem, Content: system}, {Role: RoleUser, Content: user}}},
		func(string) error { return nil })
	if err != nil {
		return "", err
	}
	return res.Text, nil
}
