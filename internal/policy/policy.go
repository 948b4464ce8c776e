package policy

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed default.json
var defaultJSON []byte

// Rule is one entry of the rule book: a value with the rule ID that decisions cite.
type Rule struct {
	ID       string `json:"id"`
	Value    string `json:"value"`
	OnExpiry string `json:"on_expiry,omitempty"`
	Source   string `json:"source"`
	TitleZH  string `json:"title_zh"`
	TitleEN  string `json:"title_en"`
}

// Book is a validated, versioned rule book. Build it with Parse, Default or Load.
type Book struct {
	Version     string          `json:"version"`
	Digest      string          `json:"digest"`
	Description string          `json:"description,omitempty"`
	Rules       map[string]Rule `json:"rules"`
	// Complaints holds the complaint types, violation types and sanction
	// ladders (SPEC §7, §8); see complaints.go.
	Complaints *Complaints `json:"complaints"`

	durations map[string]time.Duration
	ints      map[string]int64
	lists     map[string][]int64
	words     map[string][]string
}

type kind int

const (
	kDuration    kind = iota // "48h", "7d"
	kWorkingDays             // "3wd"
	kBasisPoints             // "500bp"
	kFen                     // "500fen"
	kInt                     // "6"
	kIntList                 // "12,24,36,48"
	kSwitch                  // "on" / "off"
	kMonthDay                // "01-01"
	kWords                   // "custom,fresh,生鲜": comma-separated words
)

// schema lists every key the book must hold, its value kind and the expiry
// actions it allows (empty: the rule is not a deadline).
var schema = map[string]struct {
	kind     kind
	onExpiry []string
	optional bool // missing: the embedded default's rule is used
}{
	"order.ship_by":                        {kind: kDuration},
	"order.auto_confirm_receipt":           {kind: kDuration},
	"order.inspection_on_delivery":         {kind: kDuration},
	"complaint.late_shipment_rate":         {kind: kBasisPoints},
	"complaint.late_shipment_min":          {kind: kFen},
	"complaint.late_shipment_max":          {kind: kFen},
	"aftersale.seller_respond":             {kind: kDuration, onExpiry: []string{"auto_agree"}},
	"aftersale.buyer_answer_refusal":       {kind: kDuration, onExpiry: []string{"close"}},
	"aftersale.buyer_ship_return":          {kind: kDuration, onExpiry: []string{"close"}},
	"aftersale.seller_confirm_return":      {kind: kDuration, onExpiry: []string{"auto_refund"}},
	"aftersale.window_after_completion":    {kind: kDuration},
	"aftersale.no_reason_return":           {kind: kDuration},
	"aftersale.refund_cap":                 {kind: kSwitch},
	"aftersale.not_received_burden":        {kind: kSwitch},
	"dispute.evidence_window":              {kind: kDuration},
	"dispute.review_sla":                   {kind: kWorkingDays},
	"dispute.negotiation_suspension":       {kind: kDuration},
	"dispute.senior_threshold":             {kind: kFen},
	"appeal.window":                        {kind: kDuration},
	"appeal.max_count":                     {kind: kInt},
	"penalty.service_not_delivered_severe": {kind: kInt},
	"penalty.reset":                        {kind: kMonthDay},
	"penalty.thresholds":                   {kind: kIntList},
	"listing.stale_listed":                 {kind: kDuration},
	"listing.stale_no_sale":                {kind: kDuration},
	"listing.duplicate_limits":             {kind: kIntList},
	// Seller service quality (SPEC §9, internal/quality). Optional: a book
	// written before these rules existed gets the embedded defaults.
	// Optional rules added with issue 13; a book written before them gets
	// the embedded defaults.
	"order.extend_receipt":                  {kind: kDuration, optional: true},
	"complaint.late_shipment_postage":       {kind: kSwitch, optional: true},
	"complaint.compensation_once":           {kind: kSwitch, optional: true},
	"aftersale.no_reason_excluded":          {kind: kWords, optional: true},
	"aftersale.no_reason_confirmed":         {kind: kSwitch, optional: true},
	"ledger.recover_receivable":             {kind: kSwitch, optional: true},
	"protection.counterfeit_pledge":         {kind: kInt, optional: true},
	"protection.shipping_insurance_premium": {kind: kFen, optional: true},
	"protection.shipping_insurance_cap":     {kind: kFen, optional: true},
	"protection.deposit_freeze":             {kind: kSwitch, optional: true},
	"protection.deposit_required":           {kind: kFen, optional: true},
	"quality.window":                        {kind: kDuration, optional: true},
	"quality.chat_response_target":          {kind: kDuration, optional: true},
	"quality.dispute_refund_zero":           {kind: kBasisPoints, optional: true},
	"quality.complaint_zero":                {kind: kBasisPoints, optional: true},
	"quality.weight_dispute_refund":         {kind: kInt, optional: true},
	"quality.weight_complaint":              {kind: kInt, optional: true},
	"quality.weight_chat_response":          {kind: kInt, optional: true},
	"quality.weight_on_time_shipping":       {kind: kInt, optional: true},
	// Negotiation record (协商记录) and 极速退款, issue 13 (optional: a book
	// written before them gets the embedded defaults). Reason codes are
	// words "code:中文标签".
	"aftersale.negotiation":          {kind: kSwitch, optional: true},
	"aftersale.agree_reason_codes":   {kind: kWords, optional: true},
	"aftersale.refuse_reason_codes":  {kind: kWords, optional: true},
	"aftersale.return_address":       {kind: kSwitch, optional: true},
	"aftersale.instant_refund_limit": {kind: kFen, optional: true},
	// Retention (个人信息保护法 art. 19, 47(1); 电子商务法 art. 31). Optional:
	// a book written before these rules existed gets the embedded defaults.
	"retention.pii":      {kind: kDuration, optional: true},
	"retention.evidence": {kind: kDuration, optional: true},
}

