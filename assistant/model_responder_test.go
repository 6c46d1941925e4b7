package assistant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/assistant/assistanttest"
	"nightfloat/llm"
	"nightfloat/llm/llmtest"
	"nightfloat/postgres/postgrestest"
	"nightfloat/prompts"
	"nightfloat/retrieval/retrievaltest"
	"nightfloat/safety"
)

var mrSourceLine = regexp.MustCompile(`(?m)^\[([a-z0-9-]+#[0-9]+)\] `)

// sourceIDs are the chunk ids the prompt gave the model.
func sourceIDs(req llmtest.Request) []string {
	var ids []string
	for _, m := range mrSourceLine.FindAllStringSubmatch(req.System(), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

type mrEnv struct {
	db    *postgrestest.DB
	svc   *assistant.Service
	model *llmtest.Server
	usage *assistant.UsageStore
}

type mrConfig struct {
	limits  assistant.UsageLimits
	chat    func(*llm.ChatOptions)
	context int // model context tokens
	db      *postgrestest.DB
	opts    assistant.Options
}

// mrSetup is a real service whose responder is the model behind model: the model server
// is the only stand-in; the database, retrieval, safety classifier, output gate and
// service are the real ones.
func mrSetup(tb testing.TB, model *llmtest.Server, cfg mrConfig) *mrEnv {
	tb.Helper()
	db := cfg.db
	if db == nil {
		db, _ = retrievaltest.ContentDB(tb, "../content")
	}
	opts := llm.ChatOptions{Model: "test-model", FirstTokenTimeout: 700 * time.Millisecond, IdleTimeout: 400 * time.Millisecond,
		Timeout: 8 * time.Second, RetryBase: 10 * time.Millisecond, MaxRetryWait: 2 * time.Second}
	if cfg.chat != nil {
		cfg.chat(&opts)
	}
	chat, err := llm.NewChat(llm.Config{BaseURL: model.Start(tb) + "/v1"}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := prompts.Load()
	if err != nil {
		tb.Fatal(err)
	}
	usage := assistant.NewUsageStore(db.Pool)
	crisis := assistanttest.Crisis()
	responder, err := assistant.NewModelResponder(assistant.ModelResponderOptions{
		Chat: chat, Prompts: set, Fallback: assistant.VettedResponder{Crisis: crisis}, Crisis: crisis,
		Usage: usage, Limits: cfg.limits, ContextTokens: cfg.context, ReplyTokens: chat.MaxTokens(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	o := cfg.opts
	if o.TurnLease == 0 {
		o.TurnLease = 3 * time.Second
	}
	svc := assistanttest.NewService(tb, db, assistanttest.Options{Service: o, Deps: func(d *assistant.Deps) { d.Responder = responder }})
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
func citingReply(req llmtest.Request) []string {
	ids := sourceIDs(req)
	cite := "[" + ids[0] + "]"
	return []string{"That first", " week of nights", " is brutal, and", " broken day-sleep after it", " is really common.",
		" One thing that helps", " is keeping a single", " anchor sleep window", " every working day ", cite, ".",
		" Would you be willing", " to try protecting one", " block tomorrow", " [made-up-doc#9]", "?"}
}

const citingText = "That first week of nights is brutal, and broken day-sleep after it is really common. One thing that helps is keeping a single anchor sleep window every working day. Would you be willing to try protecting one block tomorrow?"

func TestModelReplyStreamsAsDeltasAndIsStoredWholeWithCitations(t *testing.T) {
	model := &llmtest.Server{Steps: []llmtest.Step{{Reply: citingReply, Every: 5 * time.Millisecond, Usage: llmtest.Usage{Prompt: 1234, Completion: 56}}}}
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
	req := model.Requests()[0]
	if got := turn.reply.Citations; len(got) != 1 || got[0].ChunkID != sourceIDs(req)[0] || got[0].Title == "" {
		t.Fatalf("citations %+v, want %s", got, sourceIDs(req)[0])
	}
	if turn.meta["prompt_id"] != "resident" || turn.meta["prompt_version"] != "1" || turn.meta["model"] != "test-model" {
		t.Fatalf("meta %v", turn.meta)
	}
	// The prompt: the resident's role prompt with the retrieved chunk ids, and the message last.
	if !strings.Contains(req.System(), "night float") || !strings.Contains(req.System(), "Do not prescribe or dose") || len(sourceIDs(req)) == 0 {
		t.Fatalf("system prompt:\n%s", req.System())
	}
	if req.Last() != nightFloatQuestion || req.StreamOptions["include_usage"] != true {
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
	model.SetSteps(llmtest.Step{Pieces: []string{"Thanks for telling me."}})
	e.ask(t, turn.conv, "", "ok I'll try that")
	second := model.Requests()[1]
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
	model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{"That sounds like", " a brutal night.", " Take 40 of", " the 50 mg", " tablets.", " Then rest."}, Every: 5 * time.Millisecond}}}
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
		steps    []llmtest.Step
		want     string // "model", "vetted" or "cut"
		requests int
		note     string
	}{
		{"time-out before the first token", []llmtest.Step{{Delay: 3 * time.Second, Pieces: okPieces}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"429 then success", []llmtest.Step{{Status: 429, RetryAfter: "0.05", Body: `{"error":{"message":"Rate limit reached","type":"requests"}}`}, {Pieces: okPieces}}, "model", 2, ""},
		{"5xx exhausted", []llmtest.Step{{Status: 503, Body: `{"error":{"message":"The engine is currently overloaded","type":"server_error"}}`}}, "vetted", 3, assistant.NoteModelUnavailable},
		{"unreachable auth", []llmtest.Step{{Status: 401, Body: `{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}`}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"stall mid-stream", []llmtest.Step{{Pieces: okPieces, StallAfter: 3}}, "cut", 1, assistant.NoteCutShort},
		{"malformed chunk mid-stream", []llmtest.Step{{Pieces: okPieces[:2], Raw: "data: {\"choices\":[{\"delta\":{\"content\":\"and\n\n", NoFinish: true}}, "cut", 1, assistant.NoteCutShort},
		{"malformed first chunk", []llmtest.Step{{Raw: "data: {not json}\n\n", NoFinish: true}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"connection dropped mid-stream", []llmtest.Step{{Pieces: okPieces[:3], NoFinish: true}}, "cut", 1, assistant.NoteCutShort},
		{"empty reply", []llmtest.Step{{Pieces: []string{}}}, "vetted", 1, assistant.NoteModelUnavailable},
		{"context length, trimmed and retried once", []llmtest.Step{{Status: 400, Body: `{"error":{"message":"This model's maximum context length is 8192 tokens.","code":"context_length_exceeded"}}`}, {Pieces: okPieces}}, "model", 2, ""},
		{"context length twice", []llmtest.Step{{Status: 400, Body: `{"error":{"message":"maximum context length exceeded","code":"context_length_exceeded"}}`}}, "vetted", 2, assistant.NoteModelUnavailable},
	}
	db, _ := retrievaltest.ContentDB(t, "../content")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := &llmtest.Server{Steps: tt.steps}
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
			if got := len(model.Requests()); got != tt.requests {
				t.Fatalf("%d requests, want %d", got, tt.requests)
			}
			if strings.Contains(tt.name, "context length") {
				reqs := model.Requests()
				if len(reqs[1].System()) >= len(reqs[0].System()) && len(reqs[1].Messages) >= len(reqs[0].Messages) {
					t.Fatalf("retry was not shorter: %d/%d chars", len(reqs[1].System()), len(reqs[0].System()))
				}
				if reqs[1].Last() != reqs[0].Last() || len(sourceIDs(reqs[1])) == 0 {
					t.Fatalf("retry lost the message or every source")
				}
			}
		})
	}
}

func TestContextLengthRetryDropsOldestHistoryFirst(t *testing.T) {
	tooLong := llmtest.Step{Status: 400, Body: `{"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"invalid_request_error"}}`}
	noted := llmtest.Step{Pieces: []string{"Noted."}}
	model := &llmtest.Server{Steps: []llmtest.Step{noted, noted, noted, noted, tooLong, {Pieces: []string{"Still here."}}}}
	e := mrSetup(t, model, mrConfig{})
	var conv assistant.Conversation
	for i := range 4 {
		conv = e.ask(t, conv, "fellow", fmt.Sprintf("message %d: the fellowship job search is wearing me down", i)).conv
	}
	before := len(model.Requests())
	turn := e.ask(t, conv, "", "message 4: and the next interview is on tuesday")
	if turn.reply.Body != "Still here." {
		t.Fatalf("body %q", turn.reply.Body)
	}
	reqs := model.Requests()[before:]
	first, retry := reqs[0], reqs[1]
	if len(retry.Messages) >= len(first.Messages) || retry.Last() != first.Last() || !strings.HasPrefix(retry.Last(), "message 4") {
		t.Fatalf("retry has %d messages (first %d), last %q", len(retry.Messages), len(first.Messages), retry.Last())
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
	model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{"I hear you."}}}}
	// A small context: the prompt and the latest message fit, with room for little history.
	e := mrSetup(t, model, mrConfig{context: 4096, chat: func(o *llm.ChatOptions) { o.MaxTokens = 300 }})
	var conv assistant.Conversation
	long := strings.Repeat("The pager would not stop and I kept thinking about the patient in bed twelve. ", 30)
	for i := range 6 {
		conv = e.ask(t, conv, "resident", fmt.Sprintf("night %d. %s", i, long)).conv
	}
	reqs := model.Requests()
	last := reqs[len(reqs)-1]
	if !strings.HasPrefix(last.Last(), "night 5.") || !strings.Contains(last.System(), "[") {
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
			model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{"A model reply."}, Usage: llmtest.Usage{Prompt: 900, Completion: 200}}}}
			e := mrSetup(t, model, mrConfig{db: db, limits: tt.limits})
			first := e.ask(t, assistant.Conversation{}, "attending", "I'm supervising residents while completely burned out myself")
			if first.reply.Body != "A model reply." {
				t.Fatalf("first reply %q", first.reply.Body)
			}
			second := e.ask(t, first.conv, "", "and I don't know who to tell")
			if !strings.HasSuffix(second.reply.Body, "\n\n"+tt.note) || second.meta["prompt_id"] != assistant.VettedResponderID {
				t.Fatalf("second reply %q meta %v", second.reply.Body, second.meta)
			}
			if len(model.Requests()) != 1 {
				t.Fatalf("%d model requests over the limit", len(model.Requests()))
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
	model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{"That sounds", " exhausting,", " and it makes sense."}}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", "I just finished my first week of night float and I can't sleep during the day at all")
	body := turn.reply.Body
	req := model.Requests()[0]
	if !strings.Contains(req.System(), "signs of distress") || !strings.HasPrefix(body, "That sounds exhausting, and it makes sense.\n\n") ||
		!strings.HasSuffix(body, assistanttest.Crisis().Text(safety.Concern)) || strings.Join(turn.deltas, "") != body {
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
	model := &llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{"Asking them", " directly", " is a good start."}}}}
	e := mrSetup(t, model, mrConfig{})
	turn := e.ask(t, assistant.Conversation{}, "resident", "my friend said he wants to kill himself, what do I do?")
	body := turn.reply.Body
	if !strings.HasPrefix(body, "Asking them directly is a good start.") || !strings.Contains(body, "call or text 988 together") ||
		strings.Contains(body, "You don't have to carry this alone") || strings.Join(turn.deltas, "") != body {
		t.Fatalf("worry: the reply should end with when to escalate for them: %q", body)
	}
}
