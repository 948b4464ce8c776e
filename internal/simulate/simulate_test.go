package simulate_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/replay"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/simulate"
)

// small is a run of a few days with few shops: long enough for requests,
// refusals, escalations, judgments and complaints to happen (deliveries
// take two to four days). DataDir is empty: the built-in titles, so the
// test does not depend on the data folder.
func small(seed int64) simulate.Options {
	return simulate.Options{Days: 9, Seed: seed, Shops: 8, Buyers: 30, OrdersPerDay: 25}
}

func run(t *testing.T, o simulate.Options) (simulate.Report, *simulate.Sim) {
	t.Helper()
	ctx := context.Background()
	s, err := simulate.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	rep, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rep, s
}

func text(r simulate.Report) string {
	var b bytes.Buffer
	r.Format(&b)
	return b.String()
}

// The same seed gives the same report, word for word; another seed
// another marketplace.
func TestDeterministicForASeed(t *testing.T) {
	a, _ := run(t, small(7))
	b, _ := run(t, small(7))
	if ta, tb := text(a), text(b); ta != tb {
		t.Fatalf("two runs of seed 7 differ:\n%s\n---\n%s", ta, tb)
	}
	c, _ := run(t, small(8))
	if text(a) == text(c) {
		t.Fatalf("seeds 7 and 8 gave the same report:\n%s", text(a))
	}
}

// The report agrees with what the API lists, the ledger is clean, the
// adversarial actors are caught, and the kept database replays: a 24 h
// seller window auto-agrees more requests than the 48 h one.
func TestReportAgreesWithTheAPI(t *testing.T) {
	ctx := context.Background()
	o := small(1)
	o.DB = filepath.Join(t.TempDir(), "sim.db")
	rep, s := run(t, o)
	t.Log("\n" + text(rep))

	if !rep.LedgerOK || rep.LedgerIssues != 0 || rep.Money.Unbalanced != 0 || rep.LedgerTx == 0 {
		t.Fatalf("ledger: ok %v, %d violations, %d unbalanced orders, %d transactions", rep.LedgerOK, rep.LedgerIssues, rep.Money.Unbalanced, rep.LedgerTx)
	}
	// Requests: what the buyers opened is what the API lists, status by status.
	byStatus := map[string]int{}
	n := 0
	for a, err := range client.List[client.Aftersale](ctx, s.Client(), "/v1/aftersales") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		byStatus[a.Type+" "+a.Status]++
	}
	if n == 0 || rep.Opened != n || rep.RequestTotal != n {
		t.Fatalf("buyers opened %d, the report lists %d, the API %d", rep.Opened, rep.RequestTotal, n)
	}
	for k, v := range byStatus {
		if rep.Requests[k] != v {
			t.Errorf("requests %s: report %d, API %d", k, rep.Requests[k], v)
		}
	}
	// Complaints and cases likewise.
	nc, upheld := 0, 0
	for c, err := range client.List[client.Complaint](ctx, s.Agent(), "/v1/complaints") {
		if err != nil {
			t.Fatal(err)
		}
		nc++
		if c.Decision != nil && c.Decision.Verdict == "upheld" {
			upheld++
		}
	}
	sumUpheld := 0
	for _, c := range rep.Complaints {
		sumUpheld += c.Upheld
	}
	if nc == 0 || rep.Filed != nc || sumUpheld != upheld {
		t.Fatalf("complaints: filed %d, API %d; upheld report %d, API %d", rep.Filed, nc, sumUpheld, upheld)
	}
	nd := 0
	for _, err := range client.List[client.Dispute](ctx, s.Agent(), "/v1/disputes") {
		if err != nil {
			t.Fatal(err)
		}
		nd++
	}
	if nd == 0 || rep.Cases != nd || rep.Events["escalated"] != nd {
		t.Fatalf("cases: report %d, escalated requests %d, API %d", rep.Cases, rep.Events["escalated"], nd)
	}
	// The SLA lines are the requests' histories.
	if rep.SLA.SellerExpired != rep.Events["auto_agreed"] || rep.SLA.SellerExpired == 0 || rep.SLA.Fired < rep.SLA.SellerExpired {
		t.Errorf("auto-agreed %d, requests with auto_agreed %d, deadlines fired %d", rep.SLA.SellerExpired, rep.Events["auto_agreed"], rep.SLA.Fired)
	}
	// The actors' requests were well formed: the API refused none as invalid.
	for k := range rep.Refused {
		if strings.HasPrefix(k, "400") || strings.HasPrefix(k, "422") {
			t.Errorf("the API refused simulated requests as invalid: %s ×%d", k, rep.Refused[k])
		}
	}
	// Abusive actors were flagged.
	for _, role := range []string{"buyer", "seller"} {
		f := rep.Flags[role]
		if f == nil || f.Abusive == 0 || f.Recall() <= 0 {
			t.Errorf("%s flags: %+v", role, f)
		}
	}
	if rep.Points.Violations == 0 || rep.Money.Refunded == 0 {
		t.Errorf("no violations (%d) or no refunds (%d)", rep.Points.Violations, rep.Money.Refunded)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// policy replay on the kept month: 24 h instead of 48 h for the seller.
	proposed, err := policy.Parse(bytes.Replace(policy.DefaultJSON(),
		[]byte(`"value": "48h", "on_expiry": "auto_agree"`), []byte(`"value": "24h", "on_expiry": "auto_agree"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	svc, st, err := server.OpenService(ctx, "sqlite:"+o.DB, policy.Default(), clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rr, err := replay.Replay(ctx, svc, replay.Options{From: simulate.DefaultStart.Add(-time.Hour), To: s.End(), Baseline: policy.Default(), Proposed: proposed, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	base, next := rr.Baseline.Outcome.Events["aftersale.auto_agreed"], rr.Proposed.Outcome.Events["aftersale.auto_agreed"]
	if int(base) != rep.SLA.SellerExpired {
		t.Errorf("the baseline replay auto-agreed %d, the run %d", base, rep.SLA.SellerExpired)
	}
	if next <= base {
		t.Errorf("a 24 h seller window auto-agreed %d, the 48 h one %d: want more", next, base)
	}
}
