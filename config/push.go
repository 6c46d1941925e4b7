package config

import (
	"crypto/ecdh"
	"encoding/base64"
	"fmt"
	"strings"
)

// validatePush checks the web-push settings: no keys (push off), or a public and a
// private key that belong together, with a subject push services can reach the operator
// at. It checks the pair here, at start, so that a swapped or truncated key is not found
// only when the first check-in is due.
func (c Config) validatePush() error {
	if c.VAPIDPublicKey == "" && c.VAPIDPrivateKey == "" {
		return nil
	}
	if c.VAPIDPublicKey == "" || c.VAPIDPrivateKey == "" {
		return fmt.Errorf("config: NIGHTFLOAT_VAPID_PUBLIC_KEY and NIGHTFLOAT_VAPID_PRIVATE_KEY are set together or not at all (nightfloat push-keys makes a pair)")
	}
	pub, err := decodeBase64Key(c.VAPIDPublicKey)
	if err != nil || len(pub) != 65 || pub[0] != 4 {
		return fmt.Errorf("config: NIGHTFLOAT_VAPID_PUBLIC_KEY is not a base64url P-256 public key (65 bytes uncompressed)")
	}
	priv, err := decodeBase64Key(c.VAPIDPrivateKey)
	if err != nil || len(priv) != 32 {
		return fmt.Errorf("config: NIGHTFLOAT_VAPID_PRIVATE_KEY is not a base64url P-256 private key (32 bytes)")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil || string(key.PublicKey().Bytes()) != string(pub) {
		return fmt.Errorf("config: NIGHTFLOAT_VAPID_PRIVATE_KEY does not belong to NIGHTFLOAT_VAPID_PUBLIC_KEY")
	}
	if !strings.HasPrefix(c.VAPIDSubject, "mailto:") && !strings.HasPrefix(c.VAPIDSubject, "https://") {
		return fmt.Errorf("config: NIGHTFLOAT_VAPID_SUBJECT must be a mailto: or https: URL where push services can reach you (it defaults to NIGHTFLOAT_PUBLIC_URL when that is https)")
	}
	return nil
}

// decodeBase64Key reads URL-safe or standard base64, padded or not.
func decodeBase64Key(s string) ([]byte, error) {
	s = strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
	return base64.RawURLEncoding.DecodeString(s)
}
