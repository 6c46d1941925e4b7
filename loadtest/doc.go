// Package loadtest drives running Nightfloat servers over real websockets, from the same
// machine, and reports what a hospital's SRE asks: how many connections one instance holds
// and what each costs in memory, the server's own overhead per turn (apart from the
// model's time), and how long a red flag takes to reach the on-call console, on one
// instance and across two that share a database.
//
// It only ever connects to loopback addresses, every phase is bounded in count and time,
// and it stops by itself. It speaks the protocol (package web/protocol's frames) with
// gorilla/websocket directly rather than through web.ResidentClient, whose per-client
// frame buffer (4096 frames) is right for one eval conversation but far too large for ten
// thousand.
//
// It owns no table and names none in SQL: it sets up clinician accounts through
// clinician and reaches everything else only over the wire. Nothing imports it but cmd.
package loadtest
