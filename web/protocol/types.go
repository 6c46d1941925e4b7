package protocol

// The "type" of every frame.
const (
	// Resident → server.
	TypeHello   = "hello"
	TypeMessage = "message" // also server → resident and console
	TypeDelete  = "delete"
	TypeScreen  = "screen" // a questionnaire's answers (the screening page)

	// Server → resident.
	TypeWelcome  = "welcome"
	TypeDelta    = "delta"
	TypeDone     = "done"
	TypeHandoff  = "handoff" // also server → console
	TypeDeleted  = "deleted"
	TypeError    = "error"    // both sockets
	TypeScreened = "screened" // a screen is stored: its result

	// Console → server.
	TypeDuty    = "duty" // also server → console
	TypeOpen    = "open"
	TypeClaim   = "claim"
	TypeSay     = "say"
	TypeResolve = "resolve"

	// Server → console.
	TypeHandoffs    = "handoffs"
	TypeTranscript  = "transcript"
	TypeHandoffGone = "handoff_gone"
	TypeStatus      = "status"
)
