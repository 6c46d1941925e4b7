package main

import (
	"fmt"

	"nightfloat/config"
	"nightfloat/llm"
	"nightfloat/safety"
)

// newSafetyModelLayer builds the optional model-based safety layer from configuration:
// nil when NIGHTFLOAT_SAFETY_MODEL is not set. It uses the same OpenAI-compatible endpoint
// settings as the responder, with a low temperature and a short answer.
func newSafetyModelLayer(cfg config.Config) (safety.Layer, error) {
	if cfg.SafetyModel == "" {
		return nil, nil
	}
	chat, err := llm.NewChat(llm.Config{
		BaseURL:    cfg.OpenAIBaseURL,
		APIKey:     cfg.OpenAIAPIKey,
		APIType:    cfg.OpenAIAPIType,
		APIVersion: cfg.OpenAIAPIVersion,
	}, llm.ChatOptions{
		Model:       cfg.SafetyModel,
		Temperature: 0.01,
		MaxTokens:   120,
		Timeout:     cfg.SafetyModelTimeout,
		MaxRetries:  -1, // a verdict late is a verdict missed: the rules' verdict stands
	})
	if err != nil {
		return nil, fmt.Errorf("safety model layer: %w", err)
	}
	return safety.NewModelLayer(chat, cfg.SafetyModel, cfg.SafetyModelTimeout), nil
}
