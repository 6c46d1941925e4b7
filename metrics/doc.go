// Package metrics is Nightfloat's Prometheus instrumentation: the one package that imports
// the Prometheus client. Every method is safe on a nil *Set, so code that is built without
// metrics (most tests) calls the same lines and nothing is recorded.
//
// What is measured, and why an SRE would look at it:
//
//	nightfloat_websocket_connections{kind}          open sockets (resident, console)
//	nightfloat_turns_total{outcome}                 answered, handoff, withheld, failed, silent, released
//	nightfloat_turn_seconds{part}                   queue (commit -> turn starts), server (turn minus responder), responder
//	nightfloat_safety_assessments_total{level}      classifier levels of resident messages
//	nightfloat_handoffs_open / _waiting             from the database, so every replica reports the same figure
//	nightfloat_handoff_time_to_claim_seconds        from the database: all claimed handoffs, cluster-wide
//	nightfloat_model_errors_total                   replies where the model failed and vetted content answered, or it was cut short
//	nightfloat_database_errors_total{op}            database failures seen by turns, recovery, the watch and residents
//	nightfloat_database_up                          whether the last scrape's query reached the database
//	nightfloat_slow_clients_dropped_total           sockets closed with 4000 because they stopped reading
//
// plus the standard go_* and process_* collectors (memory, goroutines, file descriptors).
//
// It owns no table: the figures that come from the database are read through
// insights. It must not import assistant, review, web or config.
package metrics
