package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/quality"
	"github.com/weiquan/weiquan/internal/store"
)

// AggServiceFact is the aggregate type of service facts in the event log.
const AggServiceFact = "service_fact"

// SellerQuality is a seller's service quality (SPEC §9) as of now.
type SellerQuality struct {
	// ID is the seller's ID; Status is "ranked" (a score within a
	// category) or "unranked" (no fact in the window to score).
	ID     string `json:"id"`
	Status string `json:"status"`
	quality.Report
	AsOf time.Time `json:"as_of"`
}

func sellerQuality(r quality.Report, now time.Time) SellerQuality {
	st := "unranked"
	if r.Rank > 0 {
		st = "ranked"
	}
	if r.Factors == nil {
		r.Factors = []quality.FactorResult{}
	}
	if r.RuleIDs == nil {
		r.RuleIDs = []string{}
	}
	return SellerQuality{ID: r.SellerID, Status: st, Report: r, AsOf: now}
}

// qualityReports evaluates every seller with facts in the window.
func (s *Service) qualityReports(ctx context.Context) ([]quality.Report, quality.Params, time.Time, error) {
	p, now := quality.ParamsFrom(s.Policy()), s.now(ctx)
	facts, err := s.st.QualityFacts(ctx, now.Add(-p.Window), now)
	if err != nil {
		return nil, p, now, err
	}
	return quality.Evaluate(facts, p, now), p, now, nil
}

func sellerNotFound(id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("卖家 %s 不存在 / seller %s not found", id, id)}
}

