package safety

import "context"

// Verdict is the output check's judgement on an assistant reply.
type Verdict struct {
	Safe    bool       `json:"safe"`
	Reasons []Evidence `json:"reasons,omitempty"`
}

// CheckReply judges an assistant reply (or one sentence of a streamed
// reply) before it is shown: method or lethality details, medication doses
// or quantities, self-harm instructions, dismissing or minimising risk,
// discouraging help, claiming to be human, and diagnosing. It is safe for
// concurrent use and does no I/O.
func (c *Classifier) CheckReply(ctx context.Context, reply string) (v Verdict, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = Verdict{}, errorf("checking reply: panic: %v", p)
		}
	}()
	nt := c.rules.norm.normalize(reply)
	v.Safe = true
	for _, f := range c.rules.scan(targetReply, &nt, reply, scanContext{}) {
		if f.rule.level == None {
			continue
		}
		v.Safe = false
		v.Reasons = append(v.Reasons, Evidence{
			Layer: LayerRules, RuleID: f.rule.id, Category: f.rule.category,
			Level: f.rule.level, Span: f.span, Start: f.start, End: f.end,
		})
	}
	return v, nil
}
