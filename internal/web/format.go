package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// cst is China Standard Time (no daylight saving), the marketplace's clock.
var cst = time.FixedZone("CST", 8*3600)

var funcs = template.FuncMap{
	"yuan":  yuan,
	"plain": func(f money.Fen) string { return strings.TrimPrefix(yuan(f), "¥") },
	"dt": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"dtp": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"rfc":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pair": func(b, v any) pairVM { return pairVM{B: b, V: v} },
	"join": strings.Join,
	"fen":  func(f money.Fen) int64 { return int64(f) },
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"jsonattr": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"pct": func(f float64) float64 { return f * 100 },
	// bp formats basis points as a percentage ("—" when absent).
	"bp": func(v *int64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%d.%02d%%", *v/100, *v%100)
	},
	"inc": func(i int) int { return i + 1 },
	"has": func(list []string, s string) bool { return contains(list, s) },
}

// pairVM hands a partial the page (for T) and its own value.
type pairVM struct {
	B any
	V any
}

// yuan formats fen as ¥12.34 (negative with a minus sign).
func yuan(f money.Fen) string {
	v := int64(f)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, v/100, v%100)
}

// deadlineVM is a live deadline: what is due, by whom, when, and what
// happens at expiry (the countdown partial).
type deadlineVM struct {
	Kind     string
	Actor    string
	DueAt    time.Time
	OnExpiry string
	RuleID   string
	Now      time.Time
}

// Overdue reports whether the deadline has passed at the page's time.
func (d deadlineVM) Overdue() bool { return !d.Now.Before(d.DueAt) }

// Remaining is the time left, rendered server-side (the script refreshes it).
func (d deadlineVM) Remaining() string { return humanDuration(d.DueAt.Sub(d.Now)) }

func humanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	h := int(d / time.Hour)
	d -= time.Duration(h) * time.Hour
	m := int(d / time.Minute)
	s := int((d - time.Duration(m)*time.Minute) / time.Second)
	if days > 0 {
		return fmt.Sprintf("%dd %02d:%02d:%02d", days, h, m, s)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

// eventVM is one line of a timeline.
type eventVM struct {
	At        time.Time
	Aggregate string // aftersale, dispute, order
	Type      string
	ActorRole string
	ActorID   string // staff see who acted: the recorded id ...
	ActorName string // ... and the display name staff ids stand for
	Reason    string
	RuleIDs   []string
	Seq       int64
}

type actorJSON struct {
	Role string `json:"role"`
	ID   string `json:"id"`
	Via  string `json:"via"`
}

// eventsVM shows a timeline; names, given only on staff pages, name who
// acted (a staff member by display name, the recorded id kept as the
// audit trail's), and parties see roles only.
func eventsVM(recs []store.EventRecord, names staffNames) []eventVM {
	out := make([]eventVM, 0, len(recs))
	for _, r := range recs {
		var a actorJSON
		_ = json.Unmarshal(r.Actor, &a)
		e := eventVM{At: r.At, Aggregate: r.AggregateType, Type: r.Type, ActorRole: a.Role, Reason: r.Reason, RuleIDs: r.RuleIDs, Seq: r.Seq}
		if names != nil {
			e.ActorID, e.ActorName = a.ID, names.Who(a.ID)
		}
		out = append(out, e)
	}
	return out
}

// The masks of personal data are the service's (its visibility rules).
var (
	maskPhone   = service.MaskPhone
	maskAddress = service.MaskAddress
	maskName    = service.MaskName
)
