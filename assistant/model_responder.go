package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nightfloat/llm"
	"nightfloat/prompts"
	"nightfloat/retrieval"
	"nightfloat/safety"
)

// Notes shown after a reply (Reply.Note) when the model could not answer normally.
const (
	NoteModelUnavailable  = "The AI model was unavailable, so this answer comes from vetted content directly."
	NoteCutShort          = "This reply was cut short because the AI model stopped responding part way through. Everything above was checked before it was shown; you can send your message again."
	NoteLengthLimit       = "This reply reached its length limit, so it may end part way through a thought. You can ask me to go on."
	NoteDailyLimit        = "The AI model has reached its daily limit for this service, so this answer comes from vetted content directly."
	NoteConversationLimit = "This conversation has reached today's limit for the AI model, so this answer comes from vetted content directly."
)

// ChatStreamer is the streaming model client the ModelResponder uses (*llm.Chat).
type ChatStreamer interface {
	Stream(ctx context.Context, req llm.ChatRequest, deliver func(piece string) error) (llm.ChatResult, error)
	Model() string
}

// ModelResponderOptions configure a ModelResponder.
type ModelResponderOptions struct {
	Chat     ChatStreamer
	Prompts  *prompts.Set
	Fallback Responder // answers when the model cannot (normally VettedResponder)
	Crisis   CrisisResources
	// Usage records tokens and enforces Limits; nil records nothing and limits nothing.
	Usage  *UsageStore
	Limits UsageLimits
	// ContextTokens is the model's context window (default 8192); ReplyTokens the part kept
	// free for the reply (default 600, the model's max tokens).
	ContextTokens int
	ReplyTokens   int
	// FallbackReserve is how long before the turn's deadline the model is given up on, so
	// that the fallback still has time to answer (default 5s).
	FallbackReserve time.Duration
	Logger          *slog.Logger
	Now             func() time.Time
}

// ModelResponder answers in the model's own words, grounded in the retrieved vetted
// content, with the role's versioned prompt. Pieces stream through emit as the model
// writes them, with citation markers ([doc#n]) taken out of the text and recorded in
// Reply.Cited. When the model is unavailable, over its daily limit, or fails before
// anything was shown, the fallback answers and Reply.Note says why; when it fails part way
// the text so far is kept and the Note says it was cut short.
type ModelResponder struct {
	o ModelResponderOptions
}

