package safety

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"nightfloat"
	"strings"
	"time"
)

// ModelClient is what the model layer needs from a chat model: one completion, its text.
// llm.Chat provides it for any OpenAI-compatible endpoint.
type ModelClient interface {
	Complete(ctx context.Context, system, user string) (string, error)
}

// LayerModel names the model layer's evidence.
const LayerModel = "model"

// NewModelLayer returns a layer that asks a language model for a structured verdict. Like
// every optional layer it can only raise the rules' verdict; its errors and time-outs are
// recorded on the assessment and leave the rules' verdict standing.
func NewModelLayer(client ModelClient, model string, timeout time.Duration) Layer {
	if timeout <= 0 {
		timeout = 8 * time.Second
	}
	return &modelLayer{client: client, model: model, timeout: timeout}
}

type modelLayer struct {
	client  ModelClient
	model   string
	timeout time.Duration
}

func (l *modelLayer) Name() string { return LayerModel }

// modelVerdict is the JSON the model is asked for.
type modelVerdict struct {
	Level      string   `json:"level"`
	Categories []string `json:"categories"`
	Reason     string   `json:"reason"`
}

// modelSystemPrompt is the model layer's instructions, versioned by its file name.
//
//go:embed prompts/model-layer-v1.txt
var modelSystemPrompt string

// modelPromptVersion names the prompt the model layer sends; its findings carry it in RuleID.
const modelPromptVersion = "model-layer-v1"

func (l *modelLayer) Assess(ctx context.Context, history []Turn, message string) (Assessment, error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	var earlier []string // the writer's last five earlier messages
	for _, t := range history {
		if t.Author == AuthorResident || t.Author == "" {
			earlier = append(earlier, t.Text)
		}
	}
	earlier = earlier[max(0, len(earlier)-5):]
	var b strings.Builder
	b.WriteString("Earlier messages from the writer, oldest first:\n")
	for _, text := range earlier {
		fmt.Fprintf(&b, "<<<%s>>>\n", text)
	}
	fmt.Fprintf(&b, "\nThe message to judge:\n<<<%s>>>", message)
	text, err := l.client.Complete(ctx, modelSystemPrompt, b.String())
	if err != nil {
		return Assessment{}, fmt.Errorf("safety: model layer: %w", err)
	}
	v, err := parseModelVerdict(text)
	if err != nil {
		return Assessment{}, fmt.Errorf("safety: model layer: %w", err)
	}
	level, err := nightfloat.ParseLevel(v.Level)
	if err != nil {
		return Assessment{}, fmt.Errorf("safety: model layer: %w", err)
	}
	a := Assessment{Level: level, Categories: []Category{}, Evidence: []Evidence{}}
	if level == None {
		return a, nil
	}
	known := map[Category]bool{}
	for _, c := range AllCategories() {
		known[c] = true
	}
	for _, c := range v.Categories {
		if cat := Category(c); known[cat] {
			a.Categories = append(a.Categories, cat)
		}
	}
	cat := Distress
	if len(a.Categories) > 0 {
		cat = a.Categories[0]
	}
	a.Evidence = append(a.Evidence, Evidence{Layer: LayerModel, RuleID: "model." + l.model + "@" + modelPromptVersion, Category: cat, Level: level,
		Span: truncate(v.Reason, 200), Start: -1, End: -1})
	return a, nil
}

// parseModelVerdict reads the model's JSON, tolerating a code fence around it.
func parseModelVerdict(text string) (modelVerdict, error) {
	s := strings.TrimSpace(text)
	if i := strings.Index(s, "{"); i >= 0 {
		if j := strings.LastIndex(s, "}"); j > i {
			s = s[i : j+1]
		}
	}
	var v modelVerdict
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return v, fmt.Errorf("the model's verdict is not the JSON asked for: %w", err)
	}
	if v.Level == "" {
		return v, errors.New("the model's verdict has no level")
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
