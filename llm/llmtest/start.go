package llmtest

import "net/http/httptest"

// Start serves s on a loopback port until tb's test ends and returns its base URL; an
// OpenAI-style client wants it with "/v1" added.
func (s *Server) Start(tb TB) string {
	tb.Helper()
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// TB is the part of testing.TB that Start needs; llmtest does not import testing, so
// that the load tool can use the server too.
type TB interface {
	Helper()
	Cleanup(func())
}
