package assistant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"nightfloat"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/llm"
	"nightfloat/postgres/postgrestest"
	"nightfloat/prompts"
	"nightfloat/retrieval"
	"nightfloat/retrieval/retrievaltest"
	"nightfloat/safety"
)

// mrModel is an httptest server speaking the OpenAI chat-completions streaming protocol
// (SSE "data: {...}" chunks, then "data: [DONE]"). Request n is answered by steps[n] (the
// last step repeats). It is the only stand-in in these tests: the database, retrieval,
// safety classifier, output gate and service are the real ones.
type mrModel struct {
	mu    sync.Mutex
	steps []mrStep
	reqs  []mrRequest
	// onSend, when set, is called just before chunk i of a reply is written (i ==
	// len(pieces) for the finishing chunk).
	onSend func(req mrRequest, i int)
}

type mrStep struct {
	status     int
	errBody    string
	retryAfter string
	pieces     []string
	reply      func(req mrRequest) []string // pieces computed from the request
	every      time.Duration
	delay      time.Duration
	stallAfter int    // >0: after this many pieces, send nothing more
	raw        string // written verbatim after the pieces
	noFinish   bool
	usage      [2]int // prompt and completion tokens for a final usage chunk; zero: none
}

type mrRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	MaxTokens     int            `json:"max_tokens"`
	StreamOptions map[string]any `json:"stream_options"`
}

func (r mrRequest) system() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[0].Content
}

func (r mrRequest) last() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

var mrSourceLine = regexp.MustCompile(`(?m)^\[([a-z0-9-]+#[0-9]+)\] `)

// sourceIDs are the chunk ids the prompt gave the model.
func (r mrRequest) sourceIDs() []string {
	var ids []string
	for _, m := range mrSourceLine.FindAllStringSubmatch(r.system(), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func (f *mrModel) requests() []mrRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mrRequest(nil), f.reqs...)
}

func (f *mrModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req mrRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	st := f.steps[min(len(f.reqs), len(f.steps)-1)]
	f.reqs = append(f.reqs, req)
	onSend := f.onSend
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
	pieces := st.pieces
	if st.reply != nil {
		pieces = st.reply(req)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	send := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return r.Context().Err() == nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return false
		case <-t.C:
			return true
		}
	}
	if !wait(st.delay) {
		return
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for i, p := range pieces {
		if st.stallAfter > 0 && i == st.stallAfter {
			<-r.Context().Done()
			return
		}
		if i > 0 && !wait(st.every) {
			return
		}
		if onSend != nil {
			onSend(req, i)
		}
		send(map[string]any{"content": p}, nil)
	}
	if st.raw != "" {
		fmt.Fprint(w, st.raw)
		fl.Flush()
	}
	if st.noFinish {
		return
	}
	if len(pieces) > 0 && !wait(st.every) {
		return
	}
	if onSend != nil {
		onSend(req, len(pieces))
	}
	send(map[string]any{}, "stop")
	if st.usage != [2]int{} {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": req.Model, "choices": []any{},
			"usage": map[string]int{"prompt_tokens": st.usage[0], "completion_tokens": st.usage[1], "total_tokens": st.usage[0] + st.usage[1]}})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}

var mrCrisis = assistant.CrisisResources{Institution: "Test General", OncallPhone: "555-0100", OncallLabel: "Test on-call"}

type mrEnv struct {
	db    *postgrestest.DB
	svc   *assistant.Service
	model *mrModel
	usage *assistant.UsageStore
}

type mrConfig struct {
	limits  assistant.UsageLimits
	chat    func(*llm.ChatOptions)
	context int // model context tokens
	db      *postgrestest.DB
	opts    assistant.Options
}

