package main

import (
	"fmt"
	"log/slog"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"

	"nightfloat/assistant"
	"nightfloat/config"
	"nightfloat/llm"
	"nightfloat/prompts"
)

// newResponder builds the responder serve uses: the vetted responder by default (no model,
// no network, no key), or with NIGHTFLOAT_RESPONDER=model the model responder, which falls
// back to the vetted one whenever the model cannot answer. It makes no network request, so
// a model server that is down at start-up does not stop Nightfloat from serving.
func newResponder(cfg config.Config, pool *pgxpool.Pool, crisis assistant.CrisisResources, logger *slog.Logger) (assistant.Responder, error) {
	vetted := assistant.VettedResponder{Crisis: crisis}
	switch cfg.Responder {
	case "", "vetted":
		logger.Info("responder: vetted content only (no model)")
		return vetted, nil
	case "model":
	default:
		return nil, fmt.Errorf("responder: NIGHTFLOAT_RESPONDER %q: want vetted or model", cfg.Responder)
	}
	chat, err := llm.NewChat(llm.Config{
		BaseURL:    cfg.OpenAIBaseURL,
		APIKey:     cfg.OpenAIAPIKey,
		APIType:    cfg.OpenAIAPIType,
		APIVersion: cfg.OpenAIAPIVersion,
	}, llm.ChatOptions{
		Model:             cfg.Model,
		Temperature:       cfg.ModelTemperature,
		MaxTokens:         cfg.ModelMaxTokens,
		ConnectTimeout:    cfg.ModelConnectTimeout,
		FirstTokenTimeout: cfg.ModelFirstTokenTimeout,
		IdleTimeout:       cfg.ModelIdleTimeout,
		Timeout:           cfg.ModelTimeout,
		MaxRetries:        retries(cfg.ModelRetries),
	})
	if err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	set, err := prompts.Load()
	if err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	r, err := assistant.NewModelResponder(assistant.ModelResponderOptions{
		Chat:          chat,
		Prompts:       set,
		Fallback:      vetted,
		Crisis:        crisis,
		Usage:         assistant.NewUsageStore(pool),
		Limits:        assistant.UsageLimits{DailyTokens: cfg.ModelDailyTokens, ConversationTokens: cfg.ModelConversationTokens},
		ContextTokens: cfg.ModelContextTokens,
		ReplyTokens:   cfg.ModelMaxTokens,
		Logger:        logger,
	})
	if err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	logger.Info("responder: model, with vetted content as the fallback", "model", cfg.Model, "api_type", cfg.OpenAIAPIType,
		"base_url", redactURL(cfg.OpenAIBaseURL), "daily_tokens", cfg.ModelDailyTokens, "conversation_tokens", cfg.ModelConversationTokens)
	return r, nil
}

// retries maps the configured count to llm's convention (0 there means the default).
func retries(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// redactURL hides a password in a URL before it is logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
