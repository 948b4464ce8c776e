package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weiquan/weiquan/internal/store"
)

// SiteStore stores site messages (implemented by *store.Store).
type SiteStore interface {
	InsertSiteMessages(ctx context.Context, msgs ...store.SiteMessage) error
}

// SiteChannel writes in-site messages (站内信) for the parties of a
// message. Site message ids derive from the outbox message id, so a
// repeated delivery writes nothing new.
type SiteChannel struct {
	Store SiteStore
	// Compose turns a message into site messages; default SiteMessages.
	Compose func(msg Message) []store.SiteMessage
}

// Deliver stores the message's site messages.
func (c *SiteChannel) Deliver(ctx context.Context, msg Message) error {
	compose := c.Compose
	if compose == nil {
		compose = SiteMessages
	}
	if err := c.Store.InsertSiteMessages(ctx, compose(msg)...); err != nil {
		return fmt.Errorf("notify: site messages for %s: %w", msg.ID, err)
	}
	return nil
}

// DeliverBatch stores the site messages of many notifications in one write.
func (c *SiteChannel) DeliverBatch(ctx context.Context, msgs []Message) error {
	compose := c.Compose
	if compose == nil {
		compose = SiteMessages
	}
	var all []store.SiteMessage
	for _, m := range msgs {
		all = append(all, compose(m)...)
	}
	if err := c.Store.InsertSiteMessages(ctx, all...); err != nil {
		return fmt.Errorf("notify: site messages for %d notifications: %w", len(msgs), err)
	}
	return nil
}

// siteTitles are the titles of the after-sales topics.
var siteTitles = map[string]string{
	"aftersale.requested":              "售后申请已提交 / After-sales request submitted",
	"aftersale.agreed":                 "卖家已同意 / The seller agreed",
	"aftersale.auto_agreed":            "卖家超时未处理，系统已同意 / Agreed automatically: the seller did not respond",
	"aftersale.refused":                "卖家已拒绝 / The seller refused",
	"aftersale.counter_offered":        "卖家提出部分退款 / The seller offered a partial refund",
	"aftersale.offer_accepted":         "买家已接受部分退款 / The buyer accepted the offer",
	"aftersale.modified":               "买家已修改申请 / The buyer modified the request",
	"aftersale.escalated":              "已申请平台介入 / Platform intervention requested",
	"aftersale.return_shipped":         "买家已退货 / The buyer shipped the return",
	"aftersale.cancelled":              "买家已撤销申请 / The buyer withdrew the request",
	"aftersale.return_confirmed":       "卖家已确认收货 / The seller confirmed the return",
	"aftersale.receipt_refused":        "卖家拒绝签收退货 / The seller refused the returned goods",
	"aftersale.auto_refunded":          "卖家超时未确认，系统已退款 / Refunded automatically: the seller did not confirm",
	"aftersale.closed":                 "售后申请已关闭 / After-sales request closed",
	"order.refunded":                   "退款已完成 / Refund completed",
	"dispute.opened":                   "平台已介入，请在举证期内提交证据 / The platform intervenes: submit your evidence in time",
	"dispute.moved_to_review":          "举证结束，客服审核中 / Evidence closed: under review",
	"dispute.judged":                   "平台已判定并执行 / The platform judged and executed the decision",
	"dispute.appealed":                 "已收到申诉，高级专员复核中 / Appeal received: the senior tier reviews it",
	"dispute.appeal_decided":           "申诉已处理，判定为终局 / Appeal decided: the decision is final",
	"dispute.final":                    "申诉期届满，判定生效 / The appeal window passed: the decision is final",
	"dispute.withdrawn":                "平台介入已撤销 / The intervention was withdrawn",
	"dispute.evidence_assessed":        "客服已对一项证据作出认定 / The agent assessed a piece of evidence",
	"dispute.advanced":                 "平台已先行垫付退款 / The platform advanced the refund",
	"dispute.advance_resolved":         "先行垫付已结清 / The advance was settled",
	"dispute.suspension_requested":     "一方申请中止介入以自行协商 / A party asked to suspend the case to negotiate",
	"dispute.suspended":                "介入已中止，请自行协商 / The case is suspended: negotiate between yourselves",
	"dispute.resumed":                  "介入已恢复处理 / The case resumed",
	"complaint.filed":                  "您收到一条投诉，请在期限内回应 / A complaint was filed: answer it in time",
	"complaint.responded":              "被投诉方已回应 / The respondent answered",
	"complaint.settlement_offered":     "对方提出和解 / The other side offered a settlement",
	"complaint.settled":                "投诉已和解撤销 / The complaint was settled and withdrawn",
	"complaint.withdrawn":              "投诉已撤销 / The complaint was withdrawn",
	"complaint.response_expired":       "回应期届满，投诉进入审核 / The response window passed: the complaint is under review",
	"complaint.decided":                "投诉已处理 / The complaint was decided",
	"complaint.second_complaint_filed": "已收到二次投诉，高级专员复核中 / Second complaint received: the senior tier reviews it",
	"complaint.final_decided":          "二次投诉已处理，结果为终局 / Second complaint decided: the decision is final",
	"complaint.evidence_added":         "投诉有新证据 / New evidence on the complaint",
	"complaint.review_hidden":          "评价已依投诉处理结果屏蔽 / The review was hidden by the complaint decision",
	"sanction.imposed":                 "违规处罚已生效 / A sanction is in force",
	"sanction.appealed":                "已收到处罚申诉 / Sanction appeal received",
	"sanction.appeal_rejected":         "处罚申诉未通过，处罚维持 / Appeal rejected: the sanction stands",
	"sanction.revoked":                 "处罚已撤销 / The sanction was revoked",
	"violation.recorded":               "平台记录了一项违规，可在申诉期内申诉 / The platform recorded a violation: you may appeal in time",
	"violation.appealed":               "已收到违规申诉 / Violation appeal received",
	"violation.appeal_rejected":        "违规申诉未通过 / Appeal rejected: the violation stands",
	"violation.revoked":                "违规记录已撤销 / The violation was revoked",
	"order.completed":                  "订单已自动确认收货 / Receipt confirmed automatically",
	"order.receipt_extended":           "买家已延长收货 / The buyer extended the receipt period",
	"order.receipt_paused":             "售后处理中，自动确认收货暂停 / Auto-confirmation paused during after-sales",
	"order.receipt_resumed":            "自动确认收货恢复计时 / Auto-confirmation resumed",
}

