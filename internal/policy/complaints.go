package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Complaints is the complaint and penalty part of the rule book (SPEC §7,
// §8): the complaint types with who may file them, the evidence asked for,
// the respondent's deadline, the possible outcomes and the violation they
// carry; the violation types with their class and points; the sanction
// ladder per party and class; and the scalar complaint rules.
type Complaints struct {
	Rules      map[string]Rule           `json:"rules"`
	Types      map[string]ComplaintType  `json:"types"`
	Violations map[string]ViolationType  `json:"violations"`
	Sanctions  map[string][]SanctionStep `json:"sanctions"`
	durations  map[string]time.Duration  `json:"-"`
	ints       map[string]int64          `json:"-"`
	respond    map[string]time.Duration  `json:"-"`
}

// ComplaintType is one complaint type or sub-type (SPEC §7).
type ComplaintType struct {
	ID              string        `json:"id"`
	Group           string        `json:"group"`
	Filer           string        `json:"filer"` // buyer or seller; the other party responds
	TitleZH         string        `json:"title_zh"`
	TitleEN         string        `json:"title_en"`
	Evidence        []EvidenceAsk `json:"evidence"`
	RequireEvidence bool          `json:"require_evidence,omitempty"`
	Respond         string        `json:"respond"` // the respondent's deadline, e.g. "3d"
	Outcomes        []string      `json:"outcomes"`
	Violation       string        `json:"violation,omitempty"`        // the violation recorded when upheld
	SevereViolation string        `json:"severe_violation,omitempty"` // recorded instead when the agent finds it severe
	Minor           bool          `json:"minor,omitempty"`            // a first offence is a warning (教育为主, 处罚为辅)
	RestrictDays    int           `json:"restrict_days,omitempty"`    // purchase_restriction outcome: days
	Detect          string        `json:"detect,omitempty"`           // late_shipment or fake_shipment: judged from order facts
}

// EvidenceAsk is one item of evidence a complaint type asks for.
type EvidenceAsk struct {
	Key     string `json:"key"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
}

// ViolationType is a kind of violation with its class and points (SPEC §8).
type ViolationType struct {
	ID      string `json:"id"`
	Party   string `json:"party"` // seller or buyer
	Class   string `json:"class"` // A (一般违规) or B (严重违规)
	Points  int64  `json:"points"`
	Source  string `json:"source"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
}

// SanctionStep is the sanction at one threshold of penalty.thresholds.
type SanctionStep struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Days    int    `json:"days"` // 0: no end (closure)
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
}

// Outcome kinds a complaint type may list.
const (
	OutcomeCompensation        = "compensation"
	OutcomeViolation           = "violation"
	OutcomeHideReview          = "hide_review"
	OutcomePurchaseRestriction = "purchase_restriction"
	OutcomeWarning             = "warning"
)

// OutcomeKinds lists the outcome kinds.
var OutcomeKinds = []string{OutcomeCompensation, OutcomeViolation, OutcomeHideReview, OutcomePurchaseRestriction, OutcomeWarning}

// SanctionKinds lists the sanction kinds.
var SanctionKinds = []string{"public_warning", "listing_restriction", "delisting", "shop_block", "closure", "purchase_restriction", "account_closure"}

// Detectors lists the order-fact detectors a type may name.
var Detectors = []string{"late_shipment", "fake_shipment"}

// complaintRuleSchema lists the scalar complaint rules.
var complaintRuleSchema = map[string]kind{
	"abuse_window":              kDuration,
	"abuse_rate":                kBasisPoints,
	"abuse_min_decided":         kInt,
	"fake_shipment_no_movement": kDuration,
	"second_complaint_window":   kDuration,
	"first_offence_warning":     kSwitch,
}

// SanctionLadders names the ladders the book must hold.
var SanctionLadders = []string{"seller.A", "seller.B", "buyer.A", "buyer.B"}

