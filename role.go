package nightfloat

import (
	"fmt"
	"strings"
)

// Role is the kind of clinician or trainee a conversation serves. Each gets content and
// prompts written for it. Staff permissions (on-call, reviewer, admin) are not roles in this
// sense; the clinician package names those.
type Role string

// The roles, in display order.
const (
	RoleResident  Role = "resident"
	RoleFellow    Role = "fellow"
	RoleStudent   Role = "student"
	RoleNurse     Role = "nurse"
	RoleAPP       Role = "app" // advanced-practice clinician
	RoleAttending Role = "attending"
)

// Roles lists every role, in display order.
var Roles = []Role{RoleResident, RoleFellow, RoleStudent, RoleNurse, RoleAPP, RoleAttending}

// Label is the role as a person reads it in a form ("Medical student"); an unknown role is
// shown as it is.
func (r Role) Label() string {
	switch r {
	case RoleResident:
		return "Resident"
	case RoleFellow:
		return "Fellow"
	case RoleStudent:
		return "Medical student"
	case RoleNurse:
		return "Nurse"
	case RoleAPP:
		return "Advanced-practice clinician (NP, PA)"
	case RoleAttending:
		return "Attending"
	}
	return string(r)
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// ParseRole parses a role name as stored and as sent by clients (exact, lower case).
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("nightfloat: unknown role %q (want %s)", s, RoleNames())
}

// RoleNames is the roles joined for a message: "resident, fellow, ...".
func RoleNames() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
