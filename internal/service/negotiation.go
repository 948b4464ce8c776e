package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// AggNegotiation is the event stream of a request's negotiation record
// (协商记录): aggregate id = the request's id, one message_posted event per
// message (see aftersale.DecideMessage).
const AggNegotiation = "negotiation"

// canSeeNegotiation: the request's own buyer and seller, and staff. The
// integration reads the thread only acting for a party (X-Act-As).
func canSeeNegotiation(c Caller, s aftersale.State) bool {
	switch c.Role {
	case actor.Buyer, actor.Seller:
		return CanSeeAftersale(c, s)
	}
	return isStaff(c)
}

// PostMessage adds a party's message to a request's negotiation record:
// the message is its event, written with its notification of the other
// party in one Commit. Attachments are evidence ids the author uploaded to
// the request (POST /v1/evidence with case_id the request). Errors:
// NotFound (a request the caller may not see), Forbidden (staff, the bare
// integration), Conflict (a closed request), Invalid naming text or
// attachments[i].
func (s *Service) PostMessage(ctx context.Context, c Caller, requestID, text string, attachments []string) (aftersale.Message, error) {
	return command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (aftersale.Message, error) {
		cur, err := tx.GetAftersale(ctx, requestID, store.ForUpdate)
		if fault.Is(err, fault.NotFound) || err == nil && !CanSeeAftersale(c, cur) {
			return aftersale.Message{}, notFoundAftersale(requestID)
		}
		if err != nil {
			return aftersale.Message{}, err
		}
		author, err := actorFor(c)
		if err != nil {
			return aftersale.Message{}, err
		}
		now := s.now(ctx)
		msg, err := aftersale.DecideMessage(cur, author, text, attachments, s.Policy(), now)
		if err != nil {
			return aftersale.Message{}, err
		}
		for i, id := range msg.Attachments {
			field := fmt.Sprintf("attachments[%d]", i)
			rec, err := tx.EvidenceByID(ctx, id)
			if fault.Is(err, fault.NotFound) {
				return aftersale.Message{}, fault.Field(field, "证据 %s 不存在：请先上传（POST /v1/evidence，case_id 为申请ID） / evidence %s does not exist: upload it first (POST /v1/evidence with case_id the request)", id, id)
			}
			if err != nil {
				return aftersale.Message{}, err
			}
			if rec.UploaderRole != string(author.Role) || rec.UploaderID != author.ID {
				return aftersale.Message{}, fault.Field(field, "证据 %s 不是您上传的 / evidence %s was not uploaded by you", id, id)
			}
			if rec.CaseID != cur.ID {
				return aftersale.Message{}, fault.Field(field, "证据 %s 属于其他案件 / evidence %s belongs to another case", id, id)
			}
		}
		last, err := tx.LastEventSeq(ctx, AggNegotiation, cur.ID)
		if err != nil {
			return aftersale.Message{}, err
		}
		msg.Seq = last + 1
		r := logFields(string(aftersale.EvMessagePosted), author, now, "协商消息 / negotiation message", msg.RuleIDs, s.Policy().Version,
			aftersale.MessageData{Text: msg.Text, Attachments: msg.Attachments})
		r.AggregateType, r.AggregateID, r.Seq, r.ID = AggNegotiation, cur.ID, msg.Seq, newID()
		cm.Events = append(cm.Events, r)
		// The other party is notified (Parties: the one named).
		p := map[string]any{"aftersale_id": cur.ID, "order_id": cur.OrderID, "status": cur.Status, "event": eventPayload(r)}
		if author.Role == actor.Buyer {
			p["seller_id"] = cur.SellerID
		} else {
			p["buyer_id"] = cur.BuyerID
		}
		body, _ := json.Marshal(p)
		cm.Outbox = append(cm.Outbox, store.OutboxMessage{Topic: AggNegotiation + "." + r.Type, AggregateType: AggNegotiation, AggregateID: cur.ID,
			AggregateSeq: r.Seq, CreatedAt: now, Payload: body})
		return msg, nil
	})
}

// Messages returns a request's negotiation record, oldest first. Errors:
// NotFound (a request the caller may not see), Forbidden (the bare
// integration).
func (s *Service) Messages(ctx context.Context, c Caller, requestID string) ([]aftersale.Message, error) {
	cur, err := s.st.GetAftersale(ctx, requestID)
	if err != nil || !CanSeeAftersale(c, cur) {
		return nil, notFoundAftersale(requestID)
	}
	if !canSeeNegotiation(c, cur) {
		return nil, forbidden("集成方须通过 X-Act-As 代表买家或卖家查看协商记录 / an integration key reads the negotiation record for a party (X-Act-As)")
	}
	return s.thread(ctx, requestID)
}

// CaseNegotiation is the negotiation record of a case's request, for staff
// (the agent sees the whole thread when the case opens); nil for others.
func (s *Service) CaseNegotiation(ctx context.Context, c Caller, requestID string) ([]aftersale.Message, error) {
	if !isStaff(c) || requestID == "" {
		return nil, nil
	}
	return s.thread(ctx, requestID)
}

func (s *Service) thread(ctx context.Context, requestID string) ([]aftersale.Message, error) {
	out := []aftersale.Message{}
	for after := int64(0); ; {
		recs, err := s.st.Events(ctx, AggNegotiation, requestID, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			m := aftersale.Message{RequestID: requestID, Seq: r.Seq, At: r.At, RuleIDs: r.RuleIDs}
			var d aftersale.MessageData
			if err := json.Unmarshal(r.Actor, &m.Author); err != nil {
				return nil, err
			}
			if err := json.Unmarshal(r.Data, &d); err != nil {
				return nil, err
			}
			m.Text, m.Attachments = d.Text, d.Attachments
			if m.Attachments == nil {
				m.Attachments = []string{}
			}
			out = append(out, m)
			after = r.Seq
		}
		if len(recs) < 1000 {
			return out, nil
		}
	}
}
