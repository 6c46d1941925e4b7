// Command nightfloat is the Nightfloat server and its tools: serve, migrate, and the rest
// listed by `nightfloat help`.
//
// It is the only reader of configuration and wires every package together; nothing
// imports it. Each subcommand lives in its own file with its own flag set and usage.
package main
