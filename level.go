package nightfloat

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// Level is how strongly a message must be acted on. Levels are ordered, so the larger of two
// levels is always the safer one to act on. It is stored, sent and logged by name.
type Level int

// The levels, from lowest to highest.
const (
	LevelNone      Level = iota // nothing to act on
	LevelConcern                // distress without a red flag: answer supportively
	LevelUrgent                 // red flag: a human clinician takes over
	LevelEmergency              // imminent danger: hand off and show emergency resources first
)

var levelNames = [...]string{"none", "concern", "urgent", "emergency"}

// Levels lists every level, lowest first.
var Levels = []Level{LevelNone, LevelConcern, LevelUrgent, LevelEmergency}

// String returns the lower-case name used in rule files, JSON, SQL and logs.
func (l Level) String() string {
	if !l.valid() {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

func (l Level) valid() bool { return l >= LevelNone && l <= LevelEmergency }

// ParseLevel parses a level name (case-insensitive, surrounding space ignored).
func ParseLevel(s string) (Level, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for i, n := range levelNames {
		if n == name {
			return Level(i), nil
		}
	}
	return LevelNone, fmt.Errorf("nightfloat: unknown level %q", s)
}

// ForcesHandoff reports whether a human must take over the conversation.
func (l Level) ForcesHandoff() bool { return l >= LevelUrgent }

// MarshalText encodes the level as its name.
func (l Level) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("nightfloat: cannot marshal invalid level %d", int(l))
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

// Value stores the level by name.
func (l Level) Value() (driver.Value, error) {
	b, err := l.MarshalText()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan reads a level stored by name.
func (l *Level) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return l.UnmarshalText([]byte(v))
	case []byte:
		return l.UnmarshalText(v)
	default:
		return fmt.Errorf("nightfloat: cannot scan %T into a level", src)
	}
}
