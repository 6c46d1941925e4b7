package web

import "github.com/gorilla/websocket"

// Every reason the server closes a websocket, with the close code and text it sends and
// what the client should do (docs/protocol.md lists the same). Application codes follow
// the protocol's rule, 4000-4499: reconnect and resync from the database; 4401 is the one
// exception, named after HTTP 401: the console signs in again instead.

// disconnect is one reason to close a websocket.
type disconnect struct {
	code   int
	reason string // sent in the close frame; at most 123 bytes
	// reconnect: the client should connect again (with backoff) and resync from last_seq.
	reconnect bool
}

var (
	// disconnectDeleted: the resident deleted their conversation; there is nothing to
	// reconnect to.
	disconnectDeleted = disconnect{websocket.CloseNormalClosure, "conversation deleted", false}
	// disconnectShutdown: the server is stopping (or is already stopping when the socket
	// opens); another replica, or this one once restarted, takes the client back.
	disconnectShutdown = disconnect{websocket.CloseGoingAway, "server is shutting down", true}
	// disconnectFrameTooLarge: a frame over hardFrameLimit, which cannot be read to answer
	// it in-band. The client may reconnect, without that frame.
	disconnectFrameTooLarge = disconnect{websocket.CloseMessageTooBig, "frame too large", true}
	// disconnectSlow: the client did not read its frames fast enough and its send buffer
	// filled; it reconnects and resyncs from the database.
	disconnectSlow = disconnect{4000, "too slow: reconnect and resync", true}
	// disconnectSessionEnded: the console's session was revoked, expired or idle, or its
	// account disabled; the console goes to the login page.
	disconnectSessionEnded = disconnect{4401, "session ended: log in again", false}
)

// disconnects lists every reason, for the tests and the docs.
var disconnects = []disconnect{disconnectDeleted, disconnectShutdown, disconnectFrameTooLarge, disconnectSlow, disconnectSessionEnded}
