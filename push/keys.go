package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Keys are a VAPID key pair, each URL-safe base64 as browsers and webpush-go take them:
// the public key is the uncompressed P-256 point (65 bytes), the private key its scalar
// (32 bytes).
type Keys struct {
	Public  string
	Private string
	// Subject is who runs the server, a mailto: or https: URL, sent to push services
	// with every notification.
	Subject string
}

// decodeKey reads URL-safe or standard base64, padded or not.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return base64.RawURLEncoding.DecodeString(s)
}

// Check reports whether the keys are a usable pair: the private key must give the public
// one, so a swapped or stale key is caught at start, not at the first check-in.
func (k Keys) Check() error {
	pub, err := decodeKey(k.Public)
	if err != nil || len(pub) != 65 || pub[0] != 4 {
		return fmt.Errorf("push: the public key is not a base64 uncompressed P-256 point (65 bytes)")
	}
	priv, err := decodeKey(k.Private)
	if err != nil || len(priv) != 32 {
		return fmt.Errorf("push: the private key is not a base64 P-256 private key (32 bytes)")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return fmt.Errorf("push: the private key is not a P-256 private key: %w", err)
	}
	if string(key.PublicKey().Bytes()) != string(pub) {
		return fmt.Errorf("push: the private key does not belong to the public key")
	}
	if !strings.HasPrefix(k.Subject, "mailto:") && !strings.HasPrefix(k.Subject, "https://") {
		return fmt.Errorf("push: the subject must be a mailto: or https: URL")
	}
	return nil
}

// GenerateKeys returns a new VAPID key pair (Subject left empty).
func GenerateKeys() (Keys, error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("push: generate keys: %w", err)
	}
	return Keys{Public: base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		Private: base64.RawURLEncoding.EncodeToString(key.Bytes())}, nil
}
