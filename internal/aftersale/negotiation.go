package aftersale

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// The negotiation record (协商记录, seed-negotiate-first): before asking the
// platform to intervene, buyer and seller negotiate on the request. Each
// message is a fact of its own (EvMessagePosted) in the request's thread,
// an event stream beside the request's (it does not move the request's
// version). Only the request's parties post; nobody posts on a closed
// request; attachments are evidence the author uploaded to the request's
// chain (checked by the service). The intervention agent reads the whole
// thread when the case opens.

// EvMessagePosted is a negotiation message.
const EvMessagePosted EventType = "message_posted"

// MaxMessageRunes bounds a negotiation message; MaxAttachments its attachments.
const (
	MaxMessageRunes = 1000
	MaxAttachments  = 9
)

// Message is one message of a request's negotiation thread.
type Message struct {
	RequestID   string    `json:"request_id"`
	Seq         int64     `json:"seq"`
	Author      Actor     `json:"author"`
	Text        string    `json:"text"`
	Attachments []string  `json:"attachments"`
	At          time.Time `json:"at"`
	RuleIDs     []string  `json:"rule_ids"`
}

// MessageData is the payload of EvMessagePosted.
type MessageData struct {
	Text        string   `json:"text"`
	Attachments []string `json:"attachments"`
}

// DecideMessage checks a party's message on the request and returns it
// (Seq is the store's to number). Errors: Forbidden (not the request's
// buyer or seller), Conflict (the request is closed), Invalid naming text
// or attachments[i].
func DecideMessage(s State, author Actor, text string, attachments []string, b *policy.Book, now time.Time) (Message, error) {
	if !(author.Role == Buyer && author.ID == s.BuyerID || author.Role == Seller && author.ID == s.SellerID) {
		return Message{}, fault.New(fault.Forbidden, "只有申请的买家和卖家可以发送协商消息 / only the request's buyer and seller post negotiation messages")
	}
	if !s.Status.Open() {
		return Message{}, &fault.Error{Code: fault.Conflict, Status: string(s.Status),
			Message: fmt.Sprintf("申请已结束（%s），不能再发送协商消息 / the request is over (%s): no more negotiation messages", s.Status, s.Status)}
	}
	text = strings.TrimSpace(text)
	if n := len([]rune(text)); n == 0 || n > MaxMessageRunes {
		return Message{}, fault.Field("text", "消息须为1–%d个字 / a message is 1–%d characters", MaxMessageRunes, MaxMessageRunes)
	}
	if len(attachments) > MaxAttachments {
		return Message{}, fault.Field("attachments", "附件最多%d个 / at most %d attachments", MaxAttachments, MaxAttachments)
	}
	for i, a := range attachments {
		if strings.TrimSpace(a) == "" || len(a) > 200 {
			return Message{}, fault.Field(fmt.Sprintf("attachments[%d]", i), "附件须为证据ID / an attachment is an evidence id")
		}
		if slices.Contains(attachments[:i], a) {
			return Message{}, fault.Field(fmt.Sprintf("attachments[%d]", i), "附件 %s 重复 / attachment %s is named twice", a, a)
		}
	}
	if attachments == nil {
		attachments = []string{}
	}
	return Message{RequestID: s.ID, Author: author, Text: text, Attachments: slices.Clone(attachments), At: now,
		RuleIDs: []string{b.ID("aftersale.negotiation")}}, nil
}

// checkReasonCode checks a seller's reason code against the rule book's
// list (key); required: a code must be given. It returns the list's rule ID.
func checkReasonCode(b *policy.Book, key, code string, required bool) (string, error) {
	codes, id := b.Codes(key)
	if code == "" && !required {
		return id, nil
	}
	var names []string
	for _, c := range codes {
		if c.Code == code {
			return id, nil
		}
		names = append(names, c.Code)
	}
	if code == "" {
		return id, &fault.Error{Code: fault.Invalid, Field: "reason_code", Rule: id,
			Message: fmt.Sprintf("须选择理由代码（%s） / a reason code is required (one of %s)", strings.Join(names, ", "), strings.Join(names, ", "))}
	}
	return id, &fault.Error{Code: fault.Invalid, Field: "reason_code", Rule: id,
		Message: fmt.Sprintf("未知的理由代码 %q（可选 %s） / unknown reason code %q (one of %s)", code, strings.Join(names, ", "), code, strings.Join(names, ", "))}
}

var (
	mobilePhone   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePhone = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$`)
)

// checkAgree checks a seller's agreement: an optional reason code from the
// rule book, and on a return (退货退款) the return address, required and
// validated (aftersale.return_address). It returns the rules applied and
// the cleaned address.
func checkAgree(s State, c Command, b *policy.Book) ([]string, *ReturnAddress, error) {
	var rules []string
	if c.ReasonCode != "" {
		id, err := checkReasonCode(b, "aftersale.agree_reason_codes", c.ReasonCode, false)
		if err != nil {
			return nil, nil, err
		}
		rules = append(rules, id)
	}
	on, rid := b.Switch("aftersale.return_address")
	if s.Type != ReturnAndRefund || !on {
		// Nothing comes back on a refund only; an exchange keeps what was given.
		if s.Type == RefundOnly {
			return rules, nil, nil
		}
		return rules, cleanAddress(c.ReturnAddress), nil
	}
	a := cleanAddress(c.ReturnAddress)
	if a == nil {
		return nil, nil, &fault.Error{Code: fault.Invalid, Field: "return_address", Rule: rid,
			Message: "同意退货退款须提供退货地址（收件人、电话、地址） / agreeing to a return needs the return address (name, phone, address)"}
	}
	if n := len([]rune(a.Name)); n == 0 || n > 50 {
		return nil, nil, &fault.Error{Code: fault.Invalid, Field: "return_address.name", Rule: rid, Message: "收件人须为1–50个字 / the recipient is 1–50 characters"}
	}
	if !mobilePhone.MatchString(a.Phone) && !landlinePhone.MatchString(a.Phone) {
		return nil, nil, &fault.Error{Code: fault.Invalid, Field: "return_address.phone", Rule: rid, Message: "电话须为11位手机号或带区号的固定电话 / the phone is an 11-digit mobile number or a landline with its area code"}
	}
	if n := len([]rune(a.Address)); n < 5 || n > 200 {
		return nil, nil, &fault.Error{Code: fault.Invalid, Field: "return_address.address", Rule: rid, Message: "地址须为5–200个字 / the address is 5–200 characters"}
	}
	return append(rules, rid), a, nil
}

func cleanAddress(a *ReturnAddress) *ReturnAddress {
	if a == nil {
		return nil
	}
	return &ReturnAddress{Name: strings.TrimSpace(a.Name), Phone: strings.TrimSpace(a.Phone), Address: strings.TrimSpace(a.Address)}
}
