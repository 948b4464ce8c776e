package demo

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/service"
)

// Every demo shop has a service quality: scored, ranked within its
// category (two shops per category but one), with the chats it was sent,
// and the summary prints it.
func TestDemoQuality(t *testing.T) {
	f := fill(t, Options{Seed: 5})
	if len(f.sum.Quality) != len(shopSpecs) {
		t.Fatalf("%d shops with quality, want %d", len(f.sum.Quality), len(shopSpecs))
	}
	perCat := map[string]int{}
	for _, s := range shopSpecs {
		perCat[s[2]]++
	}
	scores := map[int64]bool{}
	for _, q := range f.sum.Quality {
		if q.Score == nil || q.Rank < 1 || q.Of != perCat[q.Category] || q.Chats < 8 {
			t.Errorf("%s: score %v rank %d of %d (category %s has %d shops), %d chats", q.ID, q.Score, q.Rank, q.Of, q.Category, perCat[q.Category], q.Chats)
			continue
		}
		scores[*q.Score] = true
		// The summary is what the API says.
		v, err := f.svc.GetSellerQuality(context.Background(), service.Caller{Role: actor.Seller, PartyID: q.ID}, q.ID)
		if err != nil || *v.Score != *q.Score || v.Rank != q.Rank {
			t.Errorf("%s: API %v %+v, summary %+v", q.ID, err, v, q)
		}
		if cf := v.Factors[2]; cf.Denominator+cf.Excluded != int64(q.Chats) {
			t.Errorf("%s: chat factor %+v, %d chats sent", q.ID, cf, q.Chats)
		}
	}
	if len(scores) < 3 {
		t.Errorf("scores hardly differ: %v", scores)
	}
	var out bytes.Buffer
	f.sum.Print(&out)
	if !strings.Contains(out.String(), "服务质量 / service quality") || !strings.Contains(out.String(), "云裳女装旗舰店") {
		t.Errorf("summary without the quality:\n%s", out.String())
	}
}
