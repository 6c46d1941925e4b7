package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"nightfloat/config"
)

// TestPushKeysMakesAPairTheConfigurationAccepts: the printed lines, as an environment,
// validate, and turn notifications on.
func TestPushKeysMakesAPairTheConfigurationAccepts(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runPushKeys(context.Background(), newEnv(&out, &errb, func(string) string { return "" }), nil); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	env := map[string]string{"DATABASE_URL": "postgres://u@localhost/db", "NIGHTFLOAT_VAPID_SUBJECT": "mailto:ops@example.org"}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not an environment line: %q", line)
		}
		env[k] = v
	}
	c, err := config.Load(func(k string) string { return env[k] })
	if err == nil {
		err = c.Validate()
	}
	if err != nil || !c.PushEnabled() {
		t.Fatalf("the printed keys: %v (push on: %v)", err, c.PushEnabled())
	}
}
