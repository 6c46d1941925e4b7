// Package protocol holds the frames of Nightfloat's two websockets (docs/protocol.md): the
// resident's chat socket at /ws and the clinician console's at /console/ws. The server
// (web), the Go resident client (web.ResidentClient), the end-to-end eval and the load
// tool all speak them from here.
//
// It owns the frame types and their "type" names only. It must not import
// gorilla/websocket or any server code, and it holds no behaviour: decoding rules,
// limits and close codes stay in web, which checks what clients send.
package protocol
