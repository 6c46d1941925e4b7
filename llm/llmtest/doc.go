// Package llmtest is a fake OpenAI-compatible model server: streamed chat completions
// (SSE chunks, then [DONE]) and embeddings, with scripted replies, delays, stalls, error
// statuses and malformed bodies, and a record of every request it was sent.
//
// It owns only the wire protocol as a server speaks it. It must not import go-openai
// (only llm does) or any Nightfloat package: it is standard library and httptest only,
// so that llm's tests, the packages that use llm, and the load tool's stand-in model
// (nightfloat loadtest -fake-model) can all use the same one.
package llmtest