// NewModelResponder checks the options and returns a responder.
func NewModelResponder(o ModelResponderOptions) (*ModelResponder, error) {
	switch {
	case o.Chat == nil:
		return nil, errors.New("assistant: model responder: no chat client")
	case o.Prompts == nil:
		return nil, errors.New("assistant: model responder: no prompts")
	case o.Fallback == nil:
		return nil, errors.New("assistant: model responder: no fallback responder")
	}
	if o.ContextTokens <= 0 {
		o.ContextTokens = 8192
	}
	if o.ReplyTokens <= 0 {
		o.ReplyTokens = 600
	}
	if o.ContextTokens < o.ReplyTokens+512 {
		return nil, fmt.Errorf("assistant: model responder: a context of %d tokens leaves too little room beside %d reply tokens", o.ContextTokens, o.ReplyTokens)
	}
	if o.FallbackReserve <= 0 {
		o.FallbackReserve = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &ModelResponder{o: o}, nil
}

// Respond implements Responder.
func (m *ModelResponder) Respond(ctx context.Context, req Request, emit func(string) error) (Reply, error) {
	log := m.o.Logger.With("conversation_id", req.Conversation.ID, "seq", req.Message.Seq)
	if note, over := m.overLimit(ctx, req, log); over {
		return m.fallback(ctx, req, emit, note)
	}
	p, err := m.o.Prompts.For(req.Conversation.Role)
	if err != nil {
		log.Error("no prompt for the role; answering from vetted content", "role", req.Conversation.Role, "error", err)
		return m.fallback(ctx, req, emit, NoteModelUnavailable)
	}
	sources := citable(req.Sources)
	budget := m.o.ContextTokens - m.o.ReplyTokens - m.o.ContextTokens/20 // a margin for estimation error
	msgs, used, err := m.build(p, req, sources, budget, len(sources))
	if err != nil {
		log.Error("render prompt; answering from vetted content", "prompt", p.Name(), "error", err)
		return m.fallback(ctx, req, emit, NoteModelUnavailable)
	}

	// Give up on the model early enough for the fallback to answer within the turn.
	mctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		mctx, cancel = context.WithDeadline(ctx, dl.Add(-m.o.FallbackReserve))
		defer cancel()
	}
	w := newReplyWriter(emit, sources)
	if req.AskedIfHuman {
		w.prefix = m.o.Crisis.Disclosure() + "\n\n"
	}
	res, err := m.stream(mctx, req, msgs, w)
	if err != nil && errors.Is(err, llm.ErrContextLength) && !w.emitted && w.err == nil {
		// Our estimate was too low for this model's tokenizer: trim harder and try once more.
		smaller, trimmed := m.trimFurther(p, req, sources, msgs, used)
		if trimmed {
			log.Warn("model context exceeded; retrying once with a shorter prompt", "estimated_tokens", llm.EstimateMessages(msgs), "retry_tokens", llm.EstimateMessages(smaller))
			res, err = m.stream(mctx, req, smaller, w)
		}
	}

	rep := Reply{PromptID: p.ID, PromptVersion: p.Version, Model: res.Model}
	if rep.Model == "" {
		rep.Model = m.o.Chat.Model()
	}
	switch {
	case w.err != nil:
		// The output check stopped the stream: stop, and let the pipeline withhold the reply.
		rep.Text, rep.Cited = w.text.String(), w.cited
		return rep, w.err
	case ctx.Err() != nil:
		return Reply{}, ctx.Err()
	case err == nil && strings.TrimSpace(w.body.String()) == "" && !w.hasHeld():
		log.Warn("the model sent an empty reply; answering from vetted content", "finish_reason", res.FinishReason)
		return m.fallback(ctx, req, emit, NoteModelUnavailable)
	case err != nil && !w.emitted:
		log.Warn("model unavailable; answering from vetted content", "error", err, "attempts", res.Attempts)
		return m.fallback(ctx, req, emit, NoteModelUnavailable)
	case err != nil:
		log.Warn("model reply cut short", "error", err, "attempts", res.Attempts)
		rep.Note = NoteCutShort
	case res.FinishReason == "length" || res.FinishReason == "content_filter":
		rep.Note = NoteLengthLimit
		if res.FinishReason == "content_filter" {
			rep.Note = NoteCutShort
		}
	}
	w.flush()
	switch {
	case w.err != nil:
	case worryOnly(req.Assessment):
		// A worry about someone else: when to escalate for them, from vetted text.
		w.send(m.o.Crisis.worryClose())
	case req.Assessment.Level == safety.Concern:
		// People to reach come from vetted text, never from the model.
		w.send("\n\nYou don't have to carry this alone. If it gets heavier, you can reach a person any time:\n" + m.o.Crisis.Text(safety.Concern))
	}
	rep.Text, rep.Cited = w.text.String(), w.cited
	if w.err != nil {
		return rep, w.err
	}
	return rep, nil
}

// stream makes one model call and records its tokens, whatever the outcome.
func (m *ModelResponder) stream(ctx context.Context, req Request, msgs []llm.ChatMessage, w *replyWriter) (llm.ChatResult, error) {
	res, err := m.o.Chat.Stream(ctx, llm.ChatRequest{Messages: msgs}, w.write)
	m.record(ctx, req, res)
	return res, err
}

