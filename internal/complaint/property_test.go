package complaint

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
)

// TestPropertyComplaintLifecycle drives random command sequences by random
// actors through Decide and Evolve and checks the invariants: replay
// reproduces the state, only staff decide, only the senior tier decides a
// second complaint, terminal states stay terminal, every event cites a rule
// and the book version, and a decision's outcomes are the rule book's.
func TestPropertyComplaintLifecycle(t *testing.T) {
	b := policy.Default()
	types := b.ComplaintTypeKeys()
	rapid.Check(t, func(rt *rapid.T) {
		typ := rapid.SampledFrom(types).Draw(rt, "type")
		ct, _ := b.ComplaintType(typ)
		now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		filer := Actor{Role: Role(ct.Filer), ID: map[string]string{"buyer": "B1", "seller": "S1"}[ct.Filer]}
		respondent := Actor{Role: actor.Seller, ID: "S1"}
		if ct.Filer == "seller" {
			respondent = Actor{Role: actor.Buyer, ID: "B1"}
		}
		findings := []Finding{{Kind: ct.Detect, Detected: rapid.Bool().Draw(rt, "late"), Base: 10000, Compensation: 500, RuleIDs: []string{"seed-ship-within-24h"}}}
		s := State{ID: "c1"}
		evs, err := Decide(s, Command{Action: File, Actor: filer, Type: typ, OrderID: "O1", BuyerID: "B1", SellerID: "S1",
			OrderPaid: ct.Group != "unpaid_order", OccurredAt: now.Add(-time.Hour), Description: "d", Claim: Claim{Text: "c", Amount: 2000},
			ReviewID: "R1", EvidenceIDs: []string{"e1"}, Findings: findings}, b, now)
		if err != nil {
			rt.Fatalf("file: %v", err)
		}
		var all []Event
		apply := func(es []Event) {
			for i := range es {
				es[i].Seq = s.Version + 1
				s = Evolve(s, es[i])
				all = append(all, es[i])
			}
		}
		apply(evs)
		actors := []Actor{filer, respondent, {Role: actor.Agent, ID: "a1"}, {Role: actor.Senior, ID: "s1"}, {Role: RoleSystem}, {Role: actor.Buyer, ID: "B9"}}
		steps := rapid.IntRange(1, 25).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			now = now.Add(time.Duration(rapid.IntRange(1, 100).Draw(rt, "hours")) * time.Hour)
			act := rapid.SampledFrom(append(slices.Clone(Actions), ExpireResponse)).Draw(rt, "action")
			who := rapid.SampledFrom(actors).Draw(rt, "actor")
			c := Command{Action: act, Actor: who, Statement: "s", Terms: "t", Reason: rapid.SampledFrom([]string{"", "r"}).Draw(rt, "reason"),
				Verdict: rapid.SampledFrom(Verdicts).Draw(rt, "verdict"), RuleIDs: []string{ct.ID},
				EvidenceIDs: []string{rapid.SampledFrom([]string{"e1", fmt.Sprintf("n%d", i)}).Draw(rt, "evidence")},
				Severe:      rapid.Bool().Draw(rt, "severe"), Compensation: money.Fen(rapid.SampledFrom([]int64{0, 500, 5000}).Draw(rt, "comp")),
				PriorViolations: rapid.IntRange(0, 2).Draw(rt, "prior")}
			before := s
			es, err := Decide(s, c, b, now)
			if err != nil {
				if !reflect.DeepEqual(before, s) {
					rt.Fatalf("a refused command changed the state")
				}
				continue
			}
			if before.Status == Settled || before.Status == Withdrawn || before.Status == Final {
				rt.Fatalf("%s acted on a terminal complaint (%s)", act, before.Status)
			}
			if act == DecideIt {
				if who.Role != actor.Agent && who.Role != actor.Senior {
					rt.Fatalf("%s decided", who.Role)
				}
				if before.Status == SecondReview && who.Role != actor.Senior {
					rt.Fatalf("a first-tier agent decided a second complaint")
				}
			}
			for _, e := range es {
				if len(e.RuleIDs) == 0 || e.PolicyVersion != b.Version {
					rt.Fatalf("event %s without rule or version", e.Type)
				}
				if d := e.Data.Decision; d != nil && d.Verdict == Upheld {
					for _, o := range d.Outcomes {
						if !slices.Contains(ct.Outcomes, o.Kind) {
							rt.Fatalf("outcome %s not in the type's %v", o.Kind, ct.Outcomes)
						}
					}
				}
			}
			apply(es)
		}
		if got := Replay("c1", all); !reflect.DeepEqual(got, s) {
			rt.Fatalf("replay differs:\n%+v\n%+v", got, s)
		}
	})
}

// TestLateShipmentJudgedOnTheFirstScan checks the detector at its boundaries.
func TestLateShipmentJudgedOnTheFirstScan(t *testing.T) {
	b := policy.Default()
	paid := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	shipBy := paid.Add(24 * time.Hour)
	at := func(d time.Duration) *time.Time { x := paid.Add(d); return &x }
	cases := []struct {
		name string
		scan *time.Time
		now  time.Time
		amt  money.Fen
		late bool
		comp money.Fen
	}{
		{"scan at exactly 24h", at(24 * time.Hour), paid.Add(48 * time.Hour), 10000, false, 0},
		{"scan 1µs late", at(24*time.Hour + time.Microsecond), paid.Add(48 * time.Hour), 10000, true, 500},
		{"no scan, 24h not over", nil, paid.Add(24 * time.Hour), 10000, false, 0},
		{"no scan, 24h over", nil, paid.Add(24*time.Hour + time.Second), 10000, true, 500},
		{"¥5 floor", at(30 * time.Hour), paid.Add(48 * time.Hour), 100, true, 500},
		{"¥30 cap", at(30 * time.Hour), paid.Add(48 * time.Hour), 1000000, true, 3000},
		{"in between", at(30 * time.Hour), paid.Add(48 * time.Hour), 33333, true, 1667},
	}
	for _, c := range cases {
		o := order.Order{ID: "O1", Facts: order.Facts{Amount: c.amt}, PaidAt: &paid, ShipBy: &shipBy, FirstScanAt: c.scan}
		f := LateShipment(o, b, c.now)
		if f.Detected != c.late || f.Compensation != c.comp {
			t.Errorf("%s: detected %v comp %s, want %v %s (%s)", c.name, f.Detected, f.Compensation, c.late, c.comp, f.Summary)
		}
	}
}
