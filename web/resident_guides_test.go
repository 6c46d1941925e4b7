package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestGuides: an exercise's explanation is served whole from the content base, saying
// plainly that no clinician has reviewed the sample content; a document that is not
// served is not found.
func TestGuides(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, id := range []string{"thought-records", "behavioural-activation"} {
		code, _, body := get(t, h.http.URL+"/guides/"+id)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", id, code)
		}
		for _, want := range []string{`id="guide-title"`, "Sample content — not yet clinically reviewed", "988", `href="/"`, "<h2>"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", id, want)
			}
		}
		if strings.Contains(body, "**") || strings.Contains(body, "reviewed_by") {
			t.Errorf("%s shows Markdown or front matter", id)
		}
	}
	if code, _, _ := get(t, h.http.URL+"/guides/no-such-guide"); code != http.StatusNotFound {
		t.Errorf("an unknown guide: %d", code)
	}
}

// TestServiceWorkerShowsNoText: the service worker is served from the root and shows the
// same fixed words for every notification, whatever a push might carry.
func TestServiceWorkerShowsNoText(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	code, hdr, body := get(t, h.http.URL+"/sw.js")
	if code != http.StatusOK || !strings.Contains(hdr.Get("Content-Type"), "javascript") {
		t.Fatalf("/sw.js: %d %s", code, hdr.Get("Content-Type"))
	}
	if !strings.Contains(body, `"You have a message"`) || strings.Contains(body, "event.data") {
		t.Errorf("the service worker must show only fixed text and never read a push's data:\n%s", body)
	}
}
