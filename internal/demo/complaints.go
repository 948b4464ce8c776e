package demo

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// complaints plans complaints in both directions and in every status, the
// violations and sanctions their decisions record (a shop whose two fake
// shipments reach 12 points and appeals its public warning, a buyer
// restricted for extortion by review, a first minor offence warned), and
// a respondent's deadline that expires during the fill.
func (f *filler) complaints() {
	h, d := time.Hour, 24*time.Hour
	now := f.now
	agent := service.Caller{Role: actor.Agent, Via: "demo:小二"}
	senior := service.Caller{Role: actor.Senior, Via: "demo:高级专员"}
	buyerOf := func(o *plannedOrder) service.Caller {
		return service.Caller{Role: actor.Buyer, PartyID: o.buyer.ID, Via: f.via}
	}
	sellerOf := func(o *plannedOrder) service.Caller {
		return service.Caller{Role: actor.Seller, PartyID: o.shop.ID, Via: f.via}
	}
	n := 0
	// order plans an order of shop i and buyer j created at created, taken to a stage.
	order := func(created time.Time, i, j int, kind string) *plannedOrder {
		o := f.newOrder(created, f.shops[i%len(f.shops)], f.buyers[j%len(f.buyers)], time.Time{})
		paid := created.Add(10 * time.Minute)
		switch kind {
		case "unpaid":
		case "paid":
			f.lifecycle(o, paid, time.Time{}, time.Time{}, time.Time{}, false)
		case "late": // shipped and first scanned 30 h after payment, delivered
			f.lifecycle(o, paid, paid.Add(30*h), paid.Add(3*d), time.Time{}, true)
		case "fake": // a tracking number without any carrier movement
			f.lifecycle(o, paid, paid.Add(5*h), time.Time{}, time.Time{}, false)
		default: // delivered on time
			f.lifecycle(o, paid, paid.Add(5*h), paid.Add(2*d), time.Time{}, true)
		}
		return o
	}
	type planned struct{ id, order string }
	// evidence records a party's evidence in a chain (a draft before filing,
	// the complaint after): complaint evidence must exist and be the citing
	// party's. The bytes go to the blob store when there is one.
	addEvidence := func(at time.Time, chain string, by service.Caller, id string) error {
		data := demoPNG(id)
		sum := sha256.Sum256(data)
		rec := store.Evidence{ID: id, CaseID: chain, UploaderRole: string(by.Role), UploaderID: by.PartyID, Digest: hex.EncodeToString(sum[:]),
			Size: int64(len(data)), MediaType: "image/png", Kind: evidence.KindImage, Caption: "演示证据", DeclaredName: id + ".png", CreatedAt: at}
		if b := f.svc.Blobs(); b != nil {
			if _, err := b.Put(f.ctx, bytes.NewReader(data), id+".png"); err != nil {
				return err
			}
		}
		return f.st.InTx(f.ctx, func(tx *store.Tx) error { return tx.InsertEvidence(f.ctx, &rec) })
	}
	file := func(at time.Time, o *plannedOrder, typ string, by service.Caller, claim money.Fen, desc string) *planned {
		p := &planned{order: o.id}
		n++
		ev := []string{fmt.Sprintf("demo-ev-%02d", n)}
		review := ""
		if typ == "malicious_review" || typ == "review_extortion" {
			review = "RV-" + o.id
		}
		f.add(at, "file complaint "+typ+" on "+o.id, func() error {
			if err := addEvidence(at, service.DraftChain(o.id, by.Role, by.PartyID), by, ev[0]); err != nil {
				return err
			}
			v, err := f.svc.FileComplaint(f.ctx, by, service.NewComplaint{Type: typ, OrderID: o.id, OccurredAt: at.Add(-6 * h), Description: desc,
				Loss: claim, Claim: complaint.Claim{Text: "要求平台处理并赔偿", Amount: claim}, ReviewID: review, EvidenceIDs: ev})
			p.id = v.ID
			return err
		})
		return p
	}
	act := func(at time.Time, p *planned, by service.Caller, c complaint.Command) {
		f.add(at, "complaint "+string(c.Action), func() error {
			for _, id := range c.EvidenceIDs {
				if err := addEvidence(at, p.id, by, id); err != nil {
					return err
				}
			}
			_, err := f.svc.ActComplaint(f.ctx, by, p.id, service.ComplaintCommand{Command: c})
			return err
		})
	}
	respond := func(at time.Time, p *planned, by service.Caller, what string) {
		act(at, p, by, complaint.Command{Action: complaint.Respond, Statement: what, EvidenceIDs: []string{fmt.Sprintf("demo-answer-%02d", n)}})
	}
	decide := func(at time.Time, p *planned, by service.Caller, v complaint.Verdict, reason, rule string, comp money.Fen) {
		act(at, p, by, complaint.Command{Action: complaint.DecideIt, Verdict: v, Reason: reason, RuleIDs: []string{rule}, Compensation: comp})
	}
	// hearing is a complaint on a new order (shop and buyer by index, taken to
	// stage as order does) that the respondent answered and the agent decided;
	// days are how long before now the order was created, the complaint filed,
	// answered and decided. The buyer complains unless bySeller.
	type hearing struct {
		days         [4]int
		shop, buyer  int
		stage, typ   string
		bySeller     bool
		claim, comp  money.Fen
		desc, answer string
		verdict      complaint.Verdict
		reason, rule string
	}
	hear := func(c hearing) (*plannedOrder, *planned) {
		o := order(now.Add(time.Duration(-c.days[0])*d), c.shop, c.buyer, c.stage)
		from, to := buyerOf(o), sellerOf(o)
		if c.bySeller {
			from, to = to, from
		}
		p := file(now.Add(time.Duration(-c.days[1])*d), o, c.typ, from, c.claim, c.desc)
		respond(now.Add(time.Duration(-c.days[2])*d), p, to, c.answer)
		decide(now.Add(time.Duration(-c.days[3])*d), p, agent, c.verdict, c.reason, c.rule, c.comp)
		return o, p
	}
	deposit := func(at time.Time, i int, amt money.Fen) {
		s := f.shops[i%len(f.shops)]
		f.add(at, "deposit "+s.ID, func() error {
			lt, err := ledger.TopUpDeposit(ledger.Meta{ID: "demo-deposit:" + s.ID, At: at}, s.ID, amt)
			if err != nil {
				return err
			}
			return f.st.InTx(f.ctx, func(tx *store.Tx) error { return tx.PostTransaction(f.ctx, lt) })
		})
	}
	for i := 0; i < 4; i++ {
		deposit(now.Add(-40*d), i, 200000)
	}

	// WAIT_RESPONSE: the respondents' deadlines are still running.
	o := order(now.Add(-6*d), 0, 1, "late")
	file(now.Add(-20*h), o, "late_shipment", buyerOf(o), 0, "付款后第二天才有揽收记录，超过24小时发货时限。")
	o = order(now.Add(-7*d), 2, 3, "delivered")
	file(now.Add(-10*h), o, "seller_harassment", buyerOf(o), 0, "给了中评后卖家每天打三次电话要求改评价。")

	// IN_REVIEW: answered; and one whose respondent stayed silent until the deadline fired.
	o = order(now.Add(-9*d), 1, 4, "delivered")
	p := file(now.Add(-2*d), o, "malicious_review", sellerOf(o), 0, "买家差评称商品是假货，但商品有品牌授权与进货凭证。")
	respond(now.Add(-1*d), p, buyerOf(o), "商品与描述不符，差评属实。")
	o = order(f.cutoff.Add(-10*d), 3, 5, "paid")
	file(f.cutoff.Add(-6*d), o, "out_of_stock", buyerOf(o), 0, "卖家说没货了让我申请退款，但页面仍显示有库存。")
	f.expected++ // the seller's 3-day deadline fires during the fill

	// DECIDED: late shipment upheld, compensation paid from the deposit.
	hear(hearing{days: [4]int{20, 15, 14, 13}, shop: 0, buyer: 6, stage: "late", typ: "late_shipment",
		desc: "付款30小时后才揽收。", answer: "仓库爆单，已尽快发出。", verdict: complaint.Upheld,
		reason: "以第一条揽收记录为准，超过发货时限", rule: "seed-complaint-late-shipment"})

	// Two fake shipments of one shop reach 12 points: a public warning, which the shop appeals.
	hear(hearing{days: [4]int{16, 12, 11, 10}, shop: 1, buyer: 7, stage: "fake", typ: "fake_shipment",
		desc: "运单号一直没有物流信息。", answer: "快递公司漏扫。", verdict: complaint.Upheld,
		reason: "发货后多日无揽收记录，认定虚假发货", rule: "seed-complaint-fake-shipment"})
	hear(hearing{days: [4]int{9, 5, 4, 3}, shop: 1, buyer: 8, stage: "fake", typ: "fake_shipment",
		desc: "物流信息一直是“已发货”，没有揽收。", answer: "已联系快递补扫。", verdict: complaint.Upheld,
		reason: "再次虚假发货", rule: "seed-complaint-fake-shipment"})
	shop := f.shops[1]
	f.add(now.Add(-1*d), "appeal the sanction of "+shop.ID, func() error {
		sans, err := f.st.PartySanctions(f.ctx, "seller", shop.ID)
		if err != nil {
			return err
		}
		for _, s := range sans {
			if s.Source == penalty.SourcePoints && s.Status == penalty.Imposed {
				_, err := f.svc.ActSanction(f.ctx, service.Caller{Role: actor.Seller, PartyID: shop.ID, Via: f.via}, s.ID,
					service.SanctionCommand{Action: penalty.AppealIt, Reason: "第二单实为快递漏扫，附快递公司证明", EvidenceIDs: []string{"demo-carrier-letter"}})
				return err
			}
		}
		return fmt.Errorf("no sanction to appeal")
	})

	// Extortion by review upheld: the review is hidden, the buyer loses 6 points and may not buy for 30 days.
	hear(hearing{days: [4]int{15, 9, 8, 7}, shop: 2, buyer: 9, stage: "delivered", typ: "review_extortion", bySeller: true,
		desc: "买家称不退一半货款就给差评，附聊天记录。", answer: "只是表达不满。", verdict: complaint.Upheld,
		reason: "聊天记录显示以差评要挟", rule: "seed-complaint-review-extortion"})
	// A first minor offence is a warning (教育为主, 处罚为辅).
	hear(hearing{days: [4]int{6, 4, 3, 2}, shop: 3, buyer: 10, stage: "unpaid", typ: "unpaid_order", bySeller: true,
		desc: "买家拍下限量款后一直不付款。", answer: "忘记付款了。", verdict: complaint.Upheld,
		reason: "初次，警告教育", rule: "seed-complaint-unpaid-order"})
	// Rejected.
	hear(hearing{days: [4]int{14, 9, 8, 6}, shop: 0, buyer: 11, stage: "delivered", typ: "malicious_refund", bySeller: true,
		desc: "买家以质量问题退款，但商品完好。", answer: "收到时拉链已坏，有照片。", verdict: complaint.Rejected,
		reason: "买家照片显示拉链损坏，退款有理", rule: "seed-complaint-malicious-refund"})

	// SECOND_REVIEW: rejected first, the buyer brings new evidence to the senior tier.
	o, p = hear(hearing{days: [4]int{14, 10, 9, 7}, shop: 2, buyer: 12, stage: "delivered", typ: "service_not_delivered", claim: 3000,
		desc: "页面承诺假一赔十，鉴定为假却拒绝赔付。", answer: "商品为正品。", verdict: complaint.Rejected,
		reason: "鉴定报告不清晰", rule: "seed-complaint-service-not-delivered"})
	act(now.Add(-4*d), p, buyerOf(o), complaint.Command{Action: complaint.SecondComplaint, Reason: "补充正规机构鉴定报告", EvidenceIDs: []string{"demo-inspection-report"}})

	// FINAL: upheld with ¥10; the second complaint changed the claim to ¥25; the senior tier paid the difference.
	o, p = hear(hearing{days: [4]int{18, 14, 13, 12}, shop: 3, buyer: 13, stage: "delivered", typ: "service_not_delivered", claim: 1000,
		desc: "承诺的运费险未生效，退货运费自付。", answer: "系统原因。", verdict: complaint.Upheld,
		reason: "未履行承诺的运费险", rule: "seed-complaint-service-not-delivered", comp: 1000})
	act(now.Add(-10*d), p, buyerOf(o), complaint.Command{Action: complaint.SecondComplaint, Reason: "首次仅赔运费，现要求赔偿往返运费及误工",
		NewClaim: &complaint.Claim{Text: "赔偿往返运费 ¥25", Amount: 2500}})
	decide(now.Add(-8*d), p, senior, complaint.Upheld, "往返运费均应由卖家承担", "seed-complaint-service-not-delivered", 2500)

	// SETTLED before the decision, and WITHDRAWN.
	o = order(now.Add(-8*d), 0, 14, "delivered")
	p = file(now.Add(-4*d), o, "off_platform_payment", buyerOf(o), 0, "客服让我加微信转账可以便宜20元。")
	act(now.Add(-3*d), p, sellerOf(o), complaint.Command{Action: complaint.Settle, Terms: "道歉并处理该客服，赠送10元优惠券", Amount: 1000})
	act(now.Add(-2*d), p, buyerOf(o), complaint.Command{Action: complaint.AcceptSettlement})
	o = order(now.Add(-5*d), 1, 15, "paid")
	p = file(now.Add(-3*d), o, "price_raise", buyerOf(o), 0, "付款后卖家要求补差价才发货。")
	act(now.Add(-2*d), p, buyerOf(o), complaint.Command{Action: complaint.Withdraw, Reason: "卖家已按原价发货"})
}

// demoPNG is a small image, different per id, standing for a screenshot.
func demoPNG(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		img.Set(i%8, i/8, color.RGBA{sum[i%32], sum[(i+7)%32], sum[(i+13)%32], 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
