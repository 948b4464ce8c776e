package demo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// testNow is "now" for every fill in these tests.
var testNow = time.Date(2026, 5, 20, 10, 30, 0, 0, time.UTC)

// dataDir is the shared data folder seen from this package ("" when absent).
func dataDir() string {
	if d := os.Getenv("WEIQUAN_DATA_DIR"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", DefaultDataDir)
	if _, err := os.Stat(filepath.Join(d, filepath.FromSlash(TitlesFile))); err != nil {
		return ""
	}
	return d
}

type filled struct {
	svc *service.Service
	st  *store.Store
	clk *clock.Manual
	sum Summary
}

func fill(t *testing.T, o Options) filled {
	t.Helper()
	ctx := context.Background()
	st := apitest.OpenStore(t, apitest.SQLiteURL(t))
	clk := clock.NewManual(testNow)
	svc := service.New(st, policy.Default(), service.Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	sum, err := Fill(ctx, svc, st, clk, o)
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	if len(sum.Skipped) > 0 {
		t.Fatalf("%d planned steps were refused, e.g. %s", len(sum.Skipped), sum.Skipped[0])
	}
	if !clk.Now().Equal(testNow) {
		t.Fatalf("clock ends at %s, want %s", clk.Now(), testNow)
	}
	return filled{svc: svc, st: st, clk: clk, sum: sum}
}

// allPages reads every row of a keyset-paginated store listing.
func allPages[T any](t *testing.T, list func(context.Context, store.ListFilter) ([]T, error), id func(T) string) []T {
	t.Helper()
	var out []T
	if err := eachPage(context.Background(), list, id, func(x T) { out = append(out, x) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func allOrders(t *testing.T, st *store.Store) []order.Order {
	return allPages(t, st.ListOrders, func(o order.Order) string { return o.ID })
}

func allRequests(t *testing.T, st *store.Store) []aftersale.State {
	return allPages(t, st.ListAftersales, func(r aftersale.State) string { return r.ID })
}

// countBy counts the items by key.
func countBy[T any, K comparable](xs []T, key func(T) K) map[K]int {
	n := map[K]int{}
	for _, x := range xs {
		n[key(x)]++
	}
	return n
}

// wantEvery reports each key of all that counts holds no item of, naming
// what an item is.
func wantEvery[K comparable](t *testing.T, what string, all []K, counts map[K]int) {
	t.Helper()
	for _, k := range all {
		if counts[k] == 0 {
			t.Errorf("no %s %v (%v)", what, k, counts)
		}
	}
}

// roundTrip normalises a value through JSON (times, nil vs empty).
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFill(t *testing.T) {
	ctx := context.Background()
	f := fill(t, Options{Seed: 1})
	sum := f.sum

	t.Run("orders in every state", func(t *testing.T) {
		orders := allOrders(t, f.st)
		if len(orders) < 180 || len(orders) > 220 || sum.Orders != len(orders) {
			t.Fatalf("%d orders (summary %d), want about 200", len(orders), sum.Orders)
		}
		states := map[string]int{}
		presale, premium := 0, 0
		for _, o := range orders {
			states[OrderState(o)]++
			if o.PresaleShipBy != nil {
				presale++
			}
			if o.BuyerPremium {
				premium++
			}
			if o.Amount <= 0 || len(o.Items) == 0 || o.Category == "" {
				t.Fatalf("order %s: incomplete facts %+v", o.ID, o.Facts)
			}
			if o.ShippedAt != nil && (o.Carrier == "" || o.TrackingNo == "") {
				t.Fatalf("order %s shipped without carrier/tracking", o.ID)
			}
		}
		wantEvery(t, "order in state", OrderStates, states)
		if !reflect.DeepEqual(states, sum.ByState) {
			t.Errorf("summary by state %v, store %v", sum.ByState, states)
		}
		if presale == 0 || premium == 0 {
			t.Errorf("pre-sale orders %d, premium-buyer orders %d: want some of each", presale, premium)
		}
		if len(sum.Shops) < 6 || sum.Buyers < 30 || sum.Premium == 0 {
			t.Errorf("shops %d, buyers %d, premium %d", len(sum.Shops), sum.Buyers, sum.Premium)
		}
	})

	reqs := allRequests(t, f.st)

	t.Run("requests in every status, type and many reasons", func(t *testing.T) {
		statuses, types, reasons := map[aftersale.Status]int{}, map[aftersale.Type]int{}, map[aftersale.Reason]int{}
		var escalated, refusedReceipt, offers, refusalsWithEvidence int
		for _, r := range reqs {
			statuses[r.Status]++
			types[r.Type]++
			reasons[r.Reason]++
			if iv := r.Intervention; iv != nil && r.Status.Open() {
				escalated++
				if iv.RequestedBy == aftersale.Seller {
					refusedReceipt++
				}
			}
			if r.Status == aftersale.SellerRefuseBuyer && r.Offer != nil {
				offers++
			}
			if r.Refusal != nil && len(r.Refusal.Evidence) > 0 && r.Refusal.Reason != "" {
				refusalsWithEvidence++
			}
		}
		wantEvery(t, "request in status", aftersale.Statuses, statuses)
		wantEvery(t, "request of type", aftersale.Types, types)
		if len(reasons) < 7 {
			t.Errorf("only %d reasons used: %v", len(reasons), reasons)
		}
		if escalated < 3 || refusedReceipt == 0 || offers == 0 || refusalsWithEvidence == 0 {
			t.Errorf("escalated %d, refused receipt %d, counter-offers %d, refusals with evidence %d: want some of each",
				escalated, refusedReceipt, offers, refusalsWithEvidence)
		}
		if sum.Requests != len(reqs) || sum.Intervention != escalated {
			t.Errorf("summary: requests %d (store %d), intervention %d (store %d)", sum.Requests, len(reqs), sum.Intervention, escalated)
		}
		for _, ev := range []aftersale.EventType{aftersale.EvAutoAgreed, aftersale.EvAutoRefunded, aftersale.EvClosed, aftersale.EvCancelled,
			aftersale.EvModified, aftersale.EvCounterOffered, aftersale.EvOfferAccepted, aftersale.EvEscalated, aftersale.EvReceiptRefused,
			aftersale.EvReturnConfirmed, aftersale.EvReturnShipped} {
			n, err := f.st.CountEvents(ctx, service.AggAftersale, string(ev))
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("no %s event in the history", ev)
			}
		}
		if sum.FiredDuringFill == 0 || sum.FiredDuringFill != sum.PlannedFires {
			t.Errorf("fired during the fill %d, planned %d", sum.FiredDuringFill, sum.PlannedFires)
		}
	})

	t.Run("one pending deadline per open request, none under intervention", func(t *testing.T) {
		pending := 0
		for _, r := range reqs {
			ds, err := f.st.PendingDeadlines(ctx, service.AggAftersale, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !r.Status.Open() || r.Intervention != nil:
				if len(ds) != 0 || r.Deadline != nil {
					t.Errorf("%s %s (intervention %v): %d pending deadlines, state deadline %v; want none", r.ID, r.Status, r.Intervention != nil, len(ds), r.Deadline)
				}
			case len(ds) != 1 || r.Deadline == nil:
				t.Errorf("%s %s: %d pending deadlines (state deadline %v), want exactly 1", r.ID, r.Status, len(ds), r.Deadline)
			default:
				pending++
				if !ds[0].DueAt.Equal(r.Deadline.DueAt) || ds[0].Kind != string(r.Deadline.Kind) {
					t.Errorf("%s: row %s due %s, state %s due %s", r.ID, ds[0].Kind, ds[0].DueAt, r.Deadline.Kind, r.Deadline.DueAt)
				}
			}
		}
		if pending != sum.PendingDeadlines {
			t.Errorf("summary says %d pending deadlines, requests have %d", sum.PendingDeadlines, pending)
		}
	})

	t.Run("replaying events reproduces every request", func(t *testing.T) {
		for _, r := range reqs {
			recs, err := f.st.Events(ctx, service.AggAftersale, r.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := service.DecodeAftersaleEvents(recs)
			if err != nil {
				t.Fatal(err)
			}
			got, want := roundTrip(t, aftersale.Replay(r.ID, evs)), roundTrip(t, r)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("replay of %s differs:\nreplayed %+v\nstored   %+v", r.ID, got, want)
			}
		}
	})

	// Before the deadlines fire: the fill as it was left.
	t.Run("cases with every advance status and a suspension", func(t *testing.T) { testAdvancesAndSuspension(t, f) })
	t.Run("complaints in every status, both ways, with sanctions", func(t *testing.T) { testComplaints(t, f) })

	t.Run("expired deadlines fire at once", func(t *testing.T) {
		if sum.ExpiredPending == 0 || sum.ExpiredPending >= sum.PendingDeadlines {
			t.Fatalf("expired %d of %d pending: want some, not all", sum.ExpiredPending, sum.PendingDeadlines)
		}
		before := deadlinesOf(t, f)
		st, err := f.svc.FireDue(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if st.Fired-st.FiredCases-st.FiredOrders != sum.ExpiredPending || st.Failed != 0 || st.Cancelled != 0 {
			t.Fatalf("FireDue at now: %+v, want %d fired", st, sum.ExpiredPending)
		}
		ds, err := f.st.DeadlineStatsOf(ctx, service.AggAftersale, f.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n := countNewDeadlines(t, f, before); ds.Overdue != 0 || int(ds.Pending) != sum.PendingDeadlines-sum.ExpiredPending+n {
			t.Fatalf("after firing: %+v; pending %d, expired %d, new %d", ds, sum.PendingDeadlines, sum.ExpiredPending, n)
		}
	})

	t.Run("intervention cases in every stage, ledger consistent", func(t *testing.T) {
		for _, st := range []string{"EVIDENCE", "REVIEW", "JUDGED", "FINAL"} {
			if sum.CasesByStatus[st] == 0 {
				t.Errorf("no case in %s: %v", st, sum.CasesByStatus)
			}
		}
		if sum.Judged == 0 || sum.Appealed == 0 {
			t.Errorf("judged %d, appealed %d", sum.Judged, sum.Appealed)
		}
		rep, err := ledgercheck.Check(ctx, f.st)
		if err != nil {
			t.Fatalf("ledger check on the demo database: %v", err)
		}
		if rep.Transactions == 0 {
			t.Fatalf("no ledger transactions: %+v", rep)
		}
	})

	t.Run("keys and print", func(t *testing.T) {
		roles := map[actor.Role]bool{}
		for _, k := range sum.Keys {
			roles[k.Role] = true
			if !strings.HasPrefix(k.Plain, "wq_") || k.ID == "" {
				t.Errorf("key %+v", k)
			}
			if (k.Role == actor.Buyer || k.Role == actor.Seller) && k.Party == "" {
				t.Errorf("%s key without a party", k.Role)
			}
			if _, err := f.st.APIKeyByHash(ctx, hashKey(k.Plain)); err != nil {
				t.Errorf("key %s not stored: %v", k.Role, err)
			}
		}
		for _, r := range service.Roles {
			if !roles[r] {
				t.Errorf("no %s key", r)
			}
		}
		var buf bytes.Buffer
		sum.Print(&buf)
		out := buf.String()
		zh, en := strings.Index(out, "演示数据"), strings.Index(out, "Demo marketplace")
		if zh < 0 || en < 0 || zh > en {
			t.Errorf("want Chinese then English:\n%s", out)
		}
		if !strings.Contains(out, `curl -H "Authorization: Bearer `+sum.Keys[0].Plain+`" http://127.0.0.1:8080/v1/aftersales`) {
			t.Errorf("no curl hint with the integration key:\n%s", out)
		}
		for _, k := range sum.Keys {
			if strings.Count(out, k.Plain) < 1 {
				t.Errorf("key %s not printed", k.Role)
			}
		}
		t.Logf("fill took %s\n%s", sum.Elapsed, out)
	})
}

// deadlinesOf is each request's pending deadline.
func deadlinesOf(t *testing.T, f filled) map[string]aftersale.Deadline {
	t.Helper()
	m := map[string]aftersale.Deadline{}
	for _, r := range allRequests(t, f.st) {
		if r.Deadline != nil {
			m[r.ID] = *r.Deadline
		}
	}
	return m
}

// countNewDeadlines counts the deadlines that the firing just created (a
// request whose deadline fired and which now waits for the next step): the
// pending deadlines that were not pending before.
func countNewDeadlines(t *testing.T, f filled, before map[string]aftersale.Deadline) int {
	t.Helper()
	n := 0
	for id, d := range deadlinesOf(t, f) {
		if b, ok := before[id]; !ok || !b.DueAt.Equal(d.DueAt) || b.Kind != d.Kind {
			n++
		}
	}
	return n
}

func hashKey(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func TestDeterministic(t *testing.T) {
	a, b := fill(t, Options{Seed: 42}), fill(t, Options{Seed: 42})
	c := fill(t, Options{Seed: 43})
	strip := func(s Summary) Summary {
		s.Elapsed, s.Keys = 0, nil
		return s
	}
	if !reflect.DeepEqual(strip(a.sum), strip(b.sum)) {
		t.Fatalf("same seed, different summaries:\n%+v\n%+v", strip(a.sum), strip(b.sum))
	}
	// The orders carry no service-generated IDs: they are identical.
	oa, ob := allOrders(t, a.st), allOrders(t, b.st)
	if !reflect.DeepEqual(roundTrip(t, oa), roundTrip(t, ob)) {
		t.Fatal("same seed, different orders")
	}
	if reflect.DeepEqual(roundTrip(t, oa), roundTrip(t, allOrders(t, c.st))) {
		t.Fatal("different seeds, same orders")
	}
}

func TestTitles(t *testing.T) {
	t.Run("built-in without data", func(t *testing.T) {
		f := fill(t, Options{Seed: 3, DataDir: t.TempDir()})
		if f.sum.RealTitles || f.sum.TitleSource != "" {
			t.Fatalf("real titles from an empty folder: %+v", f.sum)
		}
		builtin := map[string]bool{}
		for _, c := range categories {
			for _, ti := range c.Fallback {
				builtin[ti] = true
			}
		}
		for _, o := range allOrders(t, f.st) {
			for _, it := range o.Items {
				if !builtin[it.Title] {
					t.Fatalf("order %s: title %q is not a built-in one", o.ID, it.Title)
				}
			}
		}
	})
	t.Run("real titles from the data set", func(t *testing.T) {
		dir := dataDir()
		if dir == "" {
			t.Skipf("real data not present (%s): title check skipped", filepath.Join("..", "..", DefaultDataDir, TitlesFile))
		}
		file, err := os.Open(filepath.Join(dir, filepath.FromSlash(TitlesFile)))
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		real := map[string]bool{}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 4*1024*1024)
		for sc.Scan() {
			var row struct {
				Text string `json:"text"`
			}
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatal(err)
			}
			real[cleanTitle(row.Text)] = true
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f := fill(t, Options{Seed: 1, DataDir: dir})
		if !f.sum.RealTitles || f.sum.TitlePool < 100 {
			t.Fatalf("real titles not used: %+v", f.sum)
		}
		n := 0
		for _, o := range allOrders(t, f.st) {
			for _, it := range o.Items {
				if !real[it.Title] {
					t.Fatalf("order %s: title %q is not a cleaned title of the data set", o.ID, it.Title)
				}
				if strings.Contains(it.Title, ",") || strings.Contains(it.Title, "  ") || len([]rune(it.Title)) > maxTitleRunes {
					t.Fatalf("title not clean: %q", it.Title)
				}
				n++
			}
		}
		if n == 0 {
			t.Fatal("no items")
		}
	})
}

func TestCleanTitle(t *testing.T) {
	for in, want := range map[string]string{
		"黑胶唱片机,复古留声机,仿古,老式,电唱机蓝牙": "黑胶唱片机 复古留声机 仿古 老式 电唱机蓝牙",
		"  两件包邮   妈咪秘密  孕妇内衣 ":    "两件包邮 妈咪秘密 孕妇内衣",
		"中宠狗零食 仁达 r&amp;d 鸡肉干":    "中宠狗零食 仁达 r&d 鸡肉干",
		"短": "",
		"日月潭红玉红茶,781,游山茶\ufffd,游山系列,单罐装": "",
		strings.Repeat("长", 100): strings.Repeat("长", maxTitleRunes),
	} {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDemoRecovery: the demo shows the guarantee fund's recovery in
// progress, on both engines: the shop owes the advance its frozen escrow and
// deposit could not repay, its deposit top-up paid the fund first (a
// repay_receivable transaction citing the rule), the rest is still owed, its
// standing shows it, and the ledger is whole.
func TestDemoRecovery(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		st := apitest.OpenStore(t, eng.URL(t))
		clk := clock.NewManual(testNow)
		svc := service.New(st, policy.Default(), service.Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		sum, err := Fill(ctx, svc, st, clk, Options{Seed: 1})
		if err != nil {
			t.Fatalf("Fill: %v", err)
		}
		r := sum.Recovery
		if r == nil || r.Booked != 26800 || r.Recovered != 10000 || r.Owed != 16800 {
			t.Fatalf("recovery %+v", r)
		}
		stg, err := svc.PartyStanding(ctx, service.Caller{Role: actor.Admin}, "seller", r.Seller)
		if err != nil || stg.Money == nil || stg.Money.FundReceivable != 16800 {
			t.Fatalf("standing %+v %v", stg.Money, err)
		}
		recs, _, err := st.AccountPostings(ctx, ledger.FundReceivable(r.Seller), "", 10)
		if err != nil || len(recs) != 2 {
			t.Fatalf("receivable postings %+v %v", recs, err)
		}
		checkProtection(t, ctx, svc, st, sum)
		rep, err := ledgercheck.Check(ctx, st)
		if err != nil || !rep.OK() {
			t.Fatalf("ledger check: %v %+v", err, rep.First())
		}
	})
}
