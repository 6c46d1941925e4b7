package safety

import "nightfloat"

// Level is how strongly a message must be acted on (nightfloat.Level, named here because the
// classifier is where levels are decided).
type Level = nightfloat.Level

// The levels, from lowest to highest.
const (
	None      = nightfloat.LevelNone
	Concern   = nightfloat.LevelConcern
	Urgent    = nightfloat.LevelUrgent
	Emergency = nightfloat.LevelEmergency
)
