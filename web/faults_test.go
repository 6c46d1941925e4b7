package web

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"nightfloat/loadtest"
	"nightfloat/retrieval/retrievaltest"
)

// TestFaultSIGKILLMidTurnLosesNothing is the CI-sized version of scripts/faults/sigkill.sh: the
// real binary, killed with SIGKILL five times while residents are mid-conversation, then
// restarted. Every acknowledged message must be stored, every turn answered once recovery has
// run (the dead server's leases run out and another process takes the turns over), none
// twice, and no reply stored without the output check.
const faultMetricsToken = "fault-run-metrics-token"

func TestFaultSIGKILLMidTurnLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; about a minute")
	}
	db, _ := retrievaltest.ContentDB(t, "../content")
	bin := filepath.Join(t.TempDir(), "nightfloat")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/nightfloat").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--drafts")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL, "NIGHTFLOAT_ADDR="+addr, "NIGHTFLOAT_LOG_LEVEL=warn",
			"NIGHTFLOAT_METRICS_TOKEN="+faultMetricsToken, "NIGHTFLOAT_NEW_CONVERSATIONS_PER_MINUTE=100000")
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 200; i++ {
			if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				return cmd
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		t.Fatalf("server did not start:\n%s", logs.String())
		return nil
	}

	var acks syncBuffer
	ackLog := loadtest.NewAckLog(&acks)
	for round := 0; round < 5; round++ {
		cmd := start()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = loadtest.Run(ctx, loadtest.Options{Targets: []string{"http://" + addr}, Active: 6, Every: time.Second,
				Duration: 2500 * time.Millisecond, Ramp: 100, Acks: ackLog, MetricsToken: faultMetricsToken})
		}()
		time.Sleep(time.Duration(400+round*300) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		<-done
		cancel()
	}
	cmd := start()
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	v, err := loadtest.Verify(context.Background(), db.URL, bytes.NewReader(acks.Bytes()), 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5 kills: %d acknowledged messages, %d resident messages, %d assistant replies, %d pending", v.Acks, v.ResidentMessages, v.AssistantReplies, v.Pending)
	if v.Acks == 0 {
		t.Fatal("no message was acknowledged: the driver did not reach the server")
	}
	for _, x := range v.Violations {
		t.Error(x)
	}
}

// syncBuffer is a bytes.Buffer that several goroutines may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}
