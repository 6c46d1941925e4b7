package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Step is how the server answers one chat request: an error status, or a reply streamed
// as chat-completion chunks (a role chunk, one chunk a piece, a finishing chunk, an
// optional usage chunk, then [DONE]).
type Step struct {
	Status     int    // non-zero: answer with this HTTP status and Body, and stream nothing
	Body       string // the error body sent with Status
	RetryAfter string // the Retry-After header sent with Status

	Pieces     []string                   // the reply's content chunks
	Reply      func(req Request) []string // when set, computes the pieces from the request
	Delay      time.Duration              // before the first chunk
	Every      time.Duration              // between chunks, the finishing chunk included
	StallAfter int                        // >0: after this many pieces send nothing more, until the client leaves
	Raw        string                     // written verbatim after the pieces: a malformed chunk, a non-SSE body
	NoFinish   bool                       // end the body after the pieces, without a finish reason or [DONE]
	Usage      Usage                      // non-zero: a usage chunk after the finishing chunk
}

// Usage is what the final usage chunk reports.
type Usage struct{ Prompt, Completion int }

func stream(w http.ResponseWriter, r *http.Request, req Request, st Step, onChunk func(Request, int)) {
	if st.Status != 0 {
		writeError(w, st.Status, st.RetryAfter, st.Body)
		return
	}
	pieces := st.Pieces
	if st.Reply != nil {
		pieces = st.Reply(req)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl, _ := w.(http.Flusher)
	flush := func() {
		if fl != nil {
			fl.Flush()
		}
	}
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		flush()
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	if !wait(r, st.Delay) {
		return
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for i, p := range pieces {
		if st.StallAfter > 0 && i == st.StallAfter {
			<-r.Context().Done()
			return
		}
		if i > 0 && !wait(r, st.Every) {
			return
		}
		if onChunk != nil {
			onChunk(req, i)
		}
		send(chunk(map[string]any{"content": p}, nil))
	}
	if st.Raw != "" {
		fmt.Fprint(w, st.Raw)
		flush()
	}
	if st.NoFinish {
		return
	}
	if len(pieces) > 0 && !wait(r, st.Every) {
		return
	}
	if onChunk != nil {
		onChunk(req, len(pieces))
	}
	send(chunk(map[string]any{}, "stop"))
	if st.Usage != (Usage{}) {
		send(map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1, "model": req.Model, "choices": []any{},
			"usage": map[string]int{"prompt_tokens": st.Usage.Prompt, "completion_tokens": st.Usage.Completion,
				"total_tokens": st.Usage.Prompt + st.Usage.Completion}})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	flush()
}

// wait sleeps for d unless the client leaves first; it reports whether the client is
// still there.
func wait(r *http.Request, d time.Duration) bool {
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
