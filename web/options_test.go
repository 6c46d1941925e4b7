package web

import "nightfloat/assistant"

func optionsWithRate(perMinute int) assistant.Options {
	return assistant.Options{RateLimitPerMinute: perMinute}
}