func (b *Book) parseComplaints(raw json.RawMessage) error {
	if len(raw) == 0 {
		return &Error{Key: "complaints", Reason: "missing"}
	}
	var sec struct {
		Rules      map[string]json.RawMessage `json:"rules"`
		Types      map[string]json.RawMessage `json:"types"`
		Violations map[string]json.RawMessage `json:"violations"`
		Sanctions  map[string]json.RawMessage `json:"sanctions"`
	}
	if err := strict(raw, &sec); err != nil {
		return &Error{Key: "complaints", Reason: err.Error()}
	}
	c := Complaints{Rules: map[string]Rule{}, Types: map[string]ComplaintType{}, Violations: map[string]ViolationType{}, Sanctions: map[string][]SanctionStep{}}
	for k, v := range sec.Rules {
		var r Rule
		if err := strict(v, &r); err != nil {
			return &Error{Key: "complaints.rules." + k, Reason: err.Error()}
		}
		c.Rules[k] = r
	}
	for k, v := range sec.Types {
		var t ComplaintType
		if err := strict(v, &t); err != nil {
			return &Error{Key: "complaints.types." + k, Reason: err.Error()}
		}
		c.Types[k] = t
	}
	for k, v := range sec.Violations {
		var t ViolationType
		if err := strict(v, &t); err != nil {
			return &Error{Key: "complaints.violations." + k, Reason: err.Error()}
		}
		c.Violations[k] = t
	}
	for k, v := range sec.Sanctions {
		var t []SanctionStep
		if err := strict(v, &t); err != nil {
			return &Error{Key: "complaints.sanctions." + k, Reason: err.Error()}
		}
		c.Sanctions[k] = t
	}
	c.durations, c.ints, c.respond = map[string]time.Duration{}, map[string]int64{}, map[string]time.Duration{}
	seen := map[string]string{}
	for k, r := range b.Rules {
		seen[r.ID] = "rules." + k
	}
	useID := func(key, id string) error {
		if !ruleIDPattern.MatchString(id) {
			return &Error{Key: key + ".id", Reason: fmt.Sprintf("%q is not a rule ID (want seed-…, taobao-dispute-N, adlaw-N, ours-…, public-…)", id)}
		}
		if other, dup := seen[id]; dup {
			return &Error{Key: key + ".id", Reason: fmt.Sprintf("%q is already used by %s", id, other)}
		}
		seen[id] = key
		return nil
	}
	// entry checks a keyed entry (a violation, a type): its key and its rule ID.
	entry := func(key, k, id string) error {
		if err := checkKey(key, k); err != nil {
			return err
		}
		return useID(key, id)
	}
	// Scalar rules.
	for _, k := range sortedKeys(c.Rules) {
		kd, ok := complaintRuleSchema[k]
		key := "complaints.rules." + k
		if !ok {
			return &Error{Key: key, Reason: "unknown rule key"}
		}
		r := c.Rules[k]
		if err := useID(key, r.ID); err != nil {
			return err
		}
		if r.OnExpiry != "" {
			return &Error{Key: key + ".on_expiry", Reason: "this rule is not a deadline"}
		}
		tmp := &Book{durations: c.durations, ints: c.ints, lists: map[string][]int64{}}
		if err := tmp.parseValue(k, kd, r.Value); err != nil {
			return &Error{Key: key + ".value", Reason: err.Error()}
		}
	}
	for _, k := range sortedKeys(complaintRuleSchema) {
		if _, ok := c.Rules[k]; !ok {
			return &Error{Key: "complaints.rules." + k, Reason: "missing"}
		}
	}
	// Violations.
	if len(c.Violations) == 0 {
		return &Error{Key: "complaints.violations", Reason: "missing"}
	}
	for _, k := range sortedKeys(c.Violations) {
		v, key := c.Violations[k], "complaints.violations."+k
		if err := entry(key, k, v.ID); err != nil {
			return err
		}
		if err := checkSide(key+".party", v.Party); err != nil {
			return err
		}
		if v.Class != "A" && v.Class != "B" {
			return &Error{Key: key + ".class", Reason: fmt.Sprintf("%q: want A or B", v.Class)}
		}
		if v.Points < 0 || v.Points > 48 {
			return &Error{Key: key + ".points", Reason: fmt.Sprintf("%d: want 0–48", v.Points)}
		}
		if err := checkTitles(key, v.TitleZH, v.TitleEN); err != nil {
			return err
		}
	}
	if v, ok := c.Violations["service_not_delivered_severe"]; ok && v.Points != b.ints["penalty.service_not_delivered_severe"] {
		return &Error{Key: "complaints.violations.service_not_delivered_severe.points",
			Reason: fmt.Sprintf("%d differs from rules.penalty.service_not_delivered_severe (%d)", v.Points, b.ints["penalty.service_not_delivered_severe"])}
	}
	// Types.
	if len(c.Types) == 0 {
		return &Error{Key: "complaints.types", Reason: "missing"}
	}
	for _, k := range sortedKeys(c.Types) {
		t, key := c.Types[k], "complaints.types."+k
		if err := entry(key, k, t.ID); err != nil {
			return err
		}
		if err := checkSide(key+".filer", t.Filer); err != nil {
			return err
		}
		if strings.TrimSpace(t.Group) == "" {
			return &Error{Key: key + ".group", Reason: "must not be empty"}
		}
		if err := checkTitles(key, t.TitleZH, t.TitleEN); err != nil {
			return err
		}
		dur, err := ParseDuration(strings.TrimSpace(t.Respond))
		if err != nil || dur < time.Hour {
			return &Error{Key: key + ".respond", Reason: fmt.Sprintf("%q: want a duration of at least 1h like \"3d\"", t.Respond)}
		}
		c.respond[k] = dur
		if len(t.Evidence) == 0 {
			return &Error{Key: key + ".evidence", Reason: "name at least one item of evidence"}
		}
		for i, e := range t.Evidence {
			if e.Key == "" || e.TitleZH == "" || e.TitleEN == "" {
				return &Error{Key: fmt.Sprintf("%s.evidence[%d]", key, i), Reason: "key, title_zh and title_en are required"}
			}
		}
		if len(t.Outcomes) == 0 {
			return &Error{Key: key + ".outcomes", Reason: "name at least one outcome"}
		}
		for i, o := range t.Outcomes {
			if !slices.Contains(OutcomeKinds, o) {
				return &Error{Key: fmt.Sprintf("%s.outcomes[%d]", key, i), Reason: fmt.Sprintf("%q: want one of %s", o, strings.Join(OutcomeKinds, ", "))}
			}
		}
		respondent := "seller"
		if t.Filer == "seller" {
			respondent = "buyer"
		}
		for _, f := range []struct{ field, v string }{{"violation", t.Violation}, {"severe_violation", t.SevereViolation}} {
			if f.v == "" {
				continue
			}
			vt, ok := c.Violations[f.v]
			if !ok {
				return &Error{Key: key + "." + f.field, Reason: fmt.Sprintf("%q is not in complaints.violations", f.v)}
			}
			if vt.Party != respondent {
				return &Error{Key: key + "." + f.field, Reason: fmt.Sprintf("%q is a %s violation, but the respondent is the %s", f.v, vt.Party, respondent)}
			}
		}
		if slices.Contains(t.Outcomes, OutcomeViolation) != (t.Violation != "") {
			return &Error{Key: key + ".violation", Reason: "a type lists the violation outcome exactly when it names a violation"}
		}
		if slices.Contains(t.Outcomes, OutcomeCompensation) && respondent != "seller" {
			return &Error{Key: key + ".outcomes", Reason: "compensation is paid from a seller's deposit: only complaints about sellers may award it"}
		}
		if slices.Contains(t.Outcomes, OutcomePurchaseRestriction) != (t.RestrictDays > 0) {
			return &Error{Key: key + ".restrict_days", Reason: "purchase_restriction needs restrict_days > 0, and restrict_days needs that outcome"}
		}
		if slices.Contains(t.Outcomes, OutcomePurchaseRestriction) && respondent != "buyer" {
			return &Error{Key: key + ".outcomes", Reason: "purchase_restriction applies to buyers only"}
		}
		if t.Detect != "" && (!slices.Contains(Detectors, t.Detect) || t.Filer != "buyer") {
			return &Error{Key: key + ".detect", Reason: fmt.Sprintf("%q: want one of %s, on a buyer's complaint", t.Detect, strings.Join(Detectors, ", "))}
		}
	}
	// Sanction ladders, one step per threshold.
	thresholds := b.lists["penalty.thresholds"]
	for _, k := range sortedKeys(c.Sanctions) {
		if !slices.Contains(SanctionLadders, k) {
			return &Error{Key: "complaints.sanctions." + k, Reason: "unknown ladder (want " + strings.Join(SanctionLadders, ", ") + ")"}
		}
	}
	for _, k := range SanctionLadders {
		steps, ok := c.Sanctions[k]
		key := "complaints.sanctions." + k
		if !ok {
			return &Error{Key: key, Reason: "missing"}
		}
		if len(steps) != len(thresholds) {
			return &Error{Key: key, Reason: fmt.Sprintf("%d steps for %d thresholds in rules.penalty.thresholds", len(steps), len(thresholds))}
		}
		for i, s := range steps {
			sk := fmt.Sprintf("%s[%d]", key, i)
			if err := useID(sk, s.ID); err != nil {
				return err
			}
			if !slices.Contains(SanctionKinds, s.Kind) {
				return &Error{Key: sk + ".kind", Reason: fmt.Sprintf("%q: want one of %s", s.Kind, strings.Join(SanctionKinds, ", "))}
			}
			if s.Days < 0 || s.Days > 3650 {
				return &Error{Key: sk + ".days", Reason: fmt.Sprintf("%d: want 0–3650", s.Days)}
			}
		}
	}
	b.Complaints = &c
	return nil
}

