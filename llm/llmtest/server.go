package llmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Server is a fake model server. Chat request n is answered by Steps[n] (the last step
// repeats); embedding requests by Embeddings (the zero Embeddings answers 404: no
// embedding model). Set the fields before the first request; SetSteps changes the
// script while it serves.
type Server struct {
	Steps      []Step
	Embeddings Embeddings
	// OnChunk, when set, is called just before content chunk i of a reply is written
	// (i == the number of pieces for the finishing chunk).
	OnChunk func(req Request, i int)
	// Forget keeps no record of requests, for a long-running stand-in model.
	Forget bool

	mu    sync.Mutex
	chats int // chat requests answered so far
	reqs  []Request
}

// Request is one request the server was sent.
type Request struct {
	Path   string         `json:"-"` // the request URI, query included
	Auth   string         `json:"-"` // the Authorization header, or Azure's api-key header
	Fields map[string]any `json:"-"` // the JSON body, decoded as is: which fields were sent

	Model         string         `json:"model"`
	Messages      []Message      `json:"messages"`
	MaxTokens     int            `json:"max_tokens"`
	StreamOptions map[string]any `json:"stream_options"`
	Input         []string       `json:"input"`      // embeddings
	Dimensions    int            `json:"dimensions"` // embeddings
}

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// System is the first message's content (the system prompt), or "".
func (r Request) System() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[0].Content
}

// Last is the last message's content, or "".
func (r Request) Last() string {
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// SetSteps replaces the chat script; the next chat request gets steps[0].
func (s *Server) SetSteps(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Steps, s.chats = steps, 0
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chat := strings.HasSuffix(r.URL.Path, "/chat/completions")
	if !chat && (!strings.HasSuffix(r.URL.Path, "/embeddings") || !s.Embeddings.serves()) {
		http.NotFound(w, r)
		return
	}
	req, err := readRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if !s.Forget {
		s.reqs = append(s.reqs, req)
	}
	var st Step
	if chat && len(s.Steps) > 0 {
		st = s.Steps[min(s.chats, len(s.Steps)-1)]
		s.chats++
	}
	onChunk := s.OnChunk
	s.mu.Unlock()
	if chat {
		stream(w, r, req, st, onChunk)
	} else {
		s.Embeddings.answer(w, req)
	}
}

func readRequest(r *http.Request) (Request, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Request{}, err
	}
	req := Request{Path: r.URL.RequestURI(), Auth: r.Header.Get("Authorization") + r.Header.Get("api-key")}
	if err := json.Unmarshal(body, &req); err != nil {
		return Request{}, err
	}
	if err := json.Unmarshal(body, &req.Fields); err != nil {
		return Request{}, err
	}
	return req, nil
}

// writeError answers with status and body, as an API error.
func writeError(w http.ResponseWriter, status int, retryAfter, body string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