// GetSellerQuality returns a seller's service quality: the seller itself,
// the platform's staff and the integration may read it; anyone else learns
// nothing (NotFound). Errors: NotFound, Invalid (a malformed ID).
func (s *Service) GetSellerQuality(ctx context.Context, c Caller, sellerID string) (SellerQuality, error) {
	if (c.Role == actor.Buyer || c.Role == actor.Seller) && (c.Role != actor.Seller || c.PartyID != sellerID) {
		return SellerQuality{}, sellerNotFound(sellerID)
	}
	if !ValidID(sellerID) {
		return SellerQuality{}, fault.Field("id", "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
	}
	reports, p, now, err := s.qualityReports(ctx)
	if err != nil {
		return SellerQuality{}, err
	}
	for _, r := range reports {
		if r.SellerID == sellerID {
			return sellerQuality(r, now), nil
		}
	}
	known, err := s.st.SellerKnown(ctx, sellerID)
	if err != nil {
		return SellerQuality{}, err
	}
	if !known {
		return SellerQuality{}, sellerNotFound(sellerID)
	}
	return sellerQuality(quality.Empty(sellerID, p, now), now), nil
}

// QualityRankings lists the ranked sellers of a category ("" : of every
// category), best first, from offset. Staff and the integration only.
// Errors: Forbidden.
func (s *Service) QualityRankings(ctx context.Context, c Caller, category string, offset, limit int) ([]SellerQuality, error) {
	if c.Role == actor.Buyer || c.Role == actor.Seller {
		return nil, forbidden("只有平台工作人员可以查看类目排名 / only the platform's staff see category rankings")
	}
	reports, _, now, err := s.qualityReports(ctx)
	if err != nil {
		return nil, err
	}
	ranked := quality.Ranking(reports, category)
	out := []SellerQuality{}
	for i := offset; i < len(ranked) && len(out) < limit; i++ {
		out = append(out, sellerQuality(ranked[i], now))
	}
	return out, nil
}

// NewServiceFact is a fact about a seller's service that the integration
// pushes: a buyer's chat (AskedAt) and the seller's first answer
// (AnsweredAt, nil while unanswered), identified by the integration's Ref.
type NewServiceFact struct {
	Kind       string
	Ref        string
	OrderID    string
	BuyerID    string
	AskedAt    time.Time
	AnsweredAt *time.Time
}

// RecordServiceFact records a service fact of a seller (integration and
// admins only). Posting the same fact again changes nothing; an unanswered
// chat may be posted again with its answer (version 2); any other change to
// a recorded fact is refused. Errors: Forbidden, Invalid (naming the
// field), Conflict.
func (s *Service) RecordServiceFact(ctx context.Context, c Caller, sellerID string, in NewServiceFact) (store.ServiceFact, error) {
	if !canWriteOrders(c) {
		return store.ServiceFact{}, forbidden("只有平台集成方可以写入服务事实 / only the integration records service facts")
	}
	if !ValidID(sellerID) {
		return store.ServiceFact{}, fault.Field("id", "卖家ID须为1–64位字母、数字或 _.:- / the seller id must be 1–64 letters, digits or _.:-")
	}
	if in.Kind != store.FactChatResponse {
		return store.ServiceFact{}, fault.Field("kind", "未知的服务事实 %q（可选：%s） / unknown fact kind %q (one of %s)", in.Kind, store.FactChatResponse, in.Kind, store.FactChatResponse)
	}
	for _, p := range []struct{ field, v string }{{"ref", in.Ref}, {"order_id", in.OrderID}, {"buyer_id", in.BuyerID}} {
		if (p.field == "ref" || p.v != "") && !ValidID(p.v) {
			return store.ServiceFact{}, fault.Field(p.field, "%s须为1–64位字母、数字或 _.:- / %s must be 1–64 letters, digits or _.:-", p.field, p.field)
		}
	}
	if in.AskedAt.IsZero() {
		return store.ServiceFact{}, fault.Field("asked_at", "必须给出买家咨询时间 / asked_at is required")
	}
	asked := in.AskedAt.UTC().Truncate(time.Microsecond)
	var answered *time.Time
	if in.AnsweredAt != nil {
		a := in.AnsweredAt.UTC().Truncate(time.Microsecond)
		if a.Before(asked) {
			return store.ServiceFact{}, fault.Field("answered_at", "回复时间早于咨询时间 / answered_at is before asked_at")
		}
		answered = &a
	}
	var out store.ServiceFact
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		now := s.now(ctx)
		cur, exists, err := tx.GetServiceFactForUpdate(ctx, sellerID, in.Kind, in.Ref)
		if err != nil {
			return err
		}
		next := store.ServiceFact{ID: newID(), SellerID: sellerID, Kind: in.Kind, Ref: in.Ref, OrderID: in.OrderID, BuyerID: in.BuyerID,
			AskedAt: asked, AnsweredAt: answered, CreatedAt: now}
		evType := "recorded"
		if exists {
			same := cur.OrderID == in.OrderID && cur.BuyerID == in.BuyerID && cur.AskedAt.Equal(asked)
			switch {
			case same && sameTime(cur.AnsweredAt, answered):
				out = cur
				return s.respond(c, cm, out)
			case same && cur.AnsweredAt == nil && answered != nil:
				next = cur
				next.AnsweredAt, evType = answered, "answered"
			default:
				return &fault.Error{Code: fault.Conflict, Field: "ref",
					Message: fmt.Sprintf("服务事实 %s 已以不同内容记录，只能补充回复时间 / fact %s is recorded with other values: only a missing answer may be added", in.Ref, in.Ref)}
			}
		}
		next.Status = "unanswered"
		if next.AnsweredAt != nil {
			next.Status = "answered"
		}
		next.Version, next.UpdatedAt = cur.Version+1, now
		data, _ := json.Marshal(next)
		cm.Events = append(cm.Events, store.EventRecord{AggregateType: AggServiceFact, AggregateID: next.ID, Seq: next.Version, ID: newID(),
			Type: evType, Actor: c.actorJSON(), At: now, RuleIDs: []string{s.Policy().ID("quality.chat_response_target")},
			PolicyVersion: s.Policy().Version, Data: data})
		cm.ServiceFacts = append(cm.ServiceFacts, store.Row[store.ServiceFact]{Value: next, Prev: cur.Version})
		out = next
		return s.respond(c, cm, out)
	})
	if err == nil {
		s.obs.Transition(AggServiceFact, out.Status)
	}
	return out, err
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
