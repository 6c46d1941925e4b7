package protocol

// The "type" of every frame.
const (
	// Resident → server.
	TypeHello   = "hello"
	TypeMessage = "message" // also server → resident and console
	TypeDelete  = "delete"

	// Server → resident.
	TypeWelcome = "welcome"
	TypeDelta   = "delta"
	TypeDone    = "done"
	TypeHandoff = "handoff" // also server → console
	TypeDeleted = "deleted"
	TypeError   = "error" // both sockets

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
