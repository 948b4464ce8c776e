// Package demo fills a database with a realistic demo marketplace: shops in
// several categories, buyers (a few premium members), about 200 orders in
// every order state and after-sales requests in every status, type and many
// reasons, with refusals, counter-offers, escalations and refused receipts.
// Everything goes through the service layer on a manual clock that is set
// back weeks and moved forward, so every object has its event history and
// every deadline its row: some deadlines fired during the fill (auto-agreed,
// auto-closed, auto-refunded requests), some are pending, and some came due
// before "now" without firing, so the deadline worker fires them as soon as
// the server starts. Listing titles come from the real Taobao titles in the
// data folder when present, otherwise from a small built-in set.
//
// The fill is deterministic for a seed (math/rand/v2 PCG), except the IDs the
// service generates.
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// DefaultDataDir is where the real public data sets live in a checkout.
const DefaultDataDir = "../shared/data"

// Options configure Fill.
type Options struct {
	DataDir string // folder of real data (titles); "" or missing: built-in titles
	Seed    int64
}

// Order states counted in the summary (finer than order.Status).
const (
	StateUnpaid       = "unpaid"        // 待付款 WAIT_BUYER_PAY
	StatePaid         = "paid"          // 待发货 WAIT_SELLER_SEND_GOODS
	StateShipped      = "shipped"       // 已发货 WAIT_BUYER_CONFIRM_GOODS, in transit
	StateDelivered    = "delivered"     // 已签收 WAIT_BUYER_CONFIRM_GOODS, delivered
	StateCompleted    = "completed"     // 交易成功 TRADE_FINISHED
	StateClosedRefund = "closed_refund" // 交易关闭（全额退款） TRADE_CLOSED
	StateCancelled    = "cancelled"     // 交易关闭（未付款取消） TRADE_CLOSED
)

// OrderStates lists the order states in lifecycle order.
var OrderStates = []string{StateUnpaid, StatePaid, StateShipped, StateDelivered, StateCompleted, StateClosedRefund, StateCancelled}

// OrderState classifies an order.
func OrderState(o order.Order) string {
	switch o.Status {
	case order.WaitBuyerPay:
		return StateUnpaid
	case order.WaitSellerSendGoods:
		return StatePaid
	case order.WaitBuyerConfirmGoods:
		if o.DeliveredAt != nil {
			return StateDelivered
		}
		return StateShipped
	case order.TradeFinished:
		return StateCompleted
	case order.TradeClosed:
		if o.PaidAt != nil && o.Refunded > 0 {
			return StateClosedRefund
		}
		return StateCancelled
	}
	return string(o.Status)
}

// Shop is a demo seller.
type Shop struct {
	ID       string
	Name     string
	Category string
	Orders   int
}

// Key is an API key created for the demo (the plain key is shown once).
type Key struct {
	Role  actor.Role
	Party string
	Name  string
	ID    string
	Plain string
}

// Summary says what Fill made.
type Summary struct {
	Addr     string // where the demo will be served (for the printed hints); default 127.0.0.1:8080
	Seed     int64
	Now      time.Time     // the clock at the end of the fill
	From     time.Time     // the earliest simulated moment
	Elapsed  time.Duration // wall time of the fill
	Shops    []Shop
	Buyers   int
	Premium  int // premium buyers (超级会员)
	Orders   int
	Presale  int            // pre-sale orders
	ByState  map[string]int // OrderStates
	ByStatus map[string]int // order.Status

	Requests         int
	RequestsByStatus map[string]int // aftersale.Status
	RequestsByType   map[string]int
	RequestsByReason map[string]int
	Intervention     int // open requests under platform intervention
	Events           int // after-sales events written

	PendingDeadlines int // pending deadline rows at Now
	ExpiredPending   int // of which already due at Now (fire when the server starts)
	FiredDuringFill  int // deadlines fired by the fill's own FireDue runs
	PlannedFires     int // deadlines the plan meant to fire during the fill

	RealTitles  bool
	TitleSource string // the titles file, or "" for the built-in titles
	TitlePool   int    // usable real titles

	Keys  []Key
	Users []User // web sign-ins (users.go)
	// Intervention cases by status, and how many were judged and appealed.
	CasesByStatus map[string]int
	Judged        int
	Appealed      int
	Skipped       []string      // planned steps the domain refused (expected empty with the default rule book)
	Recovery      *Recovery     // the guarantee fund's recovery in progress (recovery.go)
	Protection    *Protection   // the protection services: 假一赔十, 运费险, 保证金 (protection.go)
	Quality       []ShopQuality // each shop's service quality at Now (quality.go)
}