func strict(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

var typeKey = strings.NewReplacer("_", "", "-", "")

// checkSide checks a party of the complaints section: buyer or seller.
func checkSide(key, v string) error {
	if v != "buyer" && v != "seller" {
		return &Error{Key: key, Reason: fmt.Sprintf("%q: want buyer or seller", v)}
	}
	return nil
}

// checkTitles checks that an entry has both its Chinese and English titles.
func checkTitles(key, zh, en string) error {
	if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" {
		return &Error{Key: key + ".title_zh", Reason: "both titles are required"}
	}
	return nil
}

func checkKey(key, k string) error {
	for _, r := range typeKey.Replace(k) {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return &Error{Key: key, Reason: "keys are lower-case letters, digits and _"}
		}
	}
	if k == "" {
		return &Error{Key: key, Reason: "empty key"}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ComplaintType returns a complaint type by key.
func (b *Book) ComplaintType(key string) (ComplaintType, bool) {
	t, ok := b.Complaints.Types[key]
	return t, ok
}

// ComplaintTypeKeys lists the complaint type keys, sorted.
func (b *Book) ComplaintTypeKeys() []string { return sortedKeys(b.Complaints.Types) }

// RespondWindow returns a complaint type's respondent deadline and the type's rule ID.
func (b *Book) RespondWindow(key string) (time.Duration, string) {
	return b.Complaints.respond[key], b.Complaints.Types[key].ID
}

// Violation returns a violation type by key.
func (b *Book) Violation(key string) (ViolationType, bool) {
	v, ok := b.Complaints.Violations[key]
	return v, ok
}

// SanctionLadder returns the sanction steps of a party and class, aligned
// with penalty.thresholds.
func (b *Book) SanctionLadder(party, class string) []SanctionStep {
	return slices.Clone(b.Complaints.Sanctions[party+"."+class])
}

// ComplaintDuration returns a scalar complaint duration rule and its ID.
func (b *Book) ComplaintDuration(key string) (time.Duration, string) {
	d, ok := b.Complaints.durations[key]
	if !ok {
		panic("policy: no complaint duration rule " + key)
	}
	return d, b.Complaints.Rules[key].ID
}

// ComplaintInt returns a scalar complaint integer rule (basis points,
// counts) and its ID.
func (b *Book) ComplaintInt(key string) (int64, string) {
	n, ok := b.Complaints.ints[key]
	if !ok {
		panic("policy: no complaint integer rule " + key)
	}
	return n, b.Complaints.Rules[key].ID
}

// ComplaintSwitch returns a scalar complaint on/off rule and its ID.
func (b *Book) ComplaintSwitch(key string) (bool, string) {
	r, ok := b.Complaints.Rules[key]
	if !ok {
		panic("policy: no complaint switch rule " + key)
	}
	return strings.TrimSpace(r.Value) == "on", r.ID
}
