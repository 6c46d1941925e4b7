package protocol

// The "type" of every frame.
const (
	// Resident → server.
	TypeHello   = "hello"
	TypeMessage = "message" // also server → resident and console
	TypeDelete  = "delete"
	TypeScreen  = "screen" // a questionnaire's answers (the screening page)

	// Resident → server: guided forms, check-ins, notifications.
	TypeFormSave        = "form_save"
	TypeFormDelete      = "form_delete"
	TypeCheckinAnswer   = "checkin_answer"
	TypePushSubscribe   = "push_subscribe"
	TypePushUnsubscribe = "push_unsubscribe"

	// Server → resident.
	TypeWelcome  = "welcome"
	TypeDelta    = "delta"
	TypeDone     = "done"
	TypeHandoff  = "handoff" // also server → console
	TypeDeleted  = "deleted"
	TypeError    = "error"    // both sockets
	TypeScreened = "screened" // a screen is stored: its result
	TypeForms    = "forms"    // also server → console
	TypePush     = "push"

	// Console → server.
	TypeDuty    = "duty" // also server → console
	TypeOpen    = "open"
	TypeClaim   = "claim"
	TypeSay     = "say"
	TypeResolve = "resolve"
	// Console → server: follow-up.
	TypeOfferForm    = "offer_form"
	TypeCloseCheckin = "close_checkin"

	// Server → console.
	TypeHandoffs    = "handoffs"
	TypeTranscript  = "transcript"
	TypeHandoffGone = "handoff_gone"
	TypeStatus      = "status"
	TypeCheckins    = "checkins"
)