// Fill fills an already-migrated, empty database with the demo marketplace.
// The clock's time at the call is "now": the history is made in the past and
// the clock ends at now.
func Fill(ctx context.Context, svc *service.Service, st *store.Store, clk *clock.Manual, o Options) (Summary, error) {
	start := time.Now()
	if svc == nil || st == nil || clk == nil {
		return Summary{}, errors.New("demo: needs a service, its store and its manual clock")
	}
	titles, err := loadTitles(o.DataDir)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: titles: %w", err)
	}
	f := newFiller(ctx, svc, st, clk, o.Seed, titles)
	sum := Summary{Seed: o.Seed, Now: f.now, RealTitles: titles.real, TitleSource: titles.source, TitlePool: titles.total}

	// Keys first (at now), so the demo's actions name the integration key they came through.
	keySpecs := []struct {
		role        actor.Role
		party, name string
	}{
		{actor.Integration, "", "demo marketplace"},
		{actor.Agent, "", "demo agent 小二"},
		{actor.Senior, "", "demo senior agent 高级专员"},
		{actor.Admin, "", "demo admin"},
		{actor.Buyer, f.buyers[0].ID, "demo buyer " + f.buyers[0].ID},
		{actor.Seller, f.shops[0].ID, "demo seller " + f.shops[0].Name},
	}
	for _, k := range keySpecs {
		plain, id, err := svc.NewAPIKey(ctx, k.role, k.party, k.name)
		if err != nil {
			return sum, fmt.Errorf("demo: api key %s: %w", k.role, err)
		}
		sum.Keys = append(sum.Keys, Key{Role: k.role, Party: k.party, Name: k.name, ID: id, Plain: plain})
	}
	f.via = "integration:" + sum.Keys[0].ID
	if err := f.users(&sum); err != nil {
		return sum, err
	}

	f.plan()
	if len(f.steps) > 0 {
		sum.From = slices.MinFunc(f.steps, func(a, b step) int { return a.at.Compare(b.at) }).at
	}
	if err := f.run(); err != nil {
		clk.Set(f.now)
		return sum, err
	}
	sum.FiredDuringFill, sum.PlannedFires, sum.Skipped = f.fired, f.expected, f.skipped
	if err := f.cases(&sum, sum.Keys[1].ID, sum.Keys[2].ID); err != nil {
		return sum, err
	}
	if err := f.count(&sum); err != nil {
		return sum, err
	}
	if err := f.quality(&sum); err != nil {
		return sum, err
	}
	if err := recordFill(ctx, st, o.Seed, f); err != nil {
		return sum, fmt.Errorf("demo: record the fill: %w", err)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// eachPage calls fn on every row of a keyset-paginated store listing, read
// 500 rows at a time, each page after the id of the last row of the one before.
func eachPage[T any](ctx context.Context, list func(context.Context, store.ListFilter) ([]T, error), id func(T) string, fn func(T)) error {
	for after := ""; ; {
		page, err := list(ctx, store.ListFilter{After: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, x := range page {
			fn(x)
		}
		if len(page) < 500 {
			return nil
		}
		after = id(page[len(page)-1])
	}
}

// count reads the summary's figures back from the store.
func (f *filler) count(sum *Summary) error {
	st := f.st
	sum.Buyers = len(f.buyers)
	for _, b := range f.buyers {
		if b.Premium {
			sum.Premium++
		}
	}
	perShop := map[string]int{}
	sum.ByState, sum.ByStatus = map[string]int{}, map[string]int{}
	if err := eachPage(f.ctx, st.ListOrders, func(o order.Order) string { return o.ID }, func(o order.Order) {
		sum.Orders++
		sum.ByState[OrderState(o)]++
		sum.ByStatus[string(o.Status)]++
		perShop[o.SellerID]++
		if o.PresaleShipBy != nil {
			sum.Presale++
		}
	}); err != nil {
		return err
	}
	for _, s := range f.shops {
		sum.Shops = append(sum.Shops, Shop{ID: s.ID, Name: s.Name, Category: s.Category.Name, Orders: perShop[s.ID]})
	}
	sum.RequestsByStatus, sum.RequestsByType, sum.RequestsByReason = map[string]int{}, map[string]int{}, map[string]int{}
	if err := eachPage(f.ctx, st.ListAftersales, func(r aftersale.State) string { return r.ID }, func(r aftersale.State) {
		sum.Requests++
		sum.RequestsByStatus[string(r.Status)]++
		sum.RequestsByType[string(r.Type)]++
		sum.RequestsByReason[string(r.Reason)]++
		if r.Intervention != nil && r.Status.Open() {
			sum.Intervention++
		}
		sum.Events += int(r.Version)
	}); err != nil {
		return err
	}
	ds, err := st.DeadlineStatsOf(f.ctx, service.AggAftersale, f.now)
	if err != nil {
		return err
	}
	sum.PendingDeadlines, sum.ExpiredPending = int(ds.Pending), int(ds.Overdue)
	return nil
}

var (
	stateZH = map[string]string{StateUnpaid: "待付款", StatePaid: "待发货", StateShipped: "已发货", StateDelivered: "已签收待确认",
		StateCompleted: "交易成功", StateClosedRefund: "全额退款关闭", StateCancelled: "未付款关闭"}
	stateEN = map[string]string{StateUnpaid: "unpaid", StatePaid: "paid, not shipped", StateShipped: "shipped", StateDelivered: "delivered",
		StateCompleted: "completed", StateClosedRefund: "closed by full refund", StateCancelled: "cancelled unpaid"}
	statusZH = map[aftersale.Status]string{aftersale.WaitSellerAgree: "等待卖家同意", aftersale.SellerRefuseBuyer: "卖家拒绝",
		aftersale.WaitBuyerReturnGoods: "等待买家退货", aftersale.WaitSellerConfirmGoods: "等待卖家确认收货",
		aftersale.Success: "退款/换货成功", aftersale.Closed: "已关闭"}
	reasonZH = map[string]string{string(aftersale.NotReceived): "未收到货", string(aftersale.NotAsDescribed): "描述不符",
		string(aftersale.QualityProblem): "质量问题", string(aftersale.DamagedInTransit): "运输损坏", string(aftersale.Counterfeit): "假冒品牌",
		string(aftersale.MissingParts): "少件/漏发", string(aftersale.NoReason7Day): "七天无理由", string(aftersale.SellerAgreed): "协商一致",
		string(aftersale.OtherReason): "其他"}
	typeZH = map[string]string{string(aftersale.RefundOnly): "仅退款", string(aftersale.ReturnAndRefund): "退货退款", string(aftersale.Exchange): "换货"}
	roleZH = map[actor.Role]string{actor.Integration: "平台集成", actor.Agent: "客服小二", actor.Senior: "高级专员", actor.Admin: "管理员",
		actor.Buyer: "买家", actor.Seller: "卖家"}
)

// Print writes the summary, in Chinese first, then in English, then the keys.
func (s Summary) Print(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	addr := cmp.Or(s.Addr, "127.0.0.1:8080")
	list := func(keys []string, m map[string]int, name func(string) string, sep string) string {
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", name(k), m[k]))
		}
		return strings.Join(parts, sep)
	}
	statuses := make([]string, len(aftersale.Statuses))
	for i, st := range aftersale.Statuses {
		statuses[i] = string(st)
	}
	types := []string{string(aftersale.RefundOnly), string(aftersale.ReturnAndRefund), string(aftersale.Exchange)}
	reasons := slices.SortedFunc(maps.Keys(s.RequestsByReason), func(a, b string) int {
		return cmp.Or(cmp.Compare(s.RequestsByReason[b], s.RequestsByReason[a]), strings.Compare(a, b))
	})
	cats := map[string]bool{}
	var shopsZH, shopsEN []string
	for _, sh := range s.Shops {
		cats[sh.Category] = true
		shopsZH = append(shopsZH, fmt.Sprintf("%s（%s，%d单）", sh.Name, sh.Category, sh.Orders))
		shopsEN = append(shopsEN, fmt.Sprintf("%s (%d)", sh.ID, sh.Orders))
	}
	day := func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }
	// The same summary in each language: tr picks a line's Chinese or
	// English wording; only the Chinese one lists the cases by status.
	for _, zh := range []bool{true, false} {
		tr := func(zhText, en string) string {
			if zh {
				return zhText
			}
			return en
		}
		sep := tr(" · ", ", ")
		stateName := func(k string) string { return tr(stateZH[k], stateEN[k]) }
		statusName := func(k string) string { return tr(statusZH[aftersale.Status(k)], k) }
		typeName := func(k string) string { return tr(typeZH[k], k) }
		reasonName := func(k string) string { return tr(cmp.Or(reasonZH[k], k), k) }
		p(tr("== 演示数据已生成（种子 %d，用时 %s）==\n", "\n== Demo marketplace ready (seed %d, %s) ==\n"), s.Seed, s.Elapsed.Round(time.Millisecond))
		p(tr("  模拟时间：%s 至 %s\n", "  simulated time: %s to %s\n"), day(s.From), day(s.Now))
		p(tr("  店铺 %d 家，%d 个类目：%s\n", "  shops %d in %d categories: %s\n"), len(s.Shops), len(cats), tr(strings.Join(shopsZH, "、"), strings.Join(shopsEN, ", ")))
		p(tr("  买家 %d 名，其中超级会员 %d 名\n", "  buyers %d, of which premium members %d\n"), s.Buyers, s.Premium)
		p(tr("  订单 %d 笔（预售 %d 笔）：%s\n", "  orders %d (pre-sale %d): %s\n"), s.Orders, s.Presale, list(OrderStates, s.ByState, stateName, sep))
		p(tr("  售后 %d 笔（事件 %d 条）：%s\n", "  after-sales requests %d (events %d): %s\n"), s.Requests, s.Events, list(statuses, s.RequestsByStatus, statusName, sep))
		p(tr("    类型：%s\n", "    types: %s\n"), list(types, s.RequestsByType, typeName, sep))
		p(tr("    原因：%s\n", "    reasons: %s\n"), list(reasons, s.RequestsByReason, reasonName, sep))
		p(tr("    客服介入中 %d 笔\n", "    under platform intervention: %d\n"), s.Intervention)
		if zh {
			p("  介入案件：%s（判定 %d 件，申诉 %d 件）\n", caseList(s.CasesByStatus), s.Judged, s.Appealed)
		}
		if r := s.Recovery; r != nil {
			p(tr("  先行赔付基金追偿：%s 欠 %s（订单 %s），保证金充值已扣回 %s，尚欠 %s\n",
				"  guarantee-fund recovery: %s owed %s (order %s); its deposit top-up paid back %s, %s still owed\n"), r.Seller, r.Booked, r.Order, r.Recovered, r.Owed)
		}
		if x := s.Protection; x != nil {
			p(tr("  假一赔十：店铺 %s 售假判定（订单 %s），另赔 %s（保证金 %s，基金垫付 %s 并向卖家追偿）\n",
				"  counterfeit pledge: shop %s judged for a counterfeit (order %s), paid %s more (%s from its deposit, %s advanced by the fund and owed by the shop)\n"),
				x.PledgeShop, x.PledgeOrder, x.PledgePaid, x.PledgeDeposit, x.PledgeAdvanced)
			p(tr("  运费险：订单 %s 退货退款成功，保险方赔付退货运费 %s\n", "  return-shipping insurance: order %s refunded, the insurer paid %s of return postage\n"), x.InsuredOrder, x.InsurancePaid)
			p(tr("  保证金：店铺 %s 的介入案件（订单 %s）冻结保证金 %s（保证金低于要求，已在信用档案中标记）\n",
				"  deposit: shop %s, open case on order %s: %s frozen in its deposit (below the required deposit, flagged in its standing)\n"), x.FrozenShop, x.FrozenOrder, x.Frozen)
			p(tr("  协商记录：订单 %s 的申请在介入前有 %d 条双方协商消息\n", "  negotiation record: the request on order %s has %d messages between the parties before the intervention\n"), x.FrozenOrder, x.Negotiation)
			if x.InstantOpen {
				p(tr("  极速退款：订单 %s 买家寄回退货即由基金垫付退款 %s，待卖家确认收货后以冻结货款归还基金\n",
					"  instant refund: order %s refunded %s by the fund when the buyer shipped the return; the frozen escrow repays the fund when the seller confirms receipt\n"), x.InstantOrder, x.InstantPaid)
			}
		}
		p(tr("  期限：待执行 %d 个，其中已到期未执行 %d 个（服务启动后由期限任务立即执行）；填充过程中已自动执行 %d 个（自动同意/关闭/退款）\n",
			"  deadlines: %d pending, of which %d already due (the deadline worker fires them when the server starts); %d fired during the fill\n"),
			s.PendingDeadlines, s.ExpiredPending, s.FiredDuringFill)
		if s.RealTitles {
			p(tr("  商品标题：真实淘宝商品标题（%s，可用 %d 条）\n", "  listing titles: real Taobao titles (%s, %d usable)\n"), s.TitleSource, s.TitlePool)
		} else {
			p(tr("  商品标题：内置示例标题（未找到 %s）\n", "  listing titles: built-in examples (%s not found)\n"), TitlesFile)
		}
		if len(s.Skipped) > 0 {
			p(tr("  注意：%d 个计划步骤被规则拒绝而跳过（规则书与默认值不同？）\n", "  note: %d planned steps were refused by the rule book and skipped\n"), len(s.Skipped))
		}
	}
	s.printQuality(w)
	s.printUsers(w)
	if len(s.Keys) == 0 {
		return
	}
	p("\n== API 密钥 / API keys（只显示这一次 / shown only once）==\n")
	for _, k := range s.Keys {
		p("  %-12s %-14s %s  %s\n", k.Role, k.Party, k.Plain, roleZH[k.Role])
	}
	integ := s.Keys[0].Plain
	for _, k := range s.Keys {
		if k.Role == actor.Integration {
			integ = k.Plain
			break
		}
	}
	p("\n试一试 / try:\n")
	p("  curl -H \"Authorization: Bearer %s\" http://%s/v1/aftersales\n", integ, addr)
	p("  curl -H \"Authorization: Bearer %s\" \"http://%s/v1/aftersales?status=SELLER_REFUSE_BUYER\"\n", integ, addr)
}
