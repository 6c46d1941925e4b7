package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"nightfloat/loadtest"
)

// runLoadtest drives running servers on this machine and prints capacity figures
// (docs/capacity.md says how the published ones were made).
func runLoadtest(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var o loadtest.Options
	targets := fs.String("target", "http://127.0.0.1:8080", "comma-separated base URLs of the servers under test (loopback only); residents are spread over them")
	fs.StringVar(&o.Console, "console", "", "base URL the clinician console connects to (default: the first target); another instance measures alerts across replicas")
	fs.StringVar(&o.DatabaseURL, "database-url", e.getenv("DATABASE_URL"), "database to create a throw-away on-call account in (env DATABASE_URL)")
	fs.StringVar(&o.MetricsToken, "metrics-token", e.getenv("NIGHTFLOAT_METRICS_TOKEN"), "bearer token for the targets' /metrics (env NIGHTFLOAT_METRICS_TOKEN)")
	fs.StringVar(&o.ConsoleToken, "console-token", "", "an existing on-call session token, instead of -database-url")
	fs.IntVar(&o.Idle, "idle", 0, "idle resident connections to open and hold (hello, then only pings)")
	fs.IntVar(&o.Active, "active", 0, "active conversations")
	fs.DurationVar(&o.Every, "every", 5*time.Second, "mean time between an active conversation's messages (±25%)")
	fs.Float64Var(&o.RedFlagShare, "red-flags", 0.05, "share of messages that are red flags (0 to 1)")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "length of the active phase (at most 30m)")
	fs.IntVar(&o.Ramp, "ramp", 500, "connections opened per second")
	fs.DurationVar(&o.Settle, "settle", 10*time.Second, "wait after opening the idle connections before reading server memory")
	jsonOut := fs.String("json", "", "also write the result as JSON to this file")
	ackFile := fs.String("acks", "", "append every acknowledgement received to this file (for fault runs; see -verify)")
	verify := fs.Bool("verify", false, "instead of driving, check the database (-database-url) against -acks after faults: exit 1 on any lost acknowledged message, unanswered turn or unchecked reply")
	verifyWait := fs.Duration("verify-wait", 90*time.Second, "with -verify, how long to wait for pending turns to be recovered")
	fakeModel := fs.String("fake-model", "", "instead of driving, serve a stand-in OpenAI-protocol model on this loopback host:port for -duration")
	fakeFirst := fs.Duration("fake-model-first-token", 300*time.Millisecond, "stand-in model: time to the first chunk")
	fakeGap := fs.Duration("fake-model-gap", 15*time.Millisecond, "stand-in model: time between chunks")
	fakePieces := fs.Int("fake-model-pieces", 0, "stand-in model: chunks per reply (default: the whole canned reply)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: nightfloat loadtest [flags]\n\nDrives running Nightfloat servers on this machine over websockets and reports connections held,\nmemory per connection, turn latency (the server's own and the model's), and red-flag-to-console-alert\nlatency. Only loopback targets are accepted; every phase is bounded. Raise the open-file limit first\n(ulimit -n) for many connections; see docs/capacity.md.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *fakeModel != "" {
		ctx, cancel := context.WithTimeout(ctx, min(o.Duration, loadtest.MaxDuration))
		defer cancel()
		m := loadtest.FakeModel{Addr: *fakeModel, FirstToken: *fakeFirst, Gap: *fakeGap, Pieces: *fakePieces}
		fmt.Fprintf(e.stderr, "loadtest: stand-in model on http://%s/v1 for %s\n", *fakeModel, o.Duration)
		if err := m.Serve(ctx); err != nil {
			fmt.Fprintf(e.stderr, "loadtest: %v\n", err)
			return 1
		}
		return 0
	}
	if *verify {
		return runVerify(ctx, e, o.DatabaseURL, *ackFile, *verifyWait)
	}
	if *ackFile != "" {
		f, err := os.OpenFile(*ackFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(e.stderr, "loadtest: %v\n", err)
			return 1
		}
		defer f.Close()
		o.Acks = loadtest.NewAckLog(f)
	}
	for _, t := range strings.Split(*targets, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.Targets = append(o.Targets, t)
		}
	}
	o.Log = e.stderr
	res, err := loadtest.Run(ctx, o)
	if res != nil {
		printLoad(e.stdout, res)
		if *jsonOut != "" {
			b, _ := json.MarshalIndent(res, "", "  ")
			if werr := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); werr != nil {
				fmt.Fprintf(e.stderr, "loadtest: %v\n", werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "loadtest: %v\n", err)
		return 1
	}
	return 0
}

