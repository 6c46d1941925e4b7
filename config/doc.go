// Package config loads Nightfloat's configuration once, from environment variables, and
// validates it. Only cmd/nightfloat reads it; everything else receives plain values.
//
// It owns no table and performs no I/O beyond reading the environment and
// named secret files; it must not import any other package of the module.
package config
