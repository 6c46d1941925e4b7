// Package web serves Nightfloat's pages and websockets to its two audiences:
//
//   - residents, resident_*.go: the chat page, its websocket (with the guided forms,
//     check-in answers and push opt-in of resident_forms.go), the thumbs-down on a reply,
//     the screening page (whose questionnaires go over the same websocket), the guides, the
//     weekly pulse and reports to leadership, and the public safety page; a conversation's
//     resume token is their only credential;
//   - clinicians, console_*.go: the console and its websocket, the review queue, the
//     dashboard, the audit page, the counsellors' screens page and leadership's programme
//     trends, behind login and roles
//     (auth.go, csrf.go, clientip.go).
//
// routes.go lists every route with the roles it needs. errors.go maps each nightfloat.Code
// to one HTTP status and websocket error frame, and disconnect.go lists every close code.
//
// web owns no table and writes no SQL. It reaches conversations, messages and handoffs only
// through assistant.Service (never its store: claim, say, resolve and a counsellor's reply
// are audited there, in their transaction), accounts, sessions and the audit log through
// clinician, the review queue through review, push subscriptions through push, and the
// pulse and reports to leadership through pulse. It is the only package that imports
// gorilla/websocket.
package web
