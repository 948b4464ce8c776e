package abuse

import (
	_ "embed"
	"strings"
)

//go:embed testdata/antibias_zh.txt
var antiBiasTxt string

// AntiBiasSentence is one sentence of the anti-bias regression set.
type AntiBiasSentence struct {
	Topic string // gender, region, race, lgbt
	Text  string
}

// AntiBias returns the regression set written for this project (CC0):
// sentences that mention a group neutrally or in its defence, none of them
// offensive. `weiquan eval` reports the share the detector flags.
func AntiBias() []AntiBiasSentence {
	var out []AntiBiasSentence
	for _, l := range strings.Split(antiBiasTxt, "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		topic, text, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		out = append(out, AntiBiasSentence{Topic: topic, Text: text})
	}
	return out
}
