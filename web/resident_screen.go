package web

import (
	"encoding/json"
	"net/http"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/screening"
	"nightfloat/web/protocol"
)

// The screening page, GET /screen: the questionnaires of package screening, one question
// at a time, under the same pseudonymous conversation as the chat (the page reads the
// conversation id and token the chat keeps on the device, or starts a conversation). The
// answers go over the resident socket as a screen frame (docs/protocol.md); the server
// scores and stores them before it answers with their result.

// screenPageData is what the screening page shows before any socket opens: the published
// wording of every instrument, and the crisis resources.
type screenPageData struct {
	CrisisBar   crisisBar
	Instruments []screenInstrument
	ReplyWithin string // "24 hours"
}

// screenInstrument is an instrument as the page lays it out.
type screenInstrument struct {
	screening.Instrument
	Scored int // how many questions count towards the score
}

// screenPage renders the screening page.
func (s *Server) screenPage(w http.ResponseWriter, _ *http.Request) {
	data := screenPageData{
		CrisisBar:   s.crisisBar(false),
		ReplyWithin: assistant.HumanDuration(s.svc.ScreenReplyWithin()),
	}
	for _, in := range screening.Instruments() {
		si := screenInstrument{Instrument: in}
		for _, q := range in.Items {
			if q.Scored {
				si.Scored++
			}
		}
		data.Instruments = append(data.Instruments, si)
	}
	s.render(w, "screen.html", data)
}

// screen stores one questionnaire's answers and acknowledges them with their result,
// after the messages stored with them (the summary and any handoff notice).
func (c *conn) screen(f protocol.ClientFrame) {
	c.mu.Lock()
	conv := c.conv
	c.mu.Unlock()
	var answers screening.Responses
	if len(f.Answers) > 0 {
		if err := json.Unmarshal(f.Answers, &answers); err != nil {
			c.sendError(nightfloat.Errorf(nightfloat.CodeInvalid, "the answers must be an object of question ids and numbers"), f.ClientID)
			return
		}
	}
	out, err := c.srv.svc.SubmitScreen(c.ctx, conv, f.ClientID, screening.ID(f.Instrument), answers)
	if err != nil {
		c.sendError(err, f.ClientID)
		return
	}
	c.enqueue(syncRequest{})
	c.enqueue(protocol.Screened{Type: protocol.TypeScreened, ClientID: f.ClientID, Screen: screenResult(out.Screen)})
	if out.HandoffID != 0 {
		c.enqueue(assistant.Event{Kind: assistant.EventHandoff, ConversationID: conv.ID, Seq: out.HandoffID})
	}
}

// screenResult is a stored screen as the resident is shown it.
func screenResult(sc assistant.Screen) protocol.ScreenResult {
	r := sc.Result
	out := protocol.ScreenResult{ID: sc.ID, Instrument: string(r.Instrument), Complete: sc.Complete, Total: r.Total,
		Min: r.Min, Max: r.Max, Band: screening.BandLabel(r.Band), Positive: r.Positive, Level: r.Level.String(),
		Alerts: r.Alerts, Meaning: screening.Meaning(r), Handoff: sc.HandoffID != 0, ReplyDue: sc.ReplyDueAt}
	if in, err := screening.Lookup(r.Instrument); err == nil {
		out.Name, out.Topic = in.Name, in.Topic
	}
	if !sc.Complete {
		// Kept unscored because an alert question handed off: say what was missing.
		_, err := screening.Score(r.Instrument, r.Answers)
		out.Note = nightfloat.ErrorMessage(err)
	}
	return out
}