func mrSetup(tb testing.TB, model *mrModel, cfg mrConfig) *mrEnv {
	tb.Helper()
	db, emb := cfg.db, retrieval.Embedder(nil)
	if db == nil {
		db, emb = retrievaltest.ContentDB(tb, "../content")
	} else {
		var err error
		if emb, err = retrieval.NewLocalEmbedder(0); err != nil {
			tb.Fatal(err)
		}
	}
	srv := httptest.NewServer(model)
	tb.Cleanup(srv.Close)
	opts := llm.ChatOptions{Model: "test-model", FirstTokenTimeout: 700 * time.Millisecond, IdleTimeout: 400 * time.Millisecond,
		Timeout: 8 * time.Second, RetryBase: 10 * time.Millisecond, MaxRetryWait: 2 * time.Second}
	if cfg.chat != nil {
		cfg.chat(&opts)
	}
	chat, err := llm.NewChat(llm.Config{BaseURL: srv.URL + "/v1"}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := prompts.Load()
	if err != nil {
		tb.Fatal(err)
	}
	classifier, err := safety.New()
	if err != nil {
		tb.Fatal(err)
	}
	searcher, err := retrieval.NewSearcher(db.Pool, emb, retrieval.SearchOptions{IncludeDrafts: true})
	if err != nil {
		tb.Fatal(err)
	}
	usage := assistant.NewUsageStore(db.Pool)
	responder, err := assistant.NewModelResponder(assistant.ModelResponderOptions{
		Chat: chat, Prompts: set, Fallback: assistant.VettedResponder{Crisis: mrCrisis}, Crisis: mrCrisis,
		Usage: usage, Limits: cfg.limits, ContextTokens: cfg.context, ReplyTokens: chat.MaxTokens(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	o := cfg.opts
	if o.TurnLease == 0 {
		o.TurnLease = 3 * time.Second
	}
	svc := assistant.NewService(assistant.Deps{
		Store: assistant.NewStore(db.Pool), Hub: assistant.NewHub(), Classifier: classifier, Retriever: searcher,
		Responder: responder, Crisis: mrCrisis, Logger: slog.New(slog.DiscardHandler),
	}, o)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	return &mrEnv{db: db, svc: svc, model: model, usage: usage}
}

// mrTurn is what one resident message produced.
type mrTurn struct {
	conv   assistant.Conversation
	seq    int64
	deltas []string
	reply  assistant.Message // the stored answer (assistant text, or the withheld/error notice)
	meta   map[string]any
}

// ask sends text in conv (a new conversation of role when conv is empty) and waits until
// the answer is stored.
func (e *mrEnv) ask(tb testing.TB, conv assistant.Conversation, role nightfloat.Role, text string) mrTurn {
	tb.Helper()
	ctx := context.Background()
	if conv.ID == "" {
		var err error
		if conv, _, err = e.svc.Start(ctx, role); err != nil {
			tb.Fatal(err)
		}
	}
	var mu sync.Mutex
	var deltas []string
	unsub := e.svc.Hub().Subscribe(conv.ID, func(ev assistant.Event) bool {
		if ev.Kind == assistant.EventDelta {
			mu.Lock()
			deltas = append(deltas, ev.Text)
			mu.Unlock()
		}
		return true
	}, nil)
	defer unsub()
	msg, _, err := e.svc.Submit(ctx, conv, fmt.Sprintf("c-%d", time.Now().UnixNano()), text)
	if err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs, err := e.svc.Store().After(ctx, conv.ID, msg.Seq, 50)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range msgs {
			if m.ReplyTo == msg.Seq && m.Kind != assistant.KindDisclosure {
				var raw []byte
				if err := e.db.Pool.QueryRow(ctx, `SELECT meta FROM messages WHERE conversation_id = $1 AND seq = $2`, conv.ID, m.Seq).Scan(&raw); err != nil {
					tb.Fatal(err)
				}
				var meta map[string]any
				_ = json.Unmarshal(raw, &meta)
				mu.Lock()
				defer mu.Unlock()
				return mrTurn{conv: conv, seq: msg.Seq, deltas: append([]string(nil), deltas...), reply: m, meta: meta}
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no answer to %q stored; have %+v", text, msgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const nightFloatQuestion = "How do I get my day-sleep back on track during my first week of night float?"

// citingReply writes a supportive reply citing the first source it was given, plus an id
// it was not given (which must not count).
func citingReply(req mrRequest) []string {
	ids := req.sourceIDs()
	cite := "[" + ids[0] + "]"
	return []string{"That first", " week of nights", " is brutal, and", " broken day-sleep after it", " is really common.",
		" One thing that helps", " is keeping a single", " anchor sleep window", " every working day ", cite, ".",
		" Would you be willing", " to try protecting one", " block tomorrow", " [made-up-doc#9]", "?"}
}

const citingText = "That first week of nights is brutal, and broken day-sleep after it is really common. One thing that helps is keeping a single anchor sleep window every working day. Would you be willing to try protecting one block tomorrow?"

func TestModelReplyStreamsAsDeltasAndIsStoredWholeWithCitations(t *testing.T) {
	model := &mrModel{steps: []mrStep{{reply: citingReply, every: 5 * time.Millisecond, usage: [2]int{1234, 56}}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", nightFloatQuestion)

	if turn.reply.Author != assistant.AuthorAssistant || turn.reply.Kind != assistant.KindText {
		t.Fatalf("stored %+v", turn.reply)
	}
	if turn.reply.Body != citingText {
		t.Fatalf("stored body\n%q\nwant\n%q", turn.reply.Body, citingText)
	}
	if len(turn.deltas) < 3 || strings.Join(turn.deltas, "") != citingText {
		t.Fatalf("deltas %q", turn.deltas)
	}
	req := model.requests()[0]
	if got := turn.reply.Citations; len(got) != 1 || got[0].ChunkID != req.sourceIDs()[0] || got[0].Title == "" {
		t.Fatalf("citations %+v, want %s", got, req.sourceIDs()[0])
	}
	if turn.meta["prompt_id"] != "resident" || turn.meta["prompt_version"] != "1" || turn.meta["model"] != "test-model" {
		t.Fatalf("meta %v", turn.meta)
	}
	// The prompt: the resident's role prompt with the retrieved chunk ids, and the message last.
	if !strings.Contains(req.system(), "night float") || !strings.Contains(req.system(), "Do not prescribe or dose") || len(req.sourceIDs()) == 0 {
		t.Fatalf("system prompt:\n%s", req.system())
	}
	if req.last() != nightFloatQuestion || req.StreamOptions["include_usage"] != true {
		t.Fatalf("request %+v", req)
	}
	// Usage from the stream's final chunk, per conversation and day.
	var prompt, completion, requests, estimated int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT prompt_tokens, completion_tokens, requests, estimated FROM model_usage WHERE conversation_id = $1`,
		turn.conv.ID).Scan(&prompt, &completion, &requests, &estimated); err != nil {
		t.Fatal(err)
	}
	if prompt != 1234 || completion != 56 || requests != 1 || estimated != 0 {
		t.Fatalf("usage %d %d %d %d", prompt, completion, requests, estimated)
	}

	// A second message carries the first exchange as history.
	model.mu.Lock()
	model.steps = []mrStep{{pieces: []string{"Thanks for telling me."}}}
	model.mu.Unlock()
	e.ask(t, turn.conv, "", "ok I'll try that")
	second := model.requests()[1]
	var roles []string
	for _, m := range second.Messages {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "system,user,assistant,user" || second.Messages[2].Content != citingText {
		t.Fatalf("second request roles %v: %+v", roles, second.Messages)
	}
	tot, err := e.usage.Totals(context.Background(), time.Now(), turn.conv.ID)
	if err != nil || tot.Conversation <= 1290 || tot.Day != tot.Conversation {
		t.Fatalf("totals %+v %v", tot, err)
	}
}

func TestUnsafeSentenceMidStreamNeverReachesTheResident(t *testing.T) {
	model := &mrModel{steps: []mrStep{{pieces: []string{"That sounds like", " a brutal night.", " Take 40 of", " the 50 mg", " tablets.", " Then rest."}, every: 5 * time.Millisecond}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", "I can't sleep after call, what should I do")
	if turn.reply.Kind != assistant.KindWithheld || strings.Contains(turn.reply.Body, "mg") {
		t.Fatalf("stored %+v", turn.reply)
	}
	all := strings.Join(turn.deltas, "")
	if strings.Contains(all, "40") || strings.Contains(all, "mg") || strings.Contains(all, "Then rest") {
		t.Fatalf("unsafe text reached the resident: %q", all)
	}
	if all != "That sounds like a brutal night. " {
		t.Fatalf("deltas %q", turn.deltas)
	}
	if turn.meta["prompt_id"] != "resident" || turn.meta["model"] != "test-model" {
		t.Fatalf("meta %v", turn.meta)
	}
}

func TestModelFailuresFallBackOrFinishCutShort(t *testing.T) {
	okPieces := []string{"That sounds", " exhausting.", " One small", " step: rest", " when you can."}
	const okText = "That sounds exhausting. One small step: rest when you can."
	tests := []struct {
		name     string
		steps    []mrStep
		want     string // "model", "vetted" or "cut"
		requests int
		note     string
	}{
		{"time-out before the first token", []mrStep{{delay: 3 * time.Second, pieces: okPieces}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"429 then success", []mrStep{{status: 429, retryAfter: "0.05", errBody: `{"error":{"message":"Rate limit reached","type":"requests"}}`}, {pieces: okPieces}}, "model", 2, ""},
		{"5xx exhausted", []mrStep{{status: 503, errBody: `{"error":{"message":"The engine is currently overloaded","type":"server_error"}}`}}, "vetted", 3, assistant.NoteModelUnavailable},
		{"unreachable auth", []mrStep{{status: 401, errBody: `{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}`}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"stall mid-stream", []mrStep{{pieces: okPieces, stallAfter: 3}}, "cut", 1, assistant.NoteCutShort},
		{"malformed chunk mid-stream", []mrStep{{pieces: okPieces[:2], raw: "data: {\"choices\":[{\"delta\":{\"content\":\"and\n\n", noFinish: true}}, "cut", 1, assistant.NoteCutShort},
		{"malformed first chunk", []mrStep{{raw: "data: {not json}\n\n", noFinish: true}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"connection dropped mid-stream", []mrStep{{pieces: okPieces[:3], noFinish: true}}, "cut", 1, assistant.NoteCutShort},
		{"empty reply", []mrStep{{pieces: []string{}}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"context length, trimmed and retried once", []mrStep{{status: 400, errBody: `{"error":{"message":"This model's maximum context length is 8192 tokens.","code":"context_length_exceeded"}}`}, {pieces: okPieces}}, "model", 2, ""},
		{"context length twice", []mrStep{{status: 400, errBody: `{"error":{"message":"maximum context length exceeded","code":"context_length_exceeded"}}`}}, "vetted", 2, assistant.NoteModelUnavailable},
	}
	db, _ := retrievaltest.ContentDB(t, "../content")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := &mrModel{steps: tt.steps}
			e := mrSetup(t, model, mrConfig{db: db})
			turn := e.ask(t, assistant.Conversation{}, "resident", "Rough 24 hour call, three admissions overnight and now I'm wired and tired at home")
			if turn.reply.Author != assistant.AuthorAssistant || turn.reply.Kind != assistant.KindText {
				t.Fatalf("stored %+v", turn.reply)
			}
			body, deltas := turn.reply.Body, strings.Join(turn.deltas, "")
			switch tt.want {
			case "model":
				if body != okText || turn.meta["model"] != "test-model" {
					t.Fatalf("body %q meta %v", body, turn.meta)
				}
			case "vetted":
				if turn.meta["prompt_id"] != assistant.VettedResponderID || !strings.HasSuffix(body, "\n\n"+tt.note) || !strings.HasPrefix(body, deltas) || deltas == "" {
					t.Fatalf("body %q meta %v deltas %q", body, turn.meta, deltas)
				}
			case "cut":
				if !strings.HasSuffix(body, "\n\n"+tt.note) || !strings.HasPrefix(okText, strings.TrimSpace(strings.TrimSuffix(body, "\n\n"+tt.note))) || deltas == "" || turn.meta["model"] != "test-model" {
					t.Fatalf("body %q meta %v deltas %q", body, turn.meta, deltas)
				}
				if !strings.HasPrefix(body, deltas) {
					t.Fatalf("stored %q does not start with what was streamed %q", body, deltas)
				}
			}
			if got := len(model.requests()); got != tt.requests {
				t.Fatalf("%d requests, want %d", got, tt.requests)
			}
			if strings.Contains(tt.name, "context length") {
				reqs := model.requests()
				if len(reqs[1].system()) >= len(reqs[0].system()) && len(reqs[1].Messages) >= len(reqs[0].Messages) {
					t.Fatalf("retry was not shorter: %d/%d chars", len(reqs[1].system()), len(reqs[0].system()))
				}
				if reqs[1].last() != reqs[0].last() || len(reqs[1].sourceIDs()) == 0 {
					t.Fatalf("retry lost the message or every source")
				}
			}
		})
	}
}

func TestContextLengthRetryDropsOldestHistoryFirst(t *testing.T) {
	tooLong := mrStep{status: 400, errBody: `{"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"invalid_request_error"}}`}
	noted := mrStep{pieces: []string{"Noted."}}
	model := &mrModel{steps: []mrStep{noted, noted, noted, noted, tooLong, {pieces: []string{"Still here."}}}}
	e := mrSetup(t, model, mrConfig{})
	var conv assistant.Conversation
	for i := range 4 {
		conv = e.ask(t, conv, "fellow", fmt.Sprintf("message %d: the fellowship job search is wearing me down", i)).conv
	}
	before := len(model.requests())
	turn := e.ask(t, conv, "", "message 4: and my co-fellow just left")
	if turn.reply.Body != "Still here." {
		t.Fatalf("body %q", turn.reply.Body)
	}
	reqs := model.requests()[before:]
	first, retry := reqs[0], reqs[1]
	if len(retry.Messages) >= len(first.Messages) || retry.last() != first.last() || !strings.HasPrefix(retry.last(), "message 4") {
		t.Fatalf("retry has %d messages (first %d), last %q", len(retry.Messages), len(first.Messages), retry.last())
	}
	// What is kept is the newest history: the retry's history is a suffix of the first's.
	tail := first.Messages[len(first.Messages)-len(retry.Messages)+1:]
	for i, m := range retry.Messages[1:] {
		if m != tail[i] {
			t.Fatalf("retry message %d %+v, want %+v", i, m, tail[i])
		}
	}
}

func TestHistoryIsTrimmedToTheTokenBudget(t *testing.T) {
	model := &mrModel{steps: []mrStep{{pieces: []string{"I hear you."}}}}
	// A small context: the prompt and the latest message fit, with room for little history.
	e := mrSetup(t, model, mrConfig{context: 4096, chat: func(o *llm.ChatOptions) { o.MaxTokens = 300 }})
	var conv assistant.Conversation
	long := strings.Repeat("The pager would not stop and I kept thinking about the patient in bed twelve. ", 30)
	for i := range 6 {
		conv = e.ask(t, conv, "resident", fmt.Sprintf("night %d. %s", i, long)).conv
	}
	reqs := model.requests()
	last := reqs[len(reqs)-1]
	if !strings.HasPrefix(last.last(), "night 5.") || !strings.Contains(last.system(), "[") {
		t.Fatalf("latest message or sources missing")
	}
	total := 0
	for _, m := range last.Messages {
		total += llm.EstimateTokens(m.Content) + 4
	}
	if total > 4096-300 || len(last.Messages) >= 12 || len(last.Messages) < 3 {
		t.Fatalf("%d messages, ~%d tokens: not trimmed to the budget", len(last.Messages), total)
	}
	if last.Messages[1].Role != "user" {
		t.Fatalf("history starts with %s", last.Messages[1].Role)
	}
}

func TestDailyLimitsAnswerFromVettedContent(t *testing.T) {
	db, _ := retrievaltest.ContentDB(t, "../content")
	for _, tt := range []struct {
		name   string
		limits assistant.UsageLimits
		note   string
	}{
		{"service", assistant.UsageLimits{DailyTokens: 1000}, assistant.NoteDailyLimit},
		{"conversation", assistant.UsageLimits{ConversationTokens: 1000}, assistant.NoteConversationLimit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			model := &mrModel{steps: []mrStep{{pieces: []string{"A model reply."}, usage: [2]int{900, 200}}}}
			e := mrSetup(t, model, mrConfig{db: db, limits: tt.limits})
			first := e.ask(t, assistant.Conversation{}, "attending", "I'm supervising residents while completely burned out myself")
			if first.reply.Body != "A model reply." {
				t.Fatalf("first reply %q", first.reply.Body)
			}
			second := e.ask(t, first.conv, "", "and I don't know who to tell")
			if !strings.HasSuffix(second.reply.Body, "\n\n"+tt.note) || second.meta["prompt_id"] != assistant.VettedResponderID {
				t.Fatalf("second reply %q meta %v", second.reply.Body, second.meta)
			}
			if len(model.requests()) != 1 {
				t.Fatalf("%d model requests over the limit", len(model.requests()))
			}
			// Another conversation: the service limit still applies, the conversation limit does not.
			other := e.ask(t, assistant.Conversation{}, "attending", "I'm supervising residents while completely burned out myself")
			if tt.name == "service" && !strings.HasSuffix(other.reply.Body, tt.note) {
				t.Fatalf("other conversation %q", other.reply.Body)
			}
			if tt.name == "conversation" && other.reply.Body != "A model reply." {
				t.Fatalf("other conversation %q", other.reply.Body)
			}
			_, _ = db.Pool.Exec(context.Background(), `DELETE FROM model_usage`)
		})
	}
}

func TestConcernAddsPeopleToReachFromVettedText(t *testing.T) {
	model := &mrModel{steps: []mrStep{{pieces: []string{"That sounds", " exhausting,", " and it makes sense."}}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", "I just finished my first week of night float and I can't sleep during the day at all")
	body := turn.reply.Body
	req := model.requests()[0]
	if !strings.Contains(req.system(), "signs of distress") || !strings.HasPrefix(body, "That sounds exhausting, and it makes sense.\n\n") ||
		!strings.HasSuffix(body, mrCrisis.Text(safety.Concern)) || strings.Join(turn.deltas, "") != body {
		t.Fatalf("concern: the prompt should say so and the reply end with people to reach: %q", body)
	}
}

func TestModelResponderValidates(t *testing.T) {
	set, _ := prompts.Load()
	for _, o := range []assistant.ModelResponderOptions{
		{},
		{Prompts: set, Fallback: assistant.VettedResponder{}},
	} {
		if _, err := assistant.NewModelResponder(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestEveryRoleHasAPrompt(t *testing.T) {
	set, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range nightfloat.Roles {
		if _, err := set.For(r); err != nil {
			t.Error(err)
		}
	}
}

// TestWorryAboutSomeoneEndsWithWhenToEscalateForThem: a non-imminent worry about someone
// else ends with vetted text on helping them, not with the resident's own crisis lines.
func TestWorryAboutSomeoneEndsWithWhenToEscalateForThem(t *testing.T) {
	model := &mrModel{steps: []mrStep{{pieces: []string{"Asking them", " directly", " is a good start."}}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", "my friend said he wants to kill himself, what do I do?")
	body := turn.reply.Body
	if !strings.HasPrefix(body, "Asking them directly is a good start.") || !strings.Contains(body, "call or text 988 together") ||
		strings.Contains(body, "You don't have to carry this alone") || strings.Join(turn.deltas, "") != body {
		t.Fatalf("worry: the reply should end with when to escalate for them: %q", body)
	}
}
