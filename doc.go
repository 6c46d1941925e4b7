// Package nightfloat holds the words every part of Nightfloat shares, defined once:
//
//   - Role: who a conversation serves (resident, fellow, ...), used by conversations, the
//     content base and the prompts;
//   - Level: how strongly a message must be acted on, set by safety and carried by handoffs;
//   - Error and Code: an outcome fit to show a person, which web maps to one HTTP status and
//     one websocket error frame per code.
//
// It imports only the standard library and owns no table, no I/O and no state.
package nightfloat
