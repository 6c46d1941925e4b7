// Package retrievaltest gives tests a fresh database with the project's content ingested,
// cloned from a template that is built once per version of the content.
//
// It is for tests only and owns nothing.
package retrievaltest
