package insights

import "strconv"

// MinCell is the smallest count the dashboard and the reports show; smaller non-zero counts
// show as "<5" so that no figure can point at one resident's conversation.
const MinCell = 5

// Cell is a count as the dashboard may show it.
type Cell int

// Suppressed reports whether the count is too small to show (1 to MinCell-1).
func (c Cell) Suppressed() bool { return c > 0 && c < MinCell }

// String is the count, or "<5" when it is suppressed.
func (c Cell) String() string {
	if c.Suppressed() {
		return "<" + strconv.Itoa(MinCell)
	}
	return strconv.Itoa(int(c))
}
