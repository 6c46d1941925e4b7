package assistant

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"nightfloat"
	"strconv"
	"time"
)

// Page is what a paging system receives about a handoff, or about a screen whose
// counsellor's reply is overdue: never any transcript text or answer.
type Page struct {
	HandoffID int64 `json:"handoff_id,omitempty"`
	// ScreenID names an overdue screen instead of a handoff; the link goes to the
	// counsellors' page.
	ScreenID   int64            `json:"screen_id,omitempty"`
	Level      nightfloat.Level `json:"level"`
	Alert      int              `json:"alert"` // 1 for the first page, more for re-pages
	ConsoleURL string           `json:"console_url"`
	CreatedAt  time.Time        `json:"created_at"`
	// Burst, for a flood, is how many handoffs from one source this one page stands for
	// (each is in the console and can be claimed); 0 for an ordinary handoff.
	Burst int `json:"burst,omitempty"`
}

// Pager sends pages; nil means no paging system is configured.
type Pager interface {
	Page(ctx context.Context, p Page) error
}

// WebhookPager POSTs each page as JSON to a URL, signed with HMAC-SHA256 of the body in
// X-Nightfloat-Signature when a secret is set, retrying with exponential backoff.
type WebhookPager struct {
	URL        string
	Secret     string
	ConsoleURL string // base URL of the console, e.g. https://nightfloat.example.org/console/
	Client     *http.Client
	Attempts   int           // default 5
	Backoff    time.Duration // first retry delay, doubled each time; default 1s
}

// Page delivers p, retrying on network errors, 429 and 5xx.
func (w WebhookPager) Page(ctx context.Context, p Page) error {
	p.ConsoleURL = w.ConsoleURL + "handoffs/" + strconv.FormatInt(p.HandoffID, 10)
	if p.ScreenID != 0 {
		p.ConsoleURL = w.ConsoleURL + "screens"
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("pager: encode: %w", err)
	}
	attempts, backoff := w.Attempts, w.Backoff
	if attempts <= 0 {
		attempts = 5
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("pager: %w (last error: %v)", ctx.Err(), last)
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		retry, err := w.post(ctx, client, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	return fmt.Errorf("pager: giving up after %d attempts: %w", attempts, last)
}

func (w WebhookPager) post(ctx context.Context, client *http.Client, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.Secret != "" {
		mac := hmac.New(sha256.New, []byte(w.Secret))
		mac.Write(body)
		req.Header.Set("X-Nightfloat-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := client.Do(req)
	if err != nil {
		return true, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("webhook answered %s", resp.Status)
	default:
		return false, fmt.Errorf("webhook refused the page: %s", resp.Status)
	}
}
