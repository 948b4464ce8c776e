package textnorm

import "strings"

// Context checks: whether a match at byte range [a, b) of a normalised text
// n counts, judged by what stands around it. The scanners over normalised
// text (adlaw's forms, lint's brush-offs) compose their look-alike checks
// from these.

// A Context reports whether the match [a, b) of n counts.
type Context = func(n string, a, b int) bool

// All is the context check that passes when every one of cs passes.
func All(cs ...Context) Context {
	return func(n string, a, b int) bool {
		for _, c := range cs {
			if !c(n, a, b) {
				return false
			}
		}
		return true
	}
}

// NotPreceded is the context check that fails when one of ws ends right
// before the match.
func NotPreceded(ws ...string) Context {
	return func(n string, a, b int) bool { return !HasSuffixAny(n[:a], ws...) }
}

// HasPrefixAny reports whether s begins with one of ws.
func HasPrefixAny(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// HasSuffixAny reports whether s ends with one of ws.
func HasSuffixAny(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}