// externalChannels ends the messages of a final decision (SPEC §6): the
// platform's process is over, other channels remain.
var externalChannels = map[string]bool{"dispute.appeal_decided": true, "dispute.final": true, "complaint.final_decided": true}

const externalZH = "平台处理已终结；如仍有异议，可向消费者协会、市场监督管理部门（12315）投诉，或依法向人民法院起诉"
const externalEN = "the platform's decision is final; if you still disagree, turn to the consumer association (消费者协会), the market regulator (市场监督管理部门, 12315) or the courts"

// SiteMessages is the default composition: one message to each party the
// payload names (Parties), id = outbox message id + "." + role (sortable,
// since outbox ids are UUIDv7), titled by topic, ref = aggregate type + "/"
// + id, the body naming the aggregate, the order and the status when the
// payload carries them.
func SiteMessages(msg Message) []store.SiteMessage {
	title, ok := siteTitles[msg.Topic]
	if !ok {
		title = "通知 / Notification: " + msg.Topic
	}
	var p struct {
		OrderID string `json:"order_id"`
		Status  string `json:"status"`
		Amount  *int64 `json:"amount"`
	}
	_ = json.Unmarshal(msg.Payload, &p)
	var zh, en []string
	zh, en = append(zh, fmt.Sprintf("%s %s", aggName(msg.AggregateType, true), msg.AggregateID)), append(en, fmt.Sprintf("%s %s", aggName(msg.AggregateType, false), msg.AggregateID))
	if p.OrderID != "" && msg.AggregateType != "order" {
		zh, en = append(zh, "订单 "+p.OrderID), append(en, "order "+p.OrderID)
	}
	if p.Status != "" {
		zh, en = append(zh, "状态 "+p.Status), append(en, "status "+p.Status)
	}
	if p.Amount != nil {
		zh, en = append(zh, fmt.Sprintf("金额 %.2f 元", float64(*p.Amount)/100)), append(en, fmt.Sprintf("amount ¥%.2f", float64(*p.Amount)/100))
	}
	if externalChannels[msg.Topic] {
		zh, en = append(zh, externalZH), append(en, externalEN)
	}
	body := strings.Join(zh, "，") + " / " + strings.Join(en, ", ")
	var out []store.SiteMessage
	parties := Parties(msg)
	for _, role := range []string{"buyer", "seller"} {
		id, ok := parties[role]
		if !ok {
			continue
		}
		out = append(out, store.SiteMessage{ID: msg.ID + "." + role, RecipientRole: role, RecipientID: id, Title: title, Body: body,
			Ref: msg.AggregateType + "/" + msg.AggregateID, CreatedAt: msg.CreatedAt})
	}
	return out
}

func aggName(t string, zh bool) string {
	switch {
	case t == "aftersale" && zh:
		return "售后申请"
	case t == "aftersale":
		return "after-sales request"
	case t == "order" && zh:
		return "订单"
	case t == "dispute" && zh:
		return "介入案件"
	case t == "dispute":
		return "intervention case"
	case t == "violation" && zh:
		return "违规记录"
	}
	return t
}
