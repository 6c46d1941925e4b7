package llm

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// API types accepted in Config.APIType.
const (
	APITypeOpenAI = "openai"
	APITypeAzure  = "azure"
)

// defaultAzureAPIVersion is used when an Azure configuration names no API version.
const defaultAzureAPIVersion = "2024-10-21"

// Config says how to reach an OpenAI-compatible server. The zero BaseURL means OpenAI's
// public API. For vLLM or Ollama set BaseURL to the server's /v1 URL (an API key may then be
// empty). For Azure set APIType "azure", BaseURL to the resource endpoint
// (https://NAME.openai.azure.com) and use the deployment name as the model.
type Config struct {
	BaseURL    string
	APIKey     string
	APIType    string // "openai" (default) or "azure"
	APIVersion string // Azure only
	HTTPClient *http.Client
}

// Validate reports a configuration that cannot work, naming the offending setting.
func (c Config) Validate() error {
	switch c.apiType() {
	case APITypeOpenAI, APITypeAzure:
	default:
		return fmt.Errorf("llm: API type %q: want %q or %q", c.APIType, APITypeOpenAI, APITypeAzure)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("llm: base URL %q: want an absolute http(s) URL", c.BaseURL)
		}
	}
	if c.apiType() == APITypeAzure {
		if c.BaseURL == "" {
			return errors.New("llm: API type azure needs a base URL (https://NAME.openai.azure.com)")
		}
		if c.APIKey == "" {
			return errors.New("llm: API type azure needs an API key")
		}
	}
	if c.apiType() == APITypeOpenAI && c.BaseURL == "" && c.APIKey == "" {
		return errors.New("llm: OpenAI's API needs an API key (or set a base URL for a local server)")
	}
	return nil
}

func (c Config) apiType() string {
	if t := strings.ToLower(strings.TrimSpace(c.APIType)); t != "" {
		return t
	}
	return APITypeOpenAI
}

// newClient builds a go-openai client for c. Callers validate c first.
func newClient(c Config) *openai.Client {
	var cfg openai.ClientConfig
	if c.apiType() == APITypeAzure {
		cfg = openai.DefaultAzureConfig(c.APIKey, c.BaseURL)
		cfg.APIVersion = defaultAzureAPIVersion
		if c.APIVersion != "" {
			cfg.APIVersion = c.APIVersion
		}
		// The model is the deployment name, used as it is.
		cfg.AzureModelMapperFunc = func(model string) string { return model }
	} else {
		cfg = openai.DefaultConfig(c.APIKey)
		if c.BaseURL != "" {
			cfg.BaseURL = strings.TrimRight(c.BaseURL, "/")
		}
	}
	if c.HTTPClient != nil {
		cfg.HTTPClient = c.HTTPClient
	}
	return openai.NewClientWithConfig(cfg)
}
