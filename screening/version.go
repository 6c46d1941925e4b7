package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Version names this package's copy of the instrument: its id and the first 12 hex digits
// of the SHA-256 of everything that decides how answers are asked and scored (stem,
// questions, options, alerts, bands and cut-off). It is stored with every screen, so a
// screen can always be read against the wording and scoring it was answered and scored
// with; it changes by itself whenever any of them changes.
func (in Instrument) Version() string {
	h := sha256.New()
	// %#v of strings, numbers and slices of them is deterministic.
	fmt.Fprintf(h, "%#v", struct {
		ID         ID
		Stem       string
		Items      []Question
		Bands      []Band
		PositiveAt int
	}{in.ID, in.Stem, in.Items, in.Bands, in.PositiveAt})
	return string(in.ID) + "-" + hex.EncodeToString(h.Sum(nil)[:6])
}
