package web

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// accountNames are the ledger's account kinds as a buyer or a seller reads
// them: never the account code (issue 15, "退回您的支付账户").
var accountNames = map[ledger.AccountKind]msg{
	ledger.KindEscrow:          {"订单担保款（平台代管）", "the order's escrow (held by the platform)"},
	ledger.KindFrozen:          {"冻结的订单担保款", "the order's frozen escrow"},
	ledger.KindSellerAvailable: {"卖家可用余额", "the seller's available balance"},
	ledger.KindSellerDeposit:   {"卖家保证金", "the seller's deposit"},
	ledger.KindBuyerPayout:     {"退回买家支付账户", "back to the buyer's payment account"},
	ledger.KindGuaranteeFund:   {"平台先行赔付基金", "the platform's guarantee fund"},
	ledger.KindFundReceivable:  {"卖家应归还基金的款项", "what the seller owes the guarantee fund"},
	ledger.KindExternal:        {"平台外（支付渠道）", "outside the platform (payment channel)"},
	ledger.KindDepositFrozen:   {"冻结的卖家保证金", "the seller's frozen deposit"},
	ledger.KindInsurer:         {"运费险保险方", "the return-shipping insurer"},
}

// AccountName is how the page names a ledger account: staff and the
// integration read its code, a party reads what it is ("退回您的支付账户"
// for the buyer's own payout, "您的可用余额" for the seller's own balance).
func (b Base) AccountName(code string) string {
	if b.User == nil || (b.User.Role != string(actor.Buyer) && b.User.Role != string(actor.Seller)) {
		return code
	}
	a, err := ledger.ParseAccount(code)
	if err != nil {
		return b.pick("平台账户", "a platform account")
	}
	own := a.Owner() != "" && a.Owner() == b.User.PartyID
	switch {
	case own && a.Kind() == ledger.KindBuyerPayout:
		return b.pick("退回您的支付账户", "back to your payment account")
	case own && a.Kind() == ledger.KindSellerAvailable:
		return b.pick("您的可用余额", "your available balance")
	case own && a.Kind() == ledger.KindSellerDeposit:
		return b.pick("您的保证金", "your deposit")
	}
	if m, ok := accountNames[a.Kind()]; ok {
		return b.pick(m.ZH, m.EN)
	}
	return b.pick("平台账户", "a platform account")
}

func (b Base) pick(zh, en string) string {
	if b.Lang == langEN {
		return en
	}
	return zh
}

var ruleValueRe = regexp.MustCompile(`^(\d+)(fen|wd|d|h|m)$`)

// RuleValue is a rule-book value as people read it: ¥ for fen, working
// days, days, hours and minutes in words, on/off as words; anything else
// as written.
func (b Base) RuleValue(v string) string {
	switch v {
	case "on", "true":
		return b.pick("开启", "on")
	case "off", "false":
		return b.pick("关闭", "off")
	}
	m := ruleValueRe.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return v
	}
	switch m[2] {
	case "fen":
		return yuan(money.Fen(n))
	case "wd":
		return b.pick(fmt.Sprintf("%d 个工作日", n), fmt.Sprintf("%d working days", n))
	case "d":
		return b.pick(fmt.Sprintf("%d 天", n), fmt.Sprintf("%d days", n))
	case "h":
		return b.pick(fmt.Sprintf("%d 小时", n), fmt.Sprintf("%d hours", n))
	default:
		return b.pick(fmt.Sprintf("%d 分钟", n), fmt.Sprintf("%d minutes", n))
	}
}
