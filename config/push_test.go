package config

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

func vapidPair(tb testing.TB) (pub, priv string) {
	tb.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(k.Bytes())
}

// TestPushSettings: push is off without keys; keys must come as a matching pair with a
// subject, and every refusal names its variable; the private key is redacted.
func TestPushSettings(t *testing.T) {
	pub, priv := vapidPair(t)
	otherPub, _ := vapidPair(t)
	base := map[string]string{"DATABASE_URL": "postgres://u@localhost/db"}
	tests := []struct {
		name string
		set  map[string]string
		want string // a variable the error names; "" for valid
		on   bool
	}{
		{"off", nil, "", false},
		{"a pair with a subject", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": pub, "NIGHTFLOAT_VAPID_PRIVATE_KEY": priv, "NIGHTFLOAT_VAPID_SUBJECT": "mailto:ops@example.org"}, "", true},
		{"subject from the public URL", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": pub, "NIGHTFLOAT_VAPID_PRIVATE_KEY": priv, "NIGHTFLOAT_PUBLIC_URL": "https://nf.example.org"}, "", true},
		{"public key alone", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": pub}, "NIGHTFLOAT_VAPID_PRIVATE_KEY", false},
		{"keys of two pairs", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": otherPub, "NIGHTFLOAT_VAPID_PRIVATE_KEY": priv, "NIGHTFLOAT_VAPID_SUBJECT": "mailto:ops@example.org"}, "NIGHTFLOAT_VAPID_PRIVATE_KEY", false},
		{"truncated public key", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": pub[:20], "NIGHTFLOAT_VAPID_PRIVATE_KEY": priv, "NIGHTFLOAT_VAPID_SUBJECT": "mailto:ops@example.org"}, "NIGHTFLOAT_VAPID_PUBLIC_KEY", false},
		{"no subject", map[string]string{"NIGHTFLOAT_VAPID_PUBLIC_KEY": pub, "NIGHTFLOAT_VAPID_PRIVATE_KEY": priv}, "NIGHTFLOAT_VAPID_SUBJECT", false},
		{"grace too short", map[string]string{"NIGHTFLOAT_CHECKIN_GRACE": "1m"}, "NIGHTFLOAT_CHECKIN_GRACE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range tt.set {
				m[k] = v
			}
			c, err := Load(env(m))
			if err == nil {
				err = c.Validate()
			}
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if c.PushEnabled() != tt.on {
					t.Errorf("push enabled %v, want %v", c.PushEnabled(), tt.on)
				}
				if strings.Contains(c.Redacted().VAPIDPrivateKey, priv) && priv != "" && tt.on {
					t.Errorf("the VAPID private key is in the redacted config")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error naming %s, got %v", tt.want, err)
			}
		})
	}
}