// qualityWeights are the weight rules of the service-quality score; at
// least one must be positive.
var qualityWeights = []string{"quality.weight_dispute_refund", "quality.weight_complaint", "quality.weight_chat_response", "quality.weight_on_time_shipping"}

var ruleIDPattern = regexp.MustCompile(`^(seed|taobao-dispute|adlaw|ours|public|jd|cn-7day-return|cn-law)-[a-z0-9-]+$`)

// Error reports a rule book that cannot be used, naming the offending key.
type Error struct {
	Key    string
	Reason string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return "policy: " + e.Reason
	}
	return fmt.Sprintf("policy: %s: %s", e.Key, e.Reason)
}

// Default returns the embedded rule book (SPEC §10).
func Default() *Book {
	b, err := Parse(defaultJSON)
	if err != nil {
		panic("embedded default policy is invalid: " + err.Error())
	}
	return b
}

// DefaultJSON returns the bytes of the embedded default rule book.
func DefaultJSON() []byte { return bytes.Clone(defaultJSON) }

// Load reads and validates a rule book file.
func Load(path string) (*Book, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: read %s: %w", path, err)
	}
	return Parse(data)
}

// Parse decodes and validates a rule book. Unknown or missing keys and bad
// values are refused with an *Error naming the key.
func Parse(data []byte) (*Book, error) {
	var raw struct {
		Version     string                     `json:"version"`
		Description string                     `json:"description"`
		Rules       map[string]json.RawMessage `json:"rules"`
		Complaints  json.RawMessage            `json:"complaints"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		if errorsAs(err, &se) {
			return nil, &Error{Reason: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, err)}
		}
		return nil, &Error{Reason: strings.TrimPrefix(err.Error(), "json: ")}
	}
	if strings.TrimSpace(raw.Version) == "" {
		return nil, &Error{Key: "version", Reason: "must not be empty"}
	}
	if raw.Rules == nil {
		return nil, &Error{Key: "rules", Reason: "missing"}
	}
	b := &Book{
		Version:     raw.Version,
		Description: raw.Description,
		Rules:       make(map[string]Rule, len(raw.Rules)),
		durations:   map[string]time.Duration{},
		ints:        map[string]int64{},
		lists:       map[string][]int64{},
		words:       map[string][]string{},
	}
	keys := make([]string, 0, len(raw.Rules))
	for k := range raw.Rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seenIDs := map[string]string{}
	for _, k := range keys {
		sc, ok := schema[k]
		if !ok {
			return nil, &Error{Key: "rules." + k, Reason: "unknown rule key"}
		}
		var r Rule
		d := json.NewDecoder(bytes.NewReader(raw.Rules[k]))
		d.DisallowUnknownFields()
		if err := d.Decode(&r); err != nil {
			return nil, &Error{Key: "rules." + k, Reason: strings.TrimPrefix(err.Error(), "json: ")}
		}
		if !ruleIDPattern.MatchString(r.ID) {
			return nil, &Error{Key: "rules." + k + ".id", Reason: fmt.Sprintf("%q is not a rule ID (want seed-…, taobao-dispute-N, adlaw-N, ours-…, public-…)", r.ID)}
		}
		if other, dup := seenIDs[r.ID]; dup {
			return nil, &Error{Key: "rules." + k + ".id", Reason: fmt.Sprintf("%q is already used by rules.%s", r.ID, other)}
		}
		seenIDs[r.ID] = k
		if len(sc.onExpiry) > 0 {
			if !contains(sc.onExpiry, r.OnExpiry) {
				return nil, &Error{Key: "rules." + k + ".on_expiry", Reason: fmt.Sprintf("%q not allowed (want one of %s)", r.OnExpiry, strings.Join(sc.onExpiry, ", "))}
			}
		} else if r.OnExpiry != "" {
			return nil, &Error{Key: "rules." + k + ".on_expiry", Reason: "this rule is not a deadline"}
		}
		if err := b.parseValue(k, sc.kind, r.Value); err != nil {
			return nil, &Error{Key: "rules." + k + ".value", Reason: err.Error()}
		}
		b.Rules[k] = r
	}
	for k, sc := range schema {
		if _, ok := b.Rules[k]; !ok {
			if !sc.optional {
				return nil, &Error{Key: "rules." + k, Reason: "missing"}
			}
			if err := b.defaultRule(k, sc.kind, seenIDs); err != nil {
				return nil, err
			}
		}
	}
	var weightSum int64
	for _, k := range qualityWeights {
		weightSum += b.ints[k]
	}
	if weightSum <= 0 {
		return nil, &Error{Key: "rules." + qualityWeights[0] + ".value", Reason: "the service-quality weights must not all be 0"}
	}
	if b.ints["complaint.late_shipment_min"] > b.ints["complaint.late_shipment_max"] {
		return nil, &Error{Key: "rules.complaint.late_shipment_min.value", Reason: "greater than complaint.late_shipment_max"}
	}
	if err := b.parseComplaints(raw.Complaints); err != nil {
		return nil, err
	}
	canon, _ := json.Marshal(struct {
		Version    string          `json:"version"`
		Rules      map[string]Rule `json:"rules"`
		Complaints *Complaints     `json:"complaints"`
	}{b.Version, b.Rules, b.Complaints})
	sum := sha256.Sum256(canon)
	b.Digest = hex.EncodeToString(sum[:8])
	return b, nil
}

// defaultRule fills an optional rule the book does not hold with the
// embedded default's (a book written before the rule existed).
func (b *Book) defaultRule(key string, k kind, seenIDs map[string]string) error {
	var raw struct {
		Rules map[string]Rule `json:"rules"`
	}
	if err := json.Unmarshal(defaultJSON, &raw); err != nil {
		return &Error{Key: "rules." + key, Reason: "embedded default: " + err.Error()}
	}
	r, ok := raw.Rules[key]
	if !ok {
		return &Error{Key: "rules." + key, Reason: "missing"}
	}
	if other, dup := seenIDs[r.ID]; dup {
		return &Error{Key: "rules." + other + ".id", Reason: fmt.Sprintf("%q is the ID of the default rules.%s", r.ID, key)}
	}
	seenIDs[r.ID] = key
	if err := b.parseValue(key, k, r.Value); err != nil {
		return &Error{Key: "rules." + key + ".value", Reason: "embedded default: " + err.Error()}
	}
	b.Rules[key] = r
	return nil
}

func (b *Book) parseValue(key string, k kind, v string) error {
	v = strings.TrimSpace(v)
	switch k {
	case kDuration:
		d, err := ParseDuration(v)
		if err != nil {
			return err
		}
		if d < time.Second {
			return fmt.Errorf("%q: must be at least 1s", v)
		}
		b.durations[key] = d
	case kWorkingDays:
		n, err := strconv.ParseInt(strings.TrimSuffix(v, "wd"), 10, 64)
		if err != nil || !strings.HasSuffix(v, "wd") || n < 1 || n > 60 {
			return fmt.Errorf("%q: want working days like \"3wd\" (1–60)", v)
		}
		b.ints[key] = n
	case kBasisPoints:
		n, err := strconv.ParseInt(strings.TrimSuffix(v, "bp"), 10, 64)
		if err != nil || !strings.HasSuffix(v, "bp") || n < 0 || n > 10000 {
			return fmt.Errorf("%q: want basis points like \"500bp\" (0–10000)", v)
		}
		b.ints[key] = n
	case kFen:
		n, err := strconv.ParseInt(strings.TrimSuffix(v, "fen"), 10, 64)
		if err != nil || !strings.HasSuffix(v, "fen") || n < 0 {
			return fmt.Errorf("%q: want a non-negative amount in fen like \"500fen\"", v)
		}
		b.ints[key] = n
	case kInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q: want a non-negative integer", v)
		}
		b.ints[key] = n
	case kIntList:
		var out []int64
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q: want comma-separated positive integers", v)
			}
			if len(out) > 0 && n <= out[len(out)-1] && strings.HasPrefix(key, "penalty.") {
				return fmt.Errorf("%q: thresholds must increase", v)
			}
			out = append(out, n)
		}
		b.lists[key] = out
	case kSwitch:
		if v != "on" && v != "off" {
			return fmt.Errorf("%q: want \"on\" or \"off\"", v)
		}
	case kMonthDay:
		if _, err := time.Parse("01-02", v); err != nil {
			return fmt.Errorf("%q: want MM-DD", v)
		}
	case kWords:
		var out []string
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if !wordPattern.MatchString(p) {
				return fmt.Errorf("%q: want comma-separated words like \"custom,fresh\"", v)
			}
			out = append(out, p)
		}
		b.words[key] = out
	}
	return nil
}

var wordPattern = regexp.MustCompile(`^[^\s,]{1,64}$`)

// Switch returns an on/off rule's value and its rule ID. It panics on a key
// that is not in the book.
func (b *Book) Switch(key string) (bool, string) {
	r, ok := b.Rules[key]
	if !ok {
		panic("policy: no switch rule " + key)
	}
	return strings.TrimSpace(r.Value) == "on", r.ID
}

// Words returns a list-of-words rule and its rule ID.
func (b *Book) Words(key string) ([]string, string) {
	w, ok := b.words[key]
	if !ok {
		panic("policy: no word-list rule " + key)
	}
	return append([]string(nil), w...), b.Rules[key].ID
}

// Code is one entry of a reason-code list (words "code:中文标签").
type Code struct {
	Code    string `json:"code"`
	LabelZH string `json:"label_zh"`
}

// Codes returns a reason-code list rule (words "code:label") and its rule ID.
func (b *Book) Codes(key string) ([]Code, string) {
	ws, id := b.Words(key)
	out := make([]Code, 0, len(ws))
	for _, w := range ws {
		c, l, _ := strings.Cut(w, ":")
		out = append(out, Code{Code: c, LabelZH: l})
	}
	return out, id
}

// ParseDuration accepts Go durations ("48h", "90m") and whole days ("7d").
func ParseDuration(v string) (time.Duration, error) {
	if strings.HasSuffix(v, "d") {
		n, err := strconv.ParseInt(strings.TrimSuffix(v, "d"), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: want a duration like \"48h\" or \"7d\"", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration like \"48h\" or \"7d\"", v)
	}
	return d, nil
}

// Duration returns a duration rule's value and its rule ID. It panics on a
// key that is not a duration rule: keys are compile-time constants.
func (b *Book) Duration(key string) (time.Duration, string) {
	d, ok := b.durations[key]
	if !ok {
		panic("policy: no duration rule " + key)
	}
	return d, b.Rules[key].ID
}

// Int returns an integer-valued rule (points, fen, basis points, working days) and its ID.
func (b *Book) Int(key string) (int64, string) {
	n, ok := b.ints[key]
	if !ok {
		panic("policy: no integer rule " + key)
	}
	return n, b.Rules[key].ID
}

// List returns a list-valued rule and its ID.
func (b *Book) List(key string) ([]int64, string) {
	l, ok := b.lists[key]
	if !ok {
		panic("policy: no list rule " + key)
	}
	return append([]int64(nil), l...), b.Rules[key].ID
}

// ID returns the rule ID of a key.
func (b *Book) ID(key string) string {
	r, ok := b.Rules[key]
	if !ok {
		panic("policy: no rule " + key)
	}
	return r.ID
}

// OnExpiry returns the automatic action of a deadline rule.
func (b *Book) OnExpiry(key string) string { return b.Rules[key].OnExpiry }

// JSON renders the book as stored and served.
func (b *Book) JSON() []byte {
	out, _ := json.MarshalIndent(b, "", "  ")
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
