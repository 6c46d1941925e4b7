package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"nightfloat"
)

//go:embed templates/*.html static
var assets embed.FS

func parsePages() (*template.Template, error) {
	// has reports whether a clinician's roles include one; the console's navigation shows
	// each page only to the roles that may open it. roles lists the residents' roles for
	// the "I am a" choice.
	funcs := template.FuncMap{"has": func(roles []string, role string) bool { return slices.Contains(roles, role) }, "show": show,
		"roles": func() []nightfloat.Role { return nightfloat.Roles }}
	t, err := template.New("pages").Funcs(funcs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return t, nil
}

// show writes a value from a JSON detail for people: a list as "a, b", anything else as
// fmt prints it.
func show(v any) string {
	list, ok := v.([]any)
	if !ok {
		return fmt.Sprint(v)
	}
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.pages.ExecuteTemplate(w, name, data); err != nil {
		s.logger.Error("render page", "page", name, "error", err)
	}
}
