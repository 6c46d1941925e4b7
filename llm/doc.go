// Package llm talks to OpenAI-compatible model servers: OpenAI itself, Azure OpenAI, and
// self-hosted servers that speak the same protocol (vLLM, Ollama). It is the only package
// that imports go-openai; the rest of Nightfloat sees small interfaces.
//
// It owns no table and must not import any other package of the module; callers
// choose the endpoint, and nothing here reads configuration.
package llm
