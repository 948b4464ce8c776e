package demo

import (
	"github.com/weiquan/weiquan/internal/actor"

	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// ShopQuality is a shop's service quality (SPEC §9) at the end of the fill.
type ShopQuality struct {
	ID         string
	Name       string
	Category   string
	Score      *int64 // basis points; nil: nothing to score in the window
	Rank       int    // in the category; 0: unranked
	Of         int    // ranked shops in the category
	Percentile *int64 // basis points
	Chats      int    // chats pushed for the shop
}

// quality pushes the buyers' chats of the last window as service facts
// (each shop answers at its own pace; some chats are never answered) and
// reads every shop's service quality back.
func (f *filler) quality(sum *Summary) error {
	integ := service.Caller{Role: actor.Integration, Via: f.via}
	staff := service.Caller{Role: actor.Admin, Via: "demo"}
	win, _ := f.svc.Policy().Duration("quality.window")
	chats := map[string]int{}
	for i, s := range f.shops {
		pace := time.Duration(20+40*(i%5)) * time.Second // the shop's typical first answer
		n := 8 + f.rng.IntN(12)
		for k := 0; k < n; k++ {
			asked := f.now.Add(-time.Hour - time.Duration(f.rng.Int64N(int64(win-2*time.Hour)))).Truncate(time.Second)
			var answered *time.Time
			if f.rng.IntN(10) > i%3 { // the slower shops leave more chats unanswered
				a := asked.Add(pace/2 + time.Duration(f.rng.Int64N(int64(pace)))).Truncate(time.Second)
				answered = &a
			}
			b := f.buyers[f.rng.IntN(len(f.buyers))]
			if _, err := f.svc.RecordServiceFact(f.ctx, integ, s.ID, service.NewServiceFact{Kind: store.FactChatResponse,
				Ref: fmt.Sprintf("demo-chat-%02d", k), BuyerID: b.ID, AskedAt: asked, AnsweredAt: answered}); err != nil {
				return fmt.Errorf("demo: chat of %s: %w", s.ID, err)
			}
			chats[s.ID]++
		}
	}
	for _, s := range f.shops {
		q, err := f.svc.GetSellerQuality(f.ctx, staff, s.ID)
		if err != nil {
			return fmt.Errorf("demo: quality of %s: %w", s.ID, err)
		}
		sum.Quality = append(sum.Quality, ShopQuality{ID: s.ID, Name: s.Name, Category: q.Category, Score: q.Score, Rank: q.Rank,
			Of: q.CategorySize, Percentile: q.Percentile, Chats: chats[s.ID]})
	}
	return nil
}

// printQuality writes the shops' service quality, Chinese first.
func (s Summary) printQuality(w io.Writer) {
	if len(s.Quality) == 0 {
		return
	}
	pct := func(p *int64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%d.%02d", *p/100, *p%100)
	}
	var zh, en []string
	for _, q := range s.Quality {
		zh = append(zh, fmt.Sprintf("%s %s分（%s第%d/%d）", q.Name, pct(q.Score), q.Category, q.Rank, q.Of))
		en = append(en, fmt.Sprintf("%s %s (%d/%d)", q.ID, pct(q.Score), q.Rank, q.Of))
	}
	fmt.Fprintf(w, "\n== 服务质量 / service quality（GET /v1/sellers/{id}/quality；满分100 / out of 100）==\n  %s\n  %s\n",
		strings.Join(zh, "、"), strings.Join(en, ", "))
}
