package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nightfloat/llm/llmtest"
)

// alwaysUrgent is a model server that answers every request with an urgent verdict; it
// returns the base URL.
func alwaysUrgent(t *testing.T) string {
	t.Helper()
	verdict := `{"level":"urgent","categories":["suicidal_ideation"],"reason":"test model"}`
	return (&llmtest.Server{Steps: []llmtest.Step{{Pieces: []string{verdict}}}}).Start(t)
}

func TestEvalSafetyWithTheModelLayer(t *testing.T) {
	srv := alwaysUrgent(t)
	cases := filepath.Join(t.TempDir(), "cases.jsonl")
	if err := os.WriteFile(cases, []byte(
		`{"id":"n1","text":"any tips for sleeping after nights?","expect":"no_escalate"}`+"\n"+
			`{"id":"n2","text":"my attending praised my presentation today","expect":"no_escalate"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NIGHTFLOAT_SAFETY_MODEL": "fake", "NIGHTFLOAT_OPENAI_BASE_URL": srv + "/v1"}
	run1 := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := run(context.Background(), append([]string{"eval", "safety"}, args...), newEnv(&out, &errb, func(k string) string { return env[k] }))
		return code, out.String(), errb.String()
	}
	code, out, errs := run1("--cases", cases, "--format", "json")
	if code != 0 || !strings.Contains(out, `"false_escalations": 0`) {
		t.Fatalf("rules alone: exit %d, want no false escalations: %s %s", code, out, errs)
	}
	code, out, errs = run1("--cases", cases, "--format", "json", "--model")
	if code != 0 || !strings.Contains(out, `"false_escalations": 2`) {
		t.Fatalf("with --model an always-urgent model must escalate both: exit %d: %s %s", code, out, errs)
	}
	delete(env, "NIGHTFLOAT_SAFETY_MODEL")
	if code, _, errs = run1("--cases", cases, "--model"); code != 2 || !strings.Contains(errs, "NIGHTFLOAT_SAFETY_MODEL") {
		t.Errorf("--model without a configured model: exit %d, %q", code, errs)
	}
}
