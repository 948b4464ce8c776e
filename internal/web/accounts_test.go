package web

import "testing"

func TestAccountNameAndRuleValue(t *testing.T) {
	buyer := Base{Lang: langZH, User: &userView{Role: "buyer", PartyID: "b1"}}
	seller := Base{Lang: langEN, User: &userView{Role: "seller", PartyID: "s1"}}
	agent := Base{Lang: langZH, User: &userView{Role: "agent"}}
	for _, c := range []struct {
		b          Base
		code, want string
	}{
		{buyer, "buyer_payout:b1", "退回您的支付账户"},
		{buyer, "buyer_payout:b2", "退回买家支付账户"},
		{buyer, "escrow:T1", "订单担保款（平台代管）"},
		{seller, "seller_available:s1", "your available balance"},
		{seller, "seller_available:s2", "the seller's available balance"},
		{seller, "guarantee_fund", "the platform's guarantee fund"},
		{buyer, "not an account", "平台账户"},
		{agent, "escrow:T1", "escrow:T1"}, // staff read the code
	} {
		if got := c.b.AccountName(c.code); got != c.want {
			t.Errorf("%s as %s: %q, want %q", c.code, c.b.User.Role, got, c.want)
		}
	}
	for v, want := range map[string]string{"50000fen": "¥500.00", "3wd": "3 个工作日", "48h": "48 小时", "10d": "10 天", "off": "关闭", "ours-x": "ours-x", "12": "12"} {
		if got := buyer.RuleValue(v); got != want {
			t.Errorf("RuleValue(%q) = %q, want %q", v, got, want)
		}
	}
	if got := seller.RuleValue("3wd"); got != "3 working days" {
		t.Errorf("en: %q", got)
	}
}
