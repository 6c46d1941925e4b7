// Package evals holds the labelled evaluation suite for the safety
// classifier and the loader that reads it.
//
// It also runs the offline evaluations (safety, sources, retrieval, end to end)
// and writes their reports. It owns no table; it reads the suites under cases/ and
// drives safety, retrieval and assistant only through their exported APIs. Evals are
// data: a case is never edited to make a run pass.
package evals