func (m *ModelResponder) record(ctx context.Context, req Request, res llm.ChatResult) {
	if m.o.Usage == nil || (res.Usage.PromptTokens == 0 && res.Usage.CompletionTokens == 0) {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	model := res.Model
	if model == "" {
		model = m.o.Chat.Model()
	}
	err := m.o.Usage.Add(rctx, Usage{ConversationID: req.Conversation.ID, Day: m.o.Now(), Model: model,
		PromptTokens: res.Usage.PromptTokens, CompletionTokens: res.Usage.CompletionTokens, Estimated: !res.Usage.Reported})
	if err != nil {
		m.o.Logger.Error("record model usage", "conversation_id", req.Conversation.ID, "error", err)
	}
}

// overLimit reports whether today's limits are used up. When usage cannot be read the
// model is not used: the limits fail safe, not open.
func (m *ModelResponder) overLimit(ctx context.Context, req Request, log *slog.Logger) (string, bool) {
	if m.o.Usage == nil || (m.o.Limits.DailyTokens <= 0 && m.o.Limits.ConversationTokens <= 0) {
		return "", false
	}
	t, err := m.o.Usage.Totals(ctx, m.o.Now(), req.Conversation.ID)
	switch {
	case err != nil:
		log.Error("read model usage; answering from vetted content", "error", err)
		return NoteModelUnavailable, true
	case m.o.Limits.DailyTokens > 0 && t.Day >= m.o.Limits.DailyTokens:
		log.Warn("daily model token limit reached; answering from vetted content", "used", t.Day, "limit", m.o.Limits.DailyTokens)
		return NoteDailyLimit, true
	case m.o.Limits.ConversationTokens > 0 && t.Conversation >= m.o.Limits.ConversationTokens:
		log.Warn("conversation's daily model token limit reached; answering from vetted content", "used", t.Conversation, "limit", m.o.Limits.ConversationTokens)
		return NoteConversationLimit, true
	}
	return "", false
}

func (m *ModelResponder) fallback(ctx context.Context, req Request, emit func(string) error, note string) (Reply, error) {
	rep, err := m.o.Fallback.Respond(ctx, req, emit)
	if err != nil {
		return rep, err
	}
	if rep.Note != "" {
		note = rep.Note + "\n\n" + note
	}
	rep.Note = note
	return rep, nil
}

// citable keeps the sources whose ids the prompt can show and the reply can cite.
func citable(in []retrieval.Result) []retrieval.Result {
	var out []retrieval.Result
	for _, s := range in {
		if prompts.SourceIDPattern.MatchString(s.ChunkID) {
			out = append(out, s)
		}
	}
	return out
}

// build renders the prompt and fits the conversation into budget tokens: the system prompt
// with the first maxSources sources and the latest message always; then as many earlier
// messages as fit, newest first. When even that does not fit, lower-ranked sources are
// dropped (the best one stays). It returns how many sources were used.
func (m *ModelResponder) build(p prompts.Prompt, req Request, sources []retrieval.Result, budget, maxSources int) ([]llm.ChatMessage, int, error) {
	n := min(maxSources, len(sources))
	var system string
	for {
		var err error
		system, err = p.Render(m.promptData(req, sources[:n]))
		if err != nil {
			return nil, 0, err
		}
		fixed := llm.EstimateMessages([]llm.ChatMessage{{Role: llm.RoleSystem, Content: system}, {Role: llm.RoleUser, Content: req.Message.Body}})
		if fixed <= budget || n <= 1 {
			budget -= fixed
			break
		}
		n--
	}
	history := historyMessages(req.History)
	keep := len(history)
	for keep > 0 {
		cost := 0
		for _, h := range history[len(history)-keep:] {
			cost += llm.EstimateTokens(h.Content) + 4
		}
		if cost <= budget {
			break
		}
		keep--
	}
	history = history[len(history)-keep:]
	// Chat templates of many local models insist that the first turn is the user's.
	for len(history) > 0 && history[0].Role != llm.RoleUser {
		history = history[1:]
	}
	msgs := []llm.ChatMessage{{Role: llm.RoleSystem, Content: system}}
	msgs = append(msgs, history...)
	msgs = appendMerged(msgs, llm.ChatMessage{Role: llm.RoleUser, Content: req.Message.Body})
	return msgs, n, nil
}

// trimFurther is the retry after the server said the prompt was too long: a quarter less
// than what was sent, dropping history first and then half the sources.
func (m *ModelResponder) trimFurther(p prompts.Prompt, req Request, sources []retrieval.Result, sent []llm.ChatMessage, used int) ([]llm.ChatMessage, bool) {
	target := llm.EstimateMessages(sent) * 3 / 4
	if len(sent) > 2 {
		// Drop the oldest history until the prompt fits, keeping every source used.
		r := req
		for len(r.History) > 0 {
			r.History = r.History[1:]
			msgs, _, err := m.build(p, r, sources, math.MaxInt, used)
			if err != nil {
				return nil, false
			}
			if llm.EstimateMessages(msgs) <= target {
				return msgs, true
			}
		}
		req = r
	}
	if used <= 1 {
		return nil, false // nothing left to trim
	}
	msgs, _, err := m.build(p, req, sources, target, (used+1)/2)
	if err != nil || llm.EstimateMessages(msgs) >= llm.EstimateMessages(sent) {
		return nil, false
	}
	return msgs, true
}

func (m *ModelResponder) promptData(req Request, sources []retrieval.Result) prompts.Data {
	d := prompts.Data{Institution: m.o.Crisis.Institution, Concern: req.Assessment.Level >= safety.Concern, AskedIfHuman: req.AskedIfHuman}
	if d.Institution == "" {
		d.Institution = "your institution"
	}
	for _, s := range sources {
		d.Sources = append(d.Sources, prompts.Source{ID: s.ChunkID, Title: s.Title, Heading: s.Heading, Text: strings.TrimSpace(s.Text)})
	}
	return d
}

// historyMessages maps stored messages to chat turns: the resident's as the user's, the
// assistant's and clinicians' as the assistant side. System notices (disclosures, crisis
// text, withheld notices, errors) are fixed text and are left out.
func historyMessages(in []Message) []llm.ChatMessage {
	var out []llm.ChatMessage
	for _, m := range in {
		var cm llm.ChatMessage
		switch {
		case m.Author == AuthorResident:
			cm = llm.ChatMessage{Role: llm.RoleUser, Content: m.Body}
		case m.Author == AuthorAssistant && m.Kind == KindText:
			cm = llm.ChatMessage{Role: llm.RoleAssistant, Content: m.Body}
		case m.Author == AuthorClinician:
			cm = llm.ChatMessage{Role: llm.RoleAssistant, Content: "(A clinician from the support team wrote this message, not the AI.) " + m.Body}
		default:
			continue
		}
		out = appendMerged(out, cm)
	}
	return out
}

// appendMerged appends m, merging it into the last message when both have the same role:
// many local models' chat templates reject two user (or assistant) turns in a row.
func appendMerged(msgs []llm.ChatMessage, m llm.ChatMessage) []llm.ChatMessage {
	if n := len(msgs); n > 0 && msgs[n-1].Role == m.Role && m.Role != llm.RoleSystem {
		msgs[n-1].Content += "\n\n" + m.Content
		return msgs
	}
	return append(msgs, m)
}

// citationMarker matches a citation the model wrote: one or more chunk ids in square
// brackets, with the white space before it.
var citationMarker = regexp.MustCompile(`[ \t]*\[\s*([a-z0-9]+(?:-[a-z0-9]+)*#[0-9]+(?:\s*[,;]\s*[a-z0-9]+(?:-[a-z0-9]+)*#[0-9]+)*)\s*\]`)

// openMarker matches the start of what may still become a citation marker.
var openMarker = regexp.MustCompile(`\[\s*[a-z0-9#,; -]*$`)

// maxMarker bounds how much text is held back while a possible marker is incomplete.
const maxMarker = 300

// replyWriter sits between the model's stream and emit. It takes citation markers out of
// the text (recording the ids that were given in the prompt), holds back only as much
// text as may still turn out to be a marker, and writes a prefix before the first piece.
// Reply.Text is exactly what went through emit.
type replyWriter struct {
	emit    func(string) error
	known   map[string]bool
	prefix  string
	pending string // text not yet emitted: a possible marker and the white space before it
	gap     bool   // a marker with white space before it was removed; the next word needs a space
	body    strings.Builder
	text    strings.Builder
	cited   []string
	emitted bool
	err     error
}

func newReplyWriter(emit func(string) error, sources []retrieval.Result) *replyWriter {
	w := &replyWriter{emit: emit, known: map[string]bool{}}
	for _, s := range sources {
		w.known[s.ChunkID] = true
	}
	return w
}

// write takes one piece from the model; it returns emit's error once the output check
// stopped the stream.
func (w *replyWriter) write(piece string) error {
	if w.err != nil {
		return w.err
	}
	buf := w.pending + piece
	w.pending = ""
	for {
		loc := citationMarker.FindStringSubmatchIndex(buf)
		if loc == nil {
			break
		}
		w.out(buf[:loc[0]])
		w.cite(buf[loc[2]:loc[3]])
		w.gap = w.gap || loc[0] < len(buf) && (buf[loc[0]] == ' ' || buf[loc[0]] == '\t')
		buf = buf[loc[1]:]
	}
	hold := len(buf)
	if loc := openMarker.FindStringIndex(buf); loc != nil && len(buf)-loc[0] <= maxMarker {
		hold = loc[0]
	}
	// White space before a (possible) marker is held too, so that "rest [a#1]." loses it.
	for hold > 0 && (buf[hold-1] == ' ' || buf[hold-1] == '\t') {
		hold--
	}
	w.out(buf[:hold])
	w.pending = buf[hold:]
	return w.err
}

// flush emits what is still held (a bracket that never became a marker).
func (w *replyWriter) flush() {
	if w.err == nil && strings.TrimSpace(w.pending) != "" {
		w.out(w.pending)
	}
	w.pending = ""
}

func (w *replyWriter) hasHeld() bool { return strings.TrimSpace(w.pending) != "" }

func (w *replyWriter) cite(ids string) {
	for _, id := range strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if !w.known[id] {
			continue // an id the model was not given is not a citation
		}
		dup := false
		for _, c := range w.cited {
			dup = dup || c == id
		}
		if !dup {
			w.cited = append(w.cited, id)
		}
	}
}

// out emits model text, restoring the space a removed marker took with it when a word follows.
func (w *replyWriter) out(s string) {
	if s == "" {
		return
	}
	if w.gap {
		r, _ := utf8.DecodeRuneInString(s)
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '(' || r == '"' || r == '“' {
			s = " " + s
		}
		w.gap = false
	}
	w.body.WriteString(s)
	w.send(s)
}

// send emits s (after the prefix, on the first piece).
func (w *replyWriter) send(s string) {
	if w.err != nil || s == "" {
		return
	}
	if !w.emitted && w.prefix != "" {
		w.emitted = true
		w.text.WriteString(w.prefix)
		if w.err = w.emit(w.prefix); w.err != nil {
			return
		}
	}
	w.emitted = true
	w.text.WriteString(s)
	w.err = w.emit(s)
}
