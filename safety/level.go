package safety

import (
	"fmt"
	"strings"
)

// Level is how strongly a message must be acted on. Levels are ordered, so
// the larger of two levels is always the safer one to act on.
type Level int

// The levels, from lowest to highest.
const (
	None      Level = iota // nothing to act on
	Concern                // distress without a red flag: answer supportively
	Urgent                 // red flag: a human clinician takes over
	Emergency              // imminent danger: hand off and show emergency resources first
)

var levelNames = [...]string{"none", "concern", "urgent", "emergency"}

// String returns the lower-case name used in rule files, JSON and logs.
func (l Level) String() string {
	if l < None || l > Emergency {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses a level name (case-insensitive, surrounding space ignored).
func ParseLevel(s string) (Level, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i, n := range levelNames {
		if n == name {
			return Level(i), nil
		}
	}
	return None, fmt.Errorf("safety: unknown level %q", s)
}

// MarshalText encodes the level as its name.
func (l Level) MarshalText() ([]byte, error) {
	if l < None || l > Emergency {
		return nil, fmt.Errorf("safety: cannot marshal invalid level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText decodes a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ForcesHandoff reports whether a human must take over the conversation.
func (l Level) ForcesHandoff() bool { return l >= Urgent }
