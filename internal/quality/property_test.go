package quality_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/quality"
)

// Random facts never break the report's invariants: rates and scores stay
// in range, a numerator never exceeds its denominator for the shares, the
// score lies between the lowest and the highest factor score, and within a
// category a higher score never ranks or percentiles below a lower one.
func TestEvaluateInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := params()
		at := func(label string) time.Time {
			return now.Add(-time.Duration(rapid.Int64Range(-int64(2*time.Hour), int64(40*24*time.Hour)).Draw(t, label)))
		}
		opt := func(label string) *time.Time {
			if rapid.Bool().Draw(t, label+"?") {
				return nil
			}
			v := at(label)
			return &v
		}
		sellers := []string{"A", "B", "C", "D"}
		cats := []string{"女装", "数码"}
		var f quality.Facts
		for i, n := 0, rapid.IntRange(0, 30).Draw(t, "orders"); i < n; i++ {
			f.Orders = append(f.Orders, quality.OrderFact{ID: fmt.Sprint("o", i), SellerID: rapid.SampledFrom(sellers).Draw(t, "seller"),
				Category: rapid.SampledFrom(cats).Draw(t, "cat"), PaidAt: opt("paid"), ShipBy: opt("shipby"), FirstScanAt: opt("scan"), CancelledAt: opt("cancel")})
		}
		for i, n := 0, rapid.IntRange(0, 10).Draw(t, "refunds"); i < n; i++ {
			f.Refunds = append(f.Refunds, quality.RefundFact{CaseID: fmt.Sprint("d", rapid.IntRange(0, 5).Draw(t, "case")), SellerID: rapid.SampledFrom(sellers).Draw(t, "rs"),
				At: at("refund"), Malicious: rapid.Bool().Draw(t, "malicious")})
		}
		for i, n := 0, rapid.IntRange(0, 10).Draw(t, "complaints"); i < n; i++ {
			f.Complaints = append(f.Complaints, quality.ComplaintFact{ID: fmt.Sprint("c", i), SellerID: rapid.SampledFrom(sellers).Draw(t, "cs"), DecidedAt: at("decided")})
		}
		for i, n := 0, rapid.IntRange(0, 10).Draw(t, "chats"); i < n; i++ {
			asked := at("asked")
			c := quality.ChatFact{ID: fmt.Sprint("m", i), SellerID: rapid.SampledFrom(sellers).Draw(t, "ms"), AskedAt: asked}
			if rapid.Bool().Draw(t, "answered") {
				a := asked.Add(time.Duration(rapid.Int64Range(0, int64(time.Hour)).Draw(t, "wait")))
				c.AnsweredAt = &a
			}
			f.Chats = append(f.Chats, c)
		}
		rs := quality.Evaluate(f, p, now)
		for _, r := range rs {
			lo, hi := int64(10001), int64(-1)
			for _, fr := range r.Factors {
				if (fr.Rate == nil) != (fr.Denominator == 0) || (fr.Score == nil) != (fr.Rate == nil) {
					t.Fatalf("%s %s: rate %v score %v with denominator %d", r.SellerID, fr.Factor, fr.Rate, fr.Score, fr.Denominator)
				}
				if fr.Score == nil {
					continue
				}
				if *fr.Score < 0 || *fr.Score > 10000 || *fr.Rate < 0 || (fr.Better == "higher" && (fr.Numerator > fr.Denominator || *fr.Rate > 10000)) {
					t.Fatalf("%s %s out of range: %+v", r.SellerID, fr.Factor, fr)
				}
				lo, hi = min(lo, *fr.Score), max(hi, *fr.Score)
			}
			if r.Score != nil && (*r.Score < lo || *r.Score > hi) {
				t.Fatalf("%s: score %d outside its factors' [%d, %d]", r.SellerID, *r.Score, lo, hi)
			}
			if (r.Rank > 0) != (r.Score != nil && r.Category != "") {
				t.Fatalf("%s: rank %d with score %v category %q", r.SellerID, r.Rank, r.Score, r.Category)
			}
		}
		for _, a := range rs {
			for _, b := range rs {
				if a.Rank == 0 || b.Rank == 0 || a.Category != b.Category {
					continue
				}
				if *a.Score > *b.Score && (a.Rank >= b.Rank || (a.Percentile != nil && *a.Percentile <= *b.Percentile)) {
					t.Fatalf("%s (%d, rank %d) not above %s (%d, rank %d)", a.SellerID, *a.Score, a.Rank, b.SellerID, *b.Score, b.Rank)
				}
				if *a.Score == *b.Score && a.Rank != b.Rank {
					t.Fatalf("equal scores, ranks %d and %d", a.Rank, b.Rank)
				}
			}
		}
	})
}
