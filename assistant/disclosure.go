package assistant

import (
	"regexp"
	"strings"
)

// asksIfHuman matches a resident asking whether they are talking to a person or a machine.
var asksIfHuman = regexp.MustCompile(`(?i)\b(are|r)\s+(you|u|this|ya)\s+(really\s+|actually\s+)?(an?\s+)?(real|human|person|people|bot|robot|ai|a\.i\.|machine|computer|chatbot|chat\s*gpt|program|live)\b` +
	`|\b(am\s+i|i'?m)\s+(talking|speaking|chatting|texting)\s+(to|with)\s+(an?\s+)?(real|human|person|bot|robot|ai|machine|computer|someone real)\b` +
	`|\bis\s+(this|that|it)\s+(an?\s+)?(real\s+person|human|person|bot|robot|ai|machine|computer|automated)\b` +
	`|\b(who|what)\s+am\s+i\s+(talking|speaking|chatting)\s+(to|with)\b`)

// AsksIfHuman reports whether text asks if the other side is a person.
func AsksIfHuman(text string) bool {
	return asksIfHuman.MatchString(strings.ReplaceAll(text, "’", "'"))
}
