// Package redact finds and masks identifiers in free text written by residents: names,
// medical record numbers, phone numbers, e-mail addresses, dates of birth, street
// addresses, room and bed numbers, dates and other long identifiers.
//
// It leans one way on purpose. A reviewer who sees "[NAME]" where a harmless word stood
// loses a little context; a name left in a transcript can reach a programme director.
// Still, ordinary resident speech ("my attending said", "PGY-2", "ICU", "Step 1",
// "Tuesday", "988", "pain 8/10") is left alone, so that transcripts stay readable. The
// labelled cases in testdata/cases.jsonl hold both kinds, and the test reports recall and
// precision on them.
//
// Find works on bytes of any string (invalid UTF-8 included) and never panics. It uses
// only the standard library.
//
// It owns no table and must not import any other package of the module.
package redact
