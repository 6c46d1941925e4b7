// Package prompts holds the model's system prompts: a shared safety preamble and one
// prompt per role, as versioned text templates embedded in the binary.
//
// A template file is named <id>.v<version>.tmpl. Role prompts (resident.v1.tmpl, ...) are
// the prompts a conversation uses; every other file is a partial (safety_preamble.v1,
// method.v1, sources.v1) that role prompts include by its full versioned name. A released
// file is never edited: a change is a new version (resident.v2.tmpl, or
// safety_preamble.v2.tmpl plus new role versions that include it), so the prompt id and
// version stored with every assistant message always name the exact text that was used.
// The package's tests hold the checksum of every released file to enforce this.
//
// It owns no table and performs no I/O beyond reading its embedded files; it
// imports only the domain package.
package prompts
