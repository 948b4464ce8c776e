package abuse

import (
	_ "embed"
	"strings"
)

//go:embed testdata/antibias_zh.txt
var antiBiasTxt string

//go:embed testdata/antibias_zh_b.txt
var antiBiasBTxt string

//go:embed testdata/antibias_zh_c.txt
var antiBiasCTxt string

//go:embed testdata/antibias_zh_d.txt
var antiBiasDTxt string

// AntiBiasSentence is one sentence of the anti-bias regression set.
type AntiBiasSentence struct {
	Topic string // gender, region, race, lgbt
	Text  string
}

// AntiBias returns the regression set written for this project (CC0):
// sentences that mention a group neutrally or in its defence, none of them
// offensive. `weiquan eval` reports the share the detector flags.
func AntiBias() []AntiBiasSentence { return readAntiBias(antiBiasTxt) }

// AntiBiasB is the second, smaller set, written after the model was chosen
// and kept out of every choice since (a check against overfitting the
// first).
func AntiBiasB() []AntiBiasSentence { return readAntiBias(antiBiasBTxt) }

// AntiBiasC is the third set (issue 16), written before the identity-masked
// model was trained and kept out of every choice of it.
func AntiBiasC() []AntiBiasSentence { return readAntiBias(antiBiasCTxt) }

// AntiBiasD is the fourth set (issue 16), written after the identity-masked
// model and the counter-speech rule were final and never used to change
// them.
func AntiBiasD() []AntiBiasSentence { return readAntiBias(antiBiasDTxt) }

func readAntiBias(txt string) []AntiBiasSentence {
	var out []AntiBiasSentence
	for _, l := range strings.Split(txt, "\n") {
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
