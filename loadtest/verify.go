package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"nightfloat/postgres"
)

// AckLog records every acknowledgement the driver received, one line each:
// "<conversation id> <client id> <seq>". A resident was told these messages are stored, so
// they must survive anything, a SIGKILL included.
type AckLog struct {
	mu sync.Mutex
	w  io.Writer
}

// NewAckLog writes acknowledgements to w.
func NewAckLog(w io.Writer) *AckLog { return &AckLog{w: w} }

func (l *AckLog) record(conv, clientID string, seq int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s %s %d\n", conv, clientID, seq)
	if f, ok := l.w.(interface{ Sync() error }); ok {
		_ = f.Sync() // the driver may be killed next
	}
}

// Verdict is what Verify found.
type Verdict struct {
	Acks             int      `json:"acks"`
	ResidentMessages int      `json:"resident_messages"`
	AssistantReplies int      `json:"assistant_replies"`
	Pending          int      `json:"pending_after_wait"`
	Violations       []string `json:"violations"`
}

// Verify checks the database after faults: every acknowledged message is stored with its
// seq; after recovery (waiting up to wait for pending turns to drain) every resident message
// in an AI-mode conversation has exactly one reply (an answer, a withheld notice, a handoff
// notice or an error notice); and no assistant reply lacks meta.output_checked.
func Verify(ctx context.Context, dbURL string, acks io.Reader, wait time.Duration) (Verdict, error) {
	var v Verdict
	pool, err := postgres.Open(ctx, dbURL, 2)
	if err != nil {
		return v, err
	}
	defer pool.Close()
	type ack struct {
		conv, client string
		seq          int64
	}
	var list []ack
	sc := bufio.NewScanner(acks)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue // a line cut by a kill of the driver itself
		}
		seq, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		list = append(list, ack{f[0], f[1], seq})
	}
	v.Acks = len(list)
	for _, a := range list {
		var seq int64
		err := pool.QueryRow(ctx, `SELECT seq FROM messages WHERE conversation_id = $1::uuid AND client_id = $2 AND author = 'resident'`, a.conv, a.client).Scan(&seq)
		if err != nil || seq != a.seq {
			v.Violations = append(v.Violations, fmt.Sprintf("acknowledged message %s/%s (seq %d) is missing or moved: %v (seq %d)", a.conv, a.client, a.seq, err, seq))
		}
	}
	deadline := time.Now().Add(wait)
	for {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE author = 'resident' AND turn_state = 'pending'`).Scan(&v.Pending); err != nil {
			return v, err
		}
		if v.Pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if v.Pending > 0 {
		v.Violations = append(v.Violations, fmt.Sprintf("%d resident messages still pending after %s: silently unanswered", v.Pending, wait))
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE author = 'resident'`).Scan(&v.ResidentMessages); err != nil {
		return v, err
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE author = 'assistant'`).Scan(&v.AssistantReplies); err != nil {
		return v, err
	}
	checks := []struct{ what, sql string }{
		{"resident messages in AI conversations with no reply, handoff notice or error notice", `
			SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.author = 'resident' AND m.turn_state <> 'pending' AND c.mode = 'ai'
			  AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.conversation_id = m.conversation_id AND r.reply_to = m.seq AND r.kind <> 'disclosure')`},
		{"turns answered more than once", `
			SELECT count(*) FROM (SELECT conversation_id, reply_to FROM messages WHERE reply_to IS NOT NULL AND kind <> 'disclosure'
			GROUP BY 1, 2 HAVING count(*) > 1) d`},
		{"assistant replies stored without meta.output_checked", `
			SELECT count(*) FROM messages WHERE author = 'assistant' AND coalesce(meta->>'output_checked', '') <> 'true'`},
	}
	for _, c := range checks {
		var n int
		if err := pool.QueryRow(ctx, c.sql).Scan(&n); err != nil {
			return v, err
		}
		if n > 0 {
			v.Violations = append(v.Violations, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	return v, nil
}
