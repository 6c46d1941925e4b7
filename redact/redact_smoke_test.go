package redact

import "testing"

func TestTextSmoke(t *testing.T) {
	got := Text("Dr. Jones said MRN 12345678, call 555-123-4567, room 412")
	want := "Dr. [NAME] said MRN [MRN], call [PHONE], [ROOM]"
	if got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
}
