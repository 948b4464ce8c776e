// Package policy holds the rule book: every configurable value of SPEC §10
// (deadlines, compensation rates, thresholds) with the rule ID that decisions
// cite. A book is versioned and validated on load: an unknown or missing key,
// a malformed value or a rule ID that does not name its source is refused with
// an *Error naming the key. Every event records the version of the book it
// was decided under and the rule IDs it applied.
package policy
