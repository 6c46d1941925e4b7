package assistant

import (
	"context"
	"fmt"
	"strings"

	"nightfloat/retrieval"
	"nightfloat/safety"
)

// VettedResponder composes replies only from retrieved vetted content and fixed text: no
// model, no network. It is the default, and the fallback when a model is unavailable.
type VettedResponder struct {
	Crisis CrisisResources
	// MaxSources is how many retrieved documents a reply draws on (default 2).
	MaxSources int
}

// VettedResponderID names this responder in stored message metadata.
const VettedResponderID = "vetted-v1"

// Respond writes an opening chosen by what was said (none for a plain question, never the
// previous reply's), the best matching content with its title and a pointer to a second
// source or, when retrieval found nothing relevant enough, a reply that quotes nothing and
// asks what would help, and, on concern, how to reach a person.
func (v VettedResponder) Respond(ctx context.Context, req Request, emit func(string) error) (Reply, error) {
	var b strings.Builder
	var cited []string
	if req.AskedIfHuman {
		b.WriteString(v.Crisis.Disclosure())
		b.WriteString("\n\n")
	}
	previous := lastAssistantReply(req.History)
	if worryOnly(req.Assessment) {
		b.WriteString(worryOpening)
	} else if o := chooseOpener(req.Message.Body, req.Assessment.Level, previous); o != "" {
		b.WriteString(o)
		b.WriteString(" ")
	}
	switch {
	case len(req.Sources) == 0:
		b.WriteString(pickUnlike(noContentReplies, previous))
	default:
		top := req.Sources[0]
		fmt.Fprintf(&b, "Here is something from “%s” that may help:\n\n%s", top.Title, strings.TrimSpace(top.Text))
		cited = append(cited, top.ChunkID)
		max := v.MaxSources
		if max <= 0 {
			max = 2
		}
		for _, s := range req.Sources[1:] {
			if len(cited) >= max {
				break
			}
			if s.DocID == top.DocID {
				continue
			}
			fmt.Fprintf(&b, "\n\nYou may also find “%s” useful (%s).", s.Title, lastHeading(s))
			cited = append(cited, s.ChunkID)
		}
	}
	if worryOnly(req.Assessment) {
		b.WriteString(v.Crisis.worryClose())
	} else if req.Assessment.Level == safety.Concern {
		b.WriteString("\n\nYou don't have to carry this alone. If it gets heavier, you can reach a person any time:\n")
		b.WriteString(v.Crisis.Text(safety.Concern))
	}
	if err := streamWords(ctx, b.String(), emit); err != nil {
		return Reply{}, err
	}
	return Reply{Text: b.String(), Cited: cited, PromptID: VettedResponderID, PromptVersion: "2", Model: "none"}, nil
}

// noContentReplies answer a message no vetted content fits: no quote, no guess, and a
// question about what would help.
var noContentReplies = []string{
	"I don't have vetted content on that, so I won't guess. I can help with things like sleep after call, a hard shift or a patient's death, exam stress, conflict at work, burnout, and finding confidential help. If something is weighing on you, tell me a little more about it.",
	"That's outside what I have vetted content for, so I'd rather not guess. If you tell me a bit more about what's behind it (sleep, a hard shift, a conflict at work, exams, or how you're feeling) I can look for something that fits.",
}

// pickUnlike returns the first of texts that the previous reply does not contain.
func pickUnlike(texts []string, previous string) string {
	for _, t := range texts {
		if !strings.Contains(previous, t) {
			return t
		}
	}
	return texts[0]
}

func lastHeading(r retrieval.Result) string {
	parts := strings.Split(r.Heading, " > ")
	return strings.ToLower(parts[len(parts)-1][:1]) + parts[len(parts)-1][1:]
}

// streamWords emits text a few words at a time, so the vetted reply streams through the
// same checked path as a model's.
func streamWords(ctx context.Context, text string, emit func(string) error) error {
	const wordsPerPiece = 4
	start, words := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] != ' ' && text[i] != '\n' {
			continue
		}
		words++
		if words%wordsPerPiece == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(text[start : i+1]); err != nil {
				return err
			}
			start = i + 1
		}
	}
	if start < len(text) {
		return emit(text[start:])
	}
	return nil
}
