package clinician

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"nightfloat"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256 // bounds the hashing work one request can ask for
)

// argonParams are the argon2id parameters of one hash. The defaults are RFC 9106's second
// recommended option (64 MiB, 3 passes, 4 lanes). Hashes carry their parameters, so
// raising these later still verifies old hashes, which are rehashed at the next login.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	keyLen  uint32
	saltLen int
}

var defaultArgon = argonParams{memory: 64 * 1024, time: 3, threads: 4, keyLen: 32, saltLen: 16}

// hasher runs argon2id with a bound on how many hashes run at once: each one holds its
// memory parameter in RAM, so unbounded parallel logins could exhaust the server's memory.
type hasher struct {
	params argonParams
	slots  chan struct{}
}

func newHasher(p argonParams, parallel int) *hasher {
	if parallel < 1 {
		parallel = 1
	}
	return &hasher{params: p, slots: make(chan struct{}, parallel)}
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.slots }

// hash returns the PHC string $argon2id$v=19$m=65536,t=3,p=4$<salt>$<key>.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("clinician: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return encodePHC(p, salt, key), nil
}

// verify reports whether password matches the PHC string, and whether the hash was made
// with parameters other than the current ones (and should be replaced).
func (h *hasher) verify(ctx context.Context, encoded, password string) (ok, stale bool, err error) {
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	stale = p.memory != h.params.memory || p.time != h.params.time || p.threads != h.params.threads ||
		uint32(len(key)) != h.params.keyLen || len(salt) != h.params.saltLen
	return ok, stale, nil
}

func encodePHC(p argonParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decodePHC(s string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("clinician: password hash is not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("clinician: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, fmt.Errorf("clinician: bad argon2 parameters %q", parts[3])
	}
	// Refuse parameters no hash of ours would have, so a tampered row cannot make a login
	// allocate gigabytes.
	if p.memory < 8*1024 || p.memory > 1024*1024 || p.time < 1 || p.time > 20 || p.threads < 1 {
		return p, nil, nil, fmt.Errorf("clinician: argon2 parameters out of range %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("clinician: bad argon2 salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, fmt.Errorf("clinician: bad argon2 key")
	}
	p.keyLen, p.saltLen = uint32(len(key)), len(salt)
	return p, salt, key, nil
}

// CheckPassword returns nil when password is acceptable for username, or an error with
// code CodeWeakPassword whose message names every rule the password breaks.
func CheckPassword(username, password string) error {
	var reasons []string
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		reasons = append(reasons, "it is not valid UTF-8 text")
	case n < MinPasswordLength:
		reasons = append(reasons, fmt.Sprintf("it is shorter than %d characters", MinPasswordLength))
	case n > MaxPasswordLength:
		reasons = append(reasons, fmt.Sprintf("it is longer than %d characters", MaxPasswordLength))
	}
	if n > 0 && characterClasses(password) < 2 {
		reasons = append(reasons, "it uses only one kind of character (mix letters with digits, capitals or symbols)")
	}
	lower := strings.ToLower(password)
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(lower, u) {
		reasons = append(reasons, "it contains the username")
	}
	if isCommonPassword(password) {
		reasons = append(reasons, "it is a common password, or a common word with digits or symbols added")
	}
	if len(reasons) == 0 {
		return nil
	}
	return &nightfloat.Error{Code: nightfloat.CodeWeakPassword, Message: "Password too weak: " + strings.Join(reasons, "; ") + "."}
}

// characterClasses counts lower-case letters, upper-case letters, digits and anything else.
func characterClasses(s string) int {
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// isCommonPassword matches the password against the embedded list as typed, with
// look-alike digits and symbols read as letters, and with digits and symbols stripped
// from both ends ("Summer2024!" is "summer").
func isCommonPassword(password string) bool {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	lower := strings.ToLower(password)
	core := strings.TrimFunc(lower, notLetter)
	for _, c := range []string{lower, core, leet.Replace(core), strings.TrimFunc(leet.Replace(lower), notLetter)} {
		if _, ok := commonPasswords[c]; ok {
			return true
		}
	}
	return false
}

// commonPasswords is a small list of the passwords and base words most often guessed,
// with the hospital words people reach for. It is not a breach corpus; it catches the
// obvious choices that would fall to the first minutes of an online attack.
var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(commonPasswordList) {
		m[w] = struct{}{}
	}
	return m
}()

const commonPasswordList = `
password passw0rd passwort password1 password12 password123 password1234 passwordpassword
qwerty qwertyuiop qwertyuiop12 qwerty123456 asdfghjkl asdfghjkl12 zxcvbnm zxcvbnm12345
1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y qazwsx qazwsxedc qazwsxedcrfv 1qaz2wsx 1qaz2wsx3edc
abc abcd abcdef abcdefgh abcdefghijkl abc123 abcd1234 abc123456789 aa123456 a123456789
letmein letmeinnow welcome welcomeback iloveyou trustno monkey dragon master shadow sunshine
princess football baseball soccer hockey superman batman starwars pokemon freedom whatever
michael jennifer jordan hunter ranger buster thomas robert daniel charlie tigger
admin administrator root login changeme changeit default secret security guest user
test tester testing temp temporary newpassword mypassword yourpassword nopassword
summer winter spring autumn fall january february march april may june july august
september october november december monday tuesday wednesday thursday friday saturday sunday
hello helloworld computer internet access letmein welcome love lovely flower
nightfloat nightshift nightfloat nightowl hospital medicine medical doctor physician nurse
nursing resident residency intern internship fellow fellowship attending surgeon surgery
clinic clinical patient patients health healthcare pharmacy emergency oncall
stethoscope hippocrates
`
