package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"nightfloat/web/protocol"
)

// ResidentClient is the resident's end of the chat websocket (docs/protocol.md), for
// programs that drive the server as a resident would: the end-to-end eval. Its frames
// are package protocol's; it is the only way code outside this package speaks the
// protocol over gorilla/websocket (the load tool apart), so the library stays inside web.
type ResidentClient struct {
	ws     *websocket.Conn
	wr     sync.Mutex // one writer at a time
	frames chan protocol.ServerFrame
	done   chan struct{} // closed when the reader stops
	err    error         // why the reader stopped; read after done is closed
}

// DialResident opens the resident websocket at url (ws://host/ws). header may carry an
// Origin; nil sends none, which the server allows for non-browser clients.
func DialResident(ctx context.Context, url string, header http.Header) (*ResidentClient, error) {
	d := websocket.Dialer{HandshakeTimeout: 15 * time.Second}
	ws, resp, err := d.DialContext(ctx, url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("web: dial %s: %w (HTTP %d)", url, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("web: dial %s: %w", url, err)
	}
	ws.SetReadLimit(hardFrameLimit)
	c := &ResidentClient{ws: ws, frames: make(chan protocol.ServerFrame, 4096), done: make(chan struct{})}
	go c.read()
	return c, nil
}

// read receives frames until the connection ends. Reading all the time also answers the
// server's pings.
func (c *ResidentClient) read() {
	defer close(c.done)
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			c.err = err
			return
		}
		if typ != websocket.TextMessage {
			continue
		}
		var f protocol.ServerFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.err = fmt.Errorf("web: frame is not JSON: %w", err)
			return
		}
		f.Raw = append(json.RawMessage(nil), data...)
		select {
		case c.frames <- f:
		default:
			c.err = fmt.Errorf("web: resident client: more than %d frames unread", cap(c.frames))
			c.ws.Close()
			return
		}
	}
}

// Hello starts a new conversation for role.
func (c *ResidentClient) Hello(role string) error {
	return c.write(protocol.ClientFrame{Type: protocol.TypeHello, Role: role})
}

// Resume reopens a conversation and asks for every message after lastSeq.
func (c *ResidentClient) Resume(conversationID, token string, lastSeq int64) error {
	return c.write(protocol.ClientFrame{Type: protocol.TypeHello, ConversationID: conversationID, Token: token, LastSeq: lastSeq})
}

// Send sends a resident message; clientID makes resending it idempotent.
func (c *ResidentClient) Send(clientID, text string) error {
	return c.write(protocol.ClientFrame{Type: protocol.TypeMessage, ClientID: clientID, Text: text})
}

// Screen sends one questionnaire's answers (screening's question ids to option values);
// clientID makes resending it idempotent. The server answers with a screened frame.
func (c *ResidentClient) Screen(clientID, instrument string, answers map[string]int) error {
	b, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	return c.write(protocol.ClientFrame{Type: protocol.TypeScreen, ClientID: clientID, Instrument: instrument, Answers: b})
}

func (c *ResidentClient) write(f protocol.ClientFrame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	c.wr.Lock()
	defer c.wr.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("web: send %s: %w", f.Type, err)
	}
	return nil
}

// Next returns the next frame, waiting until ctx is done. Frames that arrived before
// the connection ended are returned first; then the error that ended it.
func (c *ResidentClient) Next(ctx context.Context) (protocol.ServerFrame, error) {
	select {
	case f := <-c.frames:
		return f, nil
	default:
	}
	select {
	case f := <-c.frames:
		return f, nil
	case <-c.done:
		select {
		case f := <-c.frames:
			return f, nil
		default:
		}
		return protocol.ServerFrame{}, c.err
	case <-ctx.Done():
		return protocol.ServerFrame{}, ctx.Err()
	}
}

// Close sends a normal close frame and closes the connection.
func (c *ResidentClient) Close() error {
	c.wr.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wr.Unlock()
	err := c.ws.Close()
	<-c.done
	return err
}
