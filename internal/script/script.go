// Package script holds the reply-script library (话术): scenario templates
// with recommended (√) and forbidden (×) phrasings per channel, written in
// the handling order 安抚 → 查明原因 → 表明立场 → 全力解决 → 真诚道歉 → 感谢理解
// (seed 003, rule seed-script-order), and the router that classifies an
// incoming text into scenarios. The default library is embedded data
// (scripts.json); an admin edits a scenario through the API, and the stored
// version overrides the embedded one.
package script

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
)

//go:embed scripts.json
var defaultJSON []byte

// OrderRuleID names the handling-order rule of the seed.
const OrderRuleID = "seed-script-order"

// Step is one stage of the handling order.
type Step struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Phrase is a forbidden phrasing and why.
type Phrase struct {
	Text string `json:"text"`
	Why  string `json:"why"`
}

// Channel is a contact channel with its opening, closing and its own
// forbidden phrasings.
type Channel struct {
	Name      string   `json:"name"`
	Opening   string   `json:"opening"`
	Closing   string   `json:"closing"`
	Forbidden []Phrase `json:"forbidden"`
}

// Scenario is one script template.
type Scenario struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	RuleID      string            `json:"rule_id"`
	Keywords    []string          `json:"keywords"`
	Steps       map[string]string `json:"steps"`
	Recommended []string          `json:"recommended"`
	Forbidden   []Phrase          `json:"forbidden"`
}

// Library is the whole script book.
type Library struct {
	Version   string             `json:"version"`
	Steps     []Step             `json:"steps"`
	Channels  map[string]Channel `json:"channels"`
	Scenarios []Scenario         `json:"scenarios"`
}

// ChannelIDs are the supported channels in display order.
var ChannelIDs = []string{"chat", "phone", "email", "social"}

// Default returns a fresh copy of the embedded library.
func Default() *Library {
	var l Library
	if err := json.Unmarshal(defaultJSON, &l); err != nil {
		panic("script: embedded scripts.json: " + err.Error())
	}
	if err := l.Validate(); err != nil {
		panic("script: embedded scripts.json: " + err.Error())
	}
	return &l
}

// Scenario returns the scenario with this id.
func (l *Library) Scenario(id string) (Scenario, bool) {
	for _, s := range l.Scenarios {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// IDs lists the scenario ids in library order.
func (l *Library) IDs() []string {
	out := make([]string, len(l.Scenarios))
	for i, s := range l.Scenarios {
		out[i] = s.ID
	}
	return out
}

// Replace swaps in an edited scenario (same id). It reports whether it was
// found.
func (l *Library) Replace(s Scenario) bool {
	for i := range l.Scenarios {
		if l.Scenarios[i].ID == s.ID {
			l.Scenarios[i] = s
			return true
		}
	}
	return false
}

// Validate checks the library: every scenario has every step of the
// handling order, at least one recommended and one forbidden phrasing, and
// every channel used is known.
func (l *Library) Validate() error {
	if len(l.Steps) != 6 {
		return fmt.Errorf("handling order must have 6 steps, has %d", len(l.Steps))
	}
	for _, ch := range ChannelIDs {
		if _, ok := l.Channels[ch]; !ok {
			return fmt.Errorf("channel %s missing", ch)
		}
	}
	seen := map[string]bool{}
	for _, s := range l.Scenarios {
		if seen[s.ID] {
			return fmt.Errorf("scenario %s twice", s.ID)
		}
		seen[s.ID] = true
		if err := l.ValidateScenario(s); err != nil {
			return err
		}
	}
	return nil
}

// ValidateScenario checks one scenario against the handling order. Errors
// are *fault.Error naming the field.
func (l *Library) ValidateScenario(s Scenario) error {
	if s.ID == "" || strings.TrimSpace(s.Name) == "" {
		return fault.Field("name", "场景名称不能为空 / name is required")
	}
	for _, st := range l.Steps {
		if strings.TrimSpace(s.Steps[st.ID]) == "" {
			return fault.Field("steps."+st.ID, "缺少处理步骤 %s / missing step %s of the handling order", st.Name, st.ID)
		}
	}
	for k := range s.Steps {
		if !l.isStep(k) {
			return fault.Field("steps."+k, "未知步骤 / unknown step %s", k)
		}
	}
	if len(s.Recommended) == 0 {
		return fault.Field("recommended", "至少一条推荐话术 / at least one recommended phrasing")
	}
	if len(s.Forbidden) == 0 {
		return fault.Field("forbidden", "至少一条禁用话术 / at least one forbidden phrasing")
	}
	for i, f := range s.Forbidden {
		if strings.TrimSpace(f.Text) == "" {
			return fault.Field(fmt.Sprintf("forbidden[%d].text", i), "禁用话术不能为空 / forbidden text is required")
		}
	}
	return nil
}

func (l *Library) isStep(id string) bool {
	for _, st := range l.Steps {
		if st.ID == id {
			return true
		}
	}
	return false
}

// Rendered is a scenario's script for one channel: the handling order as
// ordered lines, the recommended (√) and forbidden (×) phrasings.
type Rendered struct {
	Channel     string     `json:"channel"`
	Steps       []StepLine `json:"steps"`
	Recommended []string   `json:"recommended"`
	Forbidden   []Phrase   `json:"forbidden"`
	RuleIDs     []string   `json:"rule_ids"`
}

// StepLine is one step of the handling order with its phrasing.
type StepLine struct {
	Step string `json:"step"`
	Name string `json:"name"`
	Text string `json:"text"`
}

// Render returns the scenario for one channel.
func (l *Library) Render(s Scenario, channel string) (Rendered, error) {
	ch, ok := l.Channels[channel]
	if !ok {
		return Rendered{}, fault.Field("channel", "未知渠道 / unknown channel %q (chat, phone, email, social)", channel)
	}
	r := Rendered{Channel: channel, RuleIDs: []string{s.RuleID, OrderRuleID}}
	for i, st := range l.Steps {
		text := s.Steps[st.ID]
		if i == 0 {
			text = ch.Opening + text
		}
		if i == len(l.Steps)-1 {
			text = text + ch.Closing
		}
		r.Steps = append(r.Steps, StepLine{Step: st.ID, Name: st.Name, Text: text})
	}
	for _, rec := range s.Recommended {
		r.Recommended = append(r.Recommended, ch.Opening+rec)
	}
	r.Forbidden = append(append([]Phrase(nil), s.Forbidden...), ch.Forbidden...)
	return r, nil
}

// Forbidden lists every forbidden phrasing of the library (scenario and
// channel ones) with the rule it belongs to, sorted and de-duplicated.
func (l *Library) Forbidden() []RulePhrase {
	seen := map[string]bool{}
	var out []RulePhrase
	add := func(rule string, p Phrase) {
		if p.Text == "" || seen[p.Text] {
			return
		}
		seen[p.Text] = true
		out = append(out, RulePhrase{RuleID: rule, Phrase: p})
	}
	for _, s := range l.Scenarios {
		for _, p := range s.Forbidden {
			add(s.RuleID, p)
		}
	}
	for _, id := range ChannelIDs {
		for _, p := range l.Channels[id].Forbidden {
			add("seed-script-channel-"+id, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Text < out[j].Text })
	return out
}

// RulePhrase is a forbidden phrasing with its rule ID.
type RulePhrase struct {
	RuleID string
	Phrase
}
