package web

import (
	"crypto/subtle"
	"net/http"
	"nightfloat"
	"strings"
)

// MetricsHandler is /metrics for the listener it is mounted on. With a token, a scrape must
// carry "Authorization: Bearer <token>" or gets 401; without one, it is served to anyone who
// can reach that listener, which is meant to be a separate, private address
// (NIGHTFLOAT_METRICS_ADDR). The figures (waiting handoffs, counts by safety level) are not
// for the public.
func (s *Server) MetricsHandler(token string) http.Handler {
	h := s.metrics.Handler()
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(strings.TrimSpace(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="nightfloat metrics"`)
			writeTextError(w, nightfloat.CodeUnauthorized, "Metrics need the scrape token (NIGHTFLOAT_METRICS_TOKEN).")
			return
		}
		h.ServeHTTP(w, r)
	})
}
