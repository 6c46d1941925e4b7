// Package assistanttest wires a real assistant.Service for tests: the store on a
// postgrestest database, a hub, the real safety classifier, retrieval over the
// database's content, and the vetted responder, with a hook to swap any part.
//
// It owns only that wiring. It holds no fakes of its own (the model server is
// llm/llmtest; test doubles for a part stay with the test that needs them) and it must
// not be imported by non-test code: serve wires the production service itself.
package assistanttest