func printLoad(w io.Writer, r *loadtest.Result) {
	ms := func(s loadtest.Summary) string {
		if s.N == 0 {
			return "n=0"
		}
		return fmt.Sprintf("n=%d p50=%.1f p95=%.1f p99=%.1f max=%.1f ms", s.N, s.P50, s.P95, s.P99, s.Max)
	}
	fmt.Fprintf(w, "targets: %s   console: %s   started: %s\n", strings.Join(r.Targets, ","), r.Console, r.StartedAt)
	if r.IdleRequested > 0 {
		fmt.Fprintf(w, "idle connections: %d held of %d (%d failed, %d closed by the server before the end)\n", r.IdleHeld, r.IdleRequested, r.IdleFailed, r.IdleDropped)
		for _, m := range r.Memory {
			fmt.Fprintf(w, "  %s: %d conns; RSS %.1f -> %.1f MiB = %.1f KiB/conn; Go heap+stacks %.1f -> %.1f MiB = %.1f KiB/conn; %0.f goroutines\n",
				m.Target, m.Connections, m.RSSBefore/(1<<20), m.RSSAfter/(1<<20), m.RSSPerConn/1024, m.GoBefore/(1<<20), m.GoAfter/(1<<20), m.GoPerConn/1024, m.GoroutinesAfter)
		}
	}
	if r.ActiveConvs > 0 {
		fmt.Fprintf(w, "active conversations: %d; turns: %d (answered %d, handoff %d, error %d, no answer within 75s %d)\n",
			r.ActiveConvs, r.Turns, r.TurnsAnswered, r.TurnsHandoff, r.TurnsError, r.TurnsTimedOut)
		fmt.Fprintf(w, "  client: send -> ack           %s\n", ms(r.Ack))
		fmt.Fprintf(w, "  client: ack -> first delta    %s\n", ms(r.AckToDelta))
		fmt.Fprintf(w, "  client: ack -> stored reply   %s\n", ms(r.AckToReply))
		fmt.Fprintf(w, "  red flags: %d; console alerts: %d; missing: %d\n", r.RedFlags, r.Alerts, r.AlertsMissing)
		fmt.Fprintf(w, "  client: red flag sent -> alert  %s\n", ms(r.AlertFromSend))
		fmt.Fprintf(w, "  client: red flag ack -> alert   %s\n", ms(r.AlertFromAck))
		for _, s := range r.Server {
			fmt.Fprintf(w, "  server %s outcomes %v\n", s.Target, s.Outcomes)
			fmt.Fprintf(w, "    queue (commit -> turn starts)   %s\n", ms(s.Queue))
			fmt.Fprintf(w, "    server (turn minus responder)   %s\n", ms(s.Server))
			fmt.Fprintf(w, "    responder                       %s\n", ms(s.Responder))
		}
	}
}

func runVerify(ctx context.Context, e *env, dbURL, ackFile string, wait time.Duration) int {
	if dbURL == "" || ackFile == "" {
		fmt.Fprintln(e.stderr, "loadtest: -verify needs -database-url and -acks")
		return 2
	}
	f, err := os.Open(ackFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "loadtest: %v\n", err)
		return 1
	}
	defer f.Close()
	v, err := loadtest.Verify(ctx, dbURL, f, wait)
	if err != nil {
		fmt.Fprintf(e.stderr, "loadtest: verify: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "verify: %d acknowledged messages checked; %d resident messages, %d assistant replies, %d pending after the wait\n",
		v.Acks, v.ResidentMessages, v.AssistantReplies, v.Pending)
	for _, x := range v.Violations {
		fmt.Fprintf(e.stdout, "VIOLATION: %s\n", x)
	}
	if len(v.Violations) > 0 {
		return 1
	}
	fmt.Fprintln(e.stdout, "verify: ok")
	return 0
}
