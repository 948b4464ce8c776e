package main

import (
	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/texteval"
)

// The extreme-word leave-terms-out rows of `weiquan eval` measure the
// scanner as built from the dictionary of the other folds: its forms
// (最…, 第一, 之王, 开光, 100% … with their context rules) plus only the
// known terms (adlaw.NewWithTerms), never the held-out ones.
func init() {
	texteval.ExtremeBuilder = func(known []string) texteval.TermMatcher {
		sc := adlaw.NewWithTerms(known)
		return func(text string) bool { return len(sc.Scan(text, adlaw.Listing)) > 0 }
	}
}
