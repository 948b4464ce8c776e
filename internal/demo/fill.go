package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// The fill is a simulation: everything that happens to the demo marketplace
// is first planned as timed steps (order facts, buyers' and sellers'
// actions) over the past weeks, then the steps run in time order with the
// manual clock set to each step's time, so that every object gets its real
// event history and every deadline its real row. Until cutoff the deadline
// worker's job is done here too (FireDue every checkpointEvery), so some
// requests were auto-agreed, auto-closed or auto-refunded; after cutoff
// nothing fires, so the deadlines that came due between cutoff and now are
// left for the real worker when the server starts.

const (
	checkpointEvery = 6 * time.Hour
	expiredSpan     = 72 * time.Hour // cutoff = now - expiredSpan
	fireBatch       = 500
)

type buyer struct {
	ID      string
	Premium bool
}

type stage int

const (
	stPaid      stage = iota // paid, not shipped
	stShipped                // shipped, in transit
	stDelivered              // delivered, not completed
	stCompleted              // trade completed
)

type plannedOrder struct {
	id        string
	shop      *shop
	buyer     *buyer
	facts     order.Facts
	stage     stage
	delivered time.Time // zero: not delivered
}

type plannedReq struct {
	o      *plannedOrder
	id     string // set when created
	typ    aftersale.Type
	reason aftersale.Reason
	amount money.Fen
	dead   bool // a step was refused: skip the rest
}

type step struct {
	at   time.Time
	what string
	run  func() error
}

type durations struct {
	shipBy, sellerRespond, buyerAnswer, buyerShip, sellerConfirm, noReason, window, autoConfirm time.Duration
}

type filler struct {
	ctx    context.Context
	svc    *service.Service
	st     *store.Store // the harness reads and posts around the service
	clk    *clock.Manual
	rng    *rand.Rand
	now    time.Time // where the clock ends
	cutoff time.Time // the last FireDue of the fill
	d      durations
	titles titlePool
	shops  []*shop
	buyers []*buyer
	via    string // actors' Via: the integration key

	steps    []step
	orders   []*plannedOrder
	reqs     []*plannedReq
	nReq     int
	expected int // deadlines planned to fire during the fill
	fired    int
	skipped  []string
}

func newFiller(ctx context.Context, svc *service.Service, st *store.Store, clk *clock.Manual, seed int64, titles titlePool) *filler {
	b := svc.Policy()
	dur := func(k string) time.Duration { d, _ := b.Duration(k); return d }
	now := clk.Now()
	f := &filler{ctx: ctx, svc: svc, st: st, clk: clk, now: now, cutoff: now.Add(-expiredSpan), titles: titles,
		rng: rand.New(rand.NewPCG(uint64(seed), 0x77656971756e)), // "weiqun"
		d: durations{shipBy: dur("order.ship_by"), sellerRespond: dur("aftersale.seller_respond"), buyerAnswer: dur("aftersale.buyer_answer_refusal"),
			buyerShip: dur("aftersale.buyer_ship_return"), sellerConfirm: dur("aftersale.seller_confirm_return"),
			noReason: dur("aftersale.no_reason_return"), window: dur("aftersale.window_after_completion"), autoConfirm: dur("order.auto_confirm_receipt")}}
	for _, s := range shopSpecs {
		for _, c := range categories {
			if c.Name == s[2] {
				f.shops = append(f.shops, &shop{ID: s[0], Name: s[1], Category: c})
			}
		}
	}
	for i, id := range buyerIDs {
		f.buyers = append(f.buyers, &buyer{ID: id, Premium: i%premiumEvery == 0})
	}
	return f
}

// ---- random helpers ----

// between returns a random duration in [a, b), whole seconds; a when b <= a.
func (f *filler) between(a, b time.Duration) time.Duration {
	if b <= a {
		return a.Round(time.Second)
	}
	return (a + time.Duration(f.rng.Int64N(int64(b-a)))).Round(time.Second)
}

func (f *filler) chance(pct int) bool { return f.rng.IntN(100) < pct }

func pick[T any](f *filler, xs []T) T { return xs[f.rng.IntN(len(xs))] }

// pendingAt: a time such that a deadline of d started then is still pending
// at now (due at least 3 h after now).
func (f *filler) pendingAt(d time.Duration) time.Time {
	return f.now.Add(-f.between(20*time.Minute, d-3*time.Hour))
}

// expiredAt: a time such that a deadline of d started then came due after
// the cutoff and before now, so it fires when the server starts.
func (f *filler) expiredAt(d time.Duration) time.Time {
	return f.now.Add(-d - f.between(time.Hour, expiredSpan-12*time.Hour))
}

// firedAt: a time such that a deadline of d started then came due well
// before the cutoff, so it fires during the fill; spread over spread.
func (f *filler) firedAt(d, spread time.Duration) time.Time {
	return f.cutoff.Add(-12*time.Hour - d - f.between(0, spread))
}

// fireTime is when a deadline due at due fires during the fill (the next checkpoint).
func (f *filler) fireTime(due time.Time) time.Time {
	return due.Truncate(checkpointEvery).Add(checkpointEvery)
}

// ---- steps ----

func (f *filler) add(at time.Time, what string, run func() error) {
	f.steps = append(f.steps, step{at: at, what: what, run: run})
}

func (f *filler) integration() service.Caller {
	return service.Caller{Role: actor.Integration, Via: f.via}
}

// ---- orders ----

// newOrder plans an order put at created; presaleBy, when not zero, is its pre-sale ship-by date.
func (f *filler) newOrder(created time.Time, s *shop, b *buyer, presaleBy time.Time) *plannedOrder {
	o := &plannedOrder{id: fmt.Sprintf("TB%s%04d", created.Format("060102"), len(f.orders)+1), shop: s, buyer: b}
	c := s.Category
	var subtotal money.Fen
	n := 1
	if f.chance(22) {
		n = 2 + f.rng.IntN(2)
	}
	pool := f.titles.byCategory[c.Name]
	for i := 0; i < n; i++ {
		// Most listings are cheap: skew the price towards the bottom of the range.
		yuan := c.MinYuan + int(float64(c.MaxYuan-c.MinYuan)*math.Pow(f.rng.Float64(), 2.2))
		price := money.Fen(yuan*100 + pick(f, []int{0, 0, 90, 80, 50, -10}))
		if price < 100 {
			price = 990
		}
		q := 1
		if yuan < 150 && f.chance(20) {
			q = 2 + f.rng.IntN(2)
		}
		o.facts.Items = append(o.facts.Items, order.Item{SKU: fmt.Sprintf("%s-%05d", s.ID[5:], f.rng.IntN(100000)),
			Title: pick(f, pool), Quantity: q, Price: price})
		subtotal += price * money.Fen(q)
	}
	postage := money.Fen(pick(f, c.Postage))
	var coupon money.Fen
	if f.chance(30) {
		coupon = money.Fen(pick(f, []int{300, 500, 1000, 2000}))
		if subtotal < 4*coupon {
			coupon = 0
		}
	}
	services := []string{}
	if !c.NoReturn {
		services = append(services, svcNoReason)
	}
	if f.chance(60) {
		services = append(services, svcInsurance)
	}
	if f.chance(20) {
		services = append(services, svcFlash)
	}
	if (c.Name == "美妆" || c.Name == "数码") && f.chance(30) {
		services = append(services, svcGenuine)
	}
	o.facts = order.Facts{BuyerID: b.ID, SellerID: s.ID, SellerNick: s.Name, Category: c.Name, Items: o.facts.Items,
		Amount: subtotal + postage - coupon, Postage: postage, Services: services,
		PaymentMethod: pick(f, paymentMethods), BuyerPremium: b.Premium}
	if !presaleBy.IsZero() {
		by := presaleBy.Truncate(time.Hour)
		o.facts.PresaleShipBy = &by
	}
	f.orders = append(f.orders, o)
	facts := o.facts
	f.add(created, "put order "+o.id, func() error {
		_, err := f.svc.PutOrder(f.ctx, f.integration(), o.id, facts)
		return err
	})
	return o
}

func (f *filler) fact(o *plannedOrder, fc order.Fact) {
	f.add(fc.At, fc.Type+" "+o.id, func() error {
		_, err := f.svc.RecordOrderFact(f.ctx, f.integration(), o.id, fc)
		return err
	})
}

func (f *filler) tracking() (string, string) {
	c := pick(f, carriers)
	no := c.prefix
	for i := 0; i < c.digits; i++ {
		no += string(rune('0' + f.rng.IntN(10)))
	}
	return c.Name, no
}

// lifecycle records the facts of an order up to the given times (zero: not reached).
func (f *filler) lifecycle(o *plannedOrder, paid, shipped, delivered, completed time.Time, scan bool) {
	if paid.IsZero() {
		return
	}
	f.fact(o, order.Fact{Type: order.FactPaid, At: paid})
	o.stage = stPaid
	if shipped.IsZero() {
		return
	}
	carrier, no := f.tracking()
	f.fact(o, order.Fact{Type: order.FactShipped, At: shipped, Carrier: carrier, TrackingNo: no})
	o.stage = stShipped
	if scan {
		at := shipped.Add(f.between(30*time.Minute, 8*time.Hour))
		if (delivered.IsZero() || at.Before(delivered)) && at.Before(f.now) {
			f.fact(o, order.Fact{Type: order.FactFirstScan, At: at})
		}
	}
	if delivered.IsZero() {
		return
	}
	f.fact(o, order.Fact{Type: order.FactDelivered, At: delivered, SignedBy: pick(f, signedBy)})
	o.stage, o.delivered = stDelivered, delivered
	if completed.IsZero() {
		return
	}
	f.completeAt(o, completed)
}

func (f *filler) completeAt(o *plannedOrder, at time.Time) {
	f.fact(o, order.Fact{Type: order.FactCompleted, At: at})
	o.stage = stCompleted
}

func (f *filler) randomShop() *shop   { return pick(f, f.shops) }
func (f *filler) randomBuyer() *buyer { return pick(f, f.buyers) }

// ---- requests ----

type want int

const (
	wantAny        want = iota
	wantRefundOnly      // refund only, any stage
	wantNoExchange      // refund only or return, any stage
	wantReturn          // goods go back: return and refund, or exchange
	wantExchange
	wantRefundReceived // refund only after receipt
	wantReceived       // refund only or return, after receipt
)

// kind chooses a request's stage, type, reason and description, then builds
// an order that reached the stage before t0.
func (f *filler) orderForRequest(t0 time.Time, w want) (*plannedOrder, aftersale.Type, aftersale.Reason, string) {
	s, b := f.randomShop(), f.randomBuyer()
	if f.nReq%5 == 0 {
		s = f.shops[0]
	}
	if f.nReq%6 == 0 {
		b = f.buyers[0]
	}
	f.nReq++
	var st stage
	r := f.rng.IntN(100)
	switch w {
	case wantReturn, wantExchange, wantRefundReceived, wantReceived:
		st = stDelivered
		if r < 40 {
			st = stCompleted
		}
	default:
		switch {
		case r < 14:
			st = stPaid
		case r < 28:
			st = stShipped
		case r < 70:
			st = stDelivered
		default:
			st = stCompleted
		}
	}
	var typ aftersale.Type
	var reason aftersale.Reason
	var desc string
	switch st {
	case stPaid:
		typ, reason = aftersale.RefundOnly, aftersale.NotReceived
		desc = pick(f, unshippedDescriptions[:2])
		if f.chance(40) {
			reason, desc = aftersale.OtherReason, unshippedDescriptions[2]
		}
	case stShipped:
		typ, reason = aftersale.RefundOnly, aftersale.NotReceived
		desc = pick(f, []string{descriptions[aftersale.NotReceived][0], descriptions[aftersale.NotReceived][2]})
		if f.chance(20) {
			reason, desc = aftersale.OtherReason, "不想要了，已联系快递拒收，申请退款。"
		}
	default:
		p := f.rng.IntN(100)
		switch w {
		case wantRefundOnly, wantRefundReceived:
			typ = aftersale.RefundOnly
		case wantReturn:
			typ = aftersale.ReturnAndRefund
			if p < 25 {
				typ = aftersale.Exchange
			}
		case wantExchange:
			typ = aftersale.Exchange
		case wantNoExchange, wantReceived:
			typ = aftersale.ReturnAndRefund
			if p < 45 {
				typ = aftersale.RefundOnly
			}
		default:
			typ = aftersale.ReturnAndRefund
			if p < 35 {
				typ = aftersale.RefundOnly
			} else if p < 55 {
				typ = aftersale.Exchange
			}
		}
		switch typ {
		case aftersale.RefundOnly:
			reason = pick(f, []aftersale.Reason{aftersale.NotAsDescribed, aftersale.QualityProblem, aftersale.DamagedInTransit,
				aftersale.MissingParts, aftersale.MissingParts, aftersale.SellerAgreed, aftersale.Counterfeit, aftersale.NotReceived})
		case aftersale.ReturnAndRefund:
			reasons := []aftersale.Reason{aftersale.NotAsDescribed, aftersale.QualityProblem, aftersale.QualityProblem,
				aftersale.DamagedInTransit, aftersale.Counterfeit, aftersale.OtherReason}
			if !s.Category.NoReturn {
				reasons = append(reasons, aftersale.NoReason7Day, aftersale.NoReason7Day, aftersale.NoReason7Day)
			}
			reason = pick(f, reasons)
		default:
			reason = pick(f, []aftersale.Reason{aftersale.NotAsDescribed, aftersale.QualityProblem, aftersale.DamagedInTransit, aftersale.OtherReason})
		}
		switch {
		case reason == aftersale.NotReceived:
			desc = descriptions[aftersale.NotReceived][1] // delivered, but not to the buyer
		case typ == aftersale.Exchange && reason != aftersale.QualityProblem:
			desc = pick(f, exchangeDescriptions)
		default:
			desc = pick(f, descriptions[reason])
		}
	}
	o := f.orderReaching(st, t0, s, b, reason)
	return o, typ, reason, desc
}

// orderReaching builds an order that reached st shortly before t0.
func (f *filler) orderReaching(st stage, t0 time.Time, s *shop, b *buyer, reason aftersale.Reason) *plannedOrder {
	h, d := time.Hour, 24*time.Hour
	var paid, shipped, delivered, completed time.Time
	recent := reason == aftersale.NoReason7Day
	switch st {
	case stPaid:
		if reason == aftersale.NotReceived {
			paid = t0.Add(-f.d.shipBy - f.between(2*h, 3*d)) // waited past the ship-by time
		} else {
			paid = t0.Add(-f.between(20*time.Minute, f.d.shipBy-h))
		}
	case stShipped:
		shipped = t0.Add(-f.between(2*d, 5*d))
	case stDelivered:
		delivered = t0.Add(-f.between(3*h, 5*d))
	case stCompleted:
		if recent {
			completed = t0.Add(-f.between(2*h, 2*d))
			delivered = completed.Add(-f.between(h, 2*d))
		} else {
			completed = t0.Add(-f.between(2*h, min(10*d, f.d.window-d)))
			delivered = completed.Add(-f.between(h, 4*d))
		}
	}
	if !delivered.IsZero() {
		shipped = delivered.Add(-f.between(20*h, 3*d))
	}
	if !shipped.IsZero() {
		paid = shipped.Add(-f.between(2*h, 22*h))
	}
	o := f.newOrder(paid.Add(-f.between(time.Minute, 40*time.Minute)), s, b, time.Time{})
	f.lifecycle(o, paid, shipped, delivered, completed, true)
	return o
}

// amountFor is what the buyer asks for.
func (f *filler) amountFor(o *plannedOrder, typ aftersale.Type, reason aftersale.Reason) money.Fen {
	a := o.facts.Amount
	switch {
	case typ == aftersale.Exchange:
		return 0
	case o.stage <= stShipped || reason == aftersale.NotReceived || reason == aftersale.NoReason7Day:
		return a
	case typ == aftersale.ReturnAndRefund:
		if o.facts.Postage > 0 && f.chance(40) {
			return a - o.facts.Postage // the postage is not refunded
		}
		return a
	case reason == aftersale.SellerAgreed:
		return f.part(a, 10, 30)
	case f.chance(50):
		return a
	}
	return f.part(a, 20, 70)
}

// part returns lo–hi % of a, in whole yuan, at least ¥1 and below a.
func (f *filler) part(a money.Fen, lo, hi int) money.Fen {
	if a <= 200 {
		return a / 2
	}
	p := money.Fen(lo + f.rng.IntN(hi-lo+1))
	x := a * p / 100 / 100 * 100
	return min(max(x, 100), a-1)
}

func (f *filler) evidence(o *plannedOrder, files []string) []string {
	out := make([]string, len(files))
	for i, n := range files {
		out[i] = "oss://weiquan-demo/evidence/" + o.id + "/" + n
	}
	return out
}

// newRequest plans an order and the buyer's request on it at t0.
func (f *filler) newRequest(t0 time.Time, w want) *plannedReq {
	o, typ, reason, desc := f.orderForRequest(t0, w)
	return f.requestOn(o, t0, typ, reason, desc)
}

func (f *filler) requestOn(o *plannedOrder, t0 time.Time, typ aftersale.Type, reason aftersale.Reason, desc string) *plannedReq {
	r := &plannedReq{o: o, typ: typ, reason: reason, amount: f.amountFor(o, typ, reason)}
	f.reqs = append(f.reqs, r)
	cmd := aftersale.Command{Type: typ, Reason: reason, Description: desc, Amount: r.amount}
	f.add(t0, "create request on "+o.id, func() error {
		st, err := f.svc.CreateAftersale(f.ctx, f.party(actor.Buyer, o), o.id, cmd)
		if err != nil {
			return f.refused(r, "create", err)
		}
		r.id = st.ID
		return nil
	})
	return r
}

func (f *filler) party(role actor.Role, o *plannedOrder) service.Caller {
	id := o.buyer.ID
	if role == actor.Seller {
		id = o.shop.ID
	}
	return service.Caller{Role: role, PartyID: id, Via: f.via}
}

// refused handles a step the domain refused: the request's remaining steps
// are skipped and the fill goes on (a custom rule book can make a planned
// step impossible). Other errors stop the fill.
func (f *filler) refused(r *plannedReq, what string, err error) error {
	if _, ok := fault.As(err); !ok {
		return err
	}
	r.dead = true
	f.skipped = append(f.skipped, fmt.Sprintf("%s %s: %v", what, r.o.id, err))
	return nil
}

func (f *filler) act(r *plannedReq, at time.Time, cmd aftersale.Command) {
	role, _ := aftersale.ActorOf(cmd.Action)
	f.add(at, string(cmd.Action)+" on "+r.o.id, func() error {
		if r.dead || r.id == "" {
			f.skipped = append(f.skipped, fmt.Sprintf("%s %s: skipped after an earlier refusal", cmd.Action, r.o.id))
			return nil
		}
		if _, err := f.svc.Act(f.ctx, f.party(role, r.o), r.id, cmd); err != nil {
			return f.refused(r, string(cmd.Action), err)
		}
		return nil
	})
}

func (f *filler) agree(r *plannedReq, at time.Time) {
	f.act(r, at, aftersale.Command{Action: aftersale.Agree, Note: pick(f, agreeNotes), ReasonCode: "goodwill", ReturnAddress: demoReturnAddress})
}

// demoReturnAddress is the demo sellers' return address (given on agreeing
// to a return, ours-return-address).
var demoReturnAddress = &aftersale.ReturnAddress{Name: "售后部", Phone: "0571-88888888", Address: "浙江省杭州市余杭区仓前街道演示仓库1号"}

// refusalFor picks a refusal that fits the reason and how far the order got.
func (f *filler) refusalFor(r *plannedReq) refusal {
	switch {
	case r.o.stage == stPaid:
		return pick(f, refusalsUnshipped)
	case r.o.stage == stShipped:
		return pick(f, refusalsInTransit)
	}
	return pick(f, refusals[r.reason])
}

func (f *filler) refuse(r *plannedReq, at time.Time) {
	ref := f.refusalFor(r)
	code := "goods_intact"
	switch r.o.stage {
	case stPaid:
		code = "other"
	case stShipped:
		code = "already_shipped"
	}
	f.act(r, at, aftersale.Command{Action: aftersale.Refuse, Note: ref.Text, ReasonCode: code, Evidence: f.evidence(r.o, ref.Evidence)})
}

func (f *filler) counter(r *plannedReq, at time.Time) money.Fen {
	amt := f.part(r.amount, 20, 60)
	f.act(r, at, aftersale.Command{Action: aftersale.CounterOffer, Amount: amt, Note: pick(f, counterOfferNotes),
		Evidence: f.evidence(r.o, []string{"客服聊天记录.png"})})
	return amt
}

func (f *filler) modify(r *plannedReq, at time.Time) {
	cmd := aftersale.Command{Action: aftersale.Modify, Note: pick(f, modifyNotes), Description: modifyDescriptions[0]}
	switch {
	case r.reason == aftersale.NoReason7Day:
		// The no-reason window is checked again when the request is modified:
		// the buyer names a defect instead.
		cmd.Reason, cmd.Description = aftersale.QualityProblem, modifyDescriptions[2]
		r.reason = aftersale.QualityProblem
	case r.typ == aftersale.RefundOnly && r.amount > 1000 && r.reason != aftersale.NotReceived:
		cmd.Amount, cmd.Description = f.part(r.amount, 40, 80), modifyDescriptions[1]
	}
	f.act(r, at, cmd)
}

func (f *filler) escalate(r *plannedReq, at time.Time) {
	f.act(r, at, aftersale.Command{Action: aftersale.Escalate, Note: pick(f, escalateNotes)})
}

func (f *filler) shipReturn(r *plannedReq, at time.Time) {
	c, no := f.tracking()
	f.act(r, at, aftersale.Command{Action: aftersale.ShipReturn, Carrier: c, TrackingNo: no})
}

func (f *filler) confirm(r *plannedReq, at time.Time) {
	f.act(r, at, aftersale.Command{Action: aftersale.ConfirmReturn})
}

func (f *filler) refuseReceipt(r *plannedReq, at time.Time) {
	ref := pick(f, refuseReceiptNotes)
	f.act(r, at, aftersale.Command{Action: aftersale.RefuseReceipt, Note: ref.Text, Evidence: f.evidence(r.o, ref.Evidence)})
}

func (f *filler) cancel(r *plannedReq, at time.Time) {
	f.act(r, at, aftersale.Command{Action: aftersale.Cancel, Note: pick(f, cancelNotes)})
}

// maybeComplete completes a delivered order some time after its request ended.
func (f *filler) maybeComplete(r *plannedReq, end time.Time) {
	if r.o.stage != stDelivered || !f.chance(60) {
		return
	}
	at := end.Add(f.between(time.Hour, 2*24*time.Hour))
	if at.Before(f.now.Add(-30 * time.Minute)) {
		f.completeAt(r.o, at)
	}
}

// ---- the plan ----

func (f *filler) plan() {
	h, d := time.Hour, 24*time.Hour
	sr, bar, bsr, scr := f.d.sellerRespond, f.d.buyerAnswer, f.d.buyerShip, f.d.sellerConfirm
	// before returns a time a little before t, within at most span.
	before := func(t time.Time, lo, span time.Duration) time.Time { return t.Add(-f.between(lo, span)) }
	repeat := func(n int, fn func(i int)) {
		for i := 0; i < n; i++ {
			fn(i)
		}
	}
	// refusedAt plans a request that the seller refused at tr, made up to sr before.
	refusedAt := func(tr time.Time, w want) *plannedReq {
		r := f.newRequest(before(tr, h, sr-h), w)
		f.refuse(r, tr)
		return r
	}
	// agreedAt plans a request that the seller agreed to at ta, made up to sr before.
	agreedAt := func(ta time.Time, w want) *plannedReq {
		r := f.newRequest(before(ta, h, sr-h), w)
		f.agree(r, ta)
		return r
	}
	// escalatedBefore plans a request refused, then escalated by the buyer
	// (客服介入) up to 3 days before t.
	escalatedBefore := func(t time.Time, w want) *plannedReq {
		te := before(t, h, 3*d)
		r := refusedAt(before(te, h, min(3*d, bar-h)), w)
		f.escalate(r, te)
		return r
	}

	// WAIT_SELLER_AGREE, still pending.
	repeat(8, func(int) { f.newRequest(f.pendingAt(sr), wantAny) })
	// WAIT_SELLER_AGREE, the seller's deadline expired while "the server was down".
	repeat(4, func(int) { f.newRequest(f.expiredAt(sr), wantAny) })
	// WAIT_SELLER_AGREE again: refused, then the buyer modified the request.
	repeat(3, func(int) {
		tm := f.pendingAt(sr)
		f.modify(refusedAt(before(tm, 2*h, min(3*d, bar-h)), wantNoExchange), tm)
	})
	// SELLER_REFUSE_BUYER, buyer's answer pending.
	repeat(6, func(int) { refusedAt(f.pendingAt(bar), wantAny) })
	// SELLER_REFUSE_BUYER, buyer's answer expired.
	repeat(3, func(int) { refusedAt(f.expiredAt(bar), wantAny) })
	// SELLER_REFUSE_BUYER with a counter-offer.
	repeat(4, func(int) {
		tr := f.pendingAt(bar)
		f.counter(f.newRequest(before(tr, h, sr-h), wantReceived), tr)
	})
	// SELLER_REFUSE_BUYER, escalated to the platform (客服介入): no deadline.
	repeat(5, func(i int) {
		te := f.now.Add(-f.between(h, 10*d))
		tr := before(te, h, min(4*d, bar-h))
		r := f.newRequest(before(tr, h, sr-h), wantReceived)
		if i == 0 {
			f.counter(r, tr)
		} else {
			f.refuse(r, tr)
		}
		f.escalate(r, te)
	})
	// WAIT_BUYER_RETURN_GOODS, pending / expired.
	repeat(5, func(int) { agreedAt(f.pendingAt(bsr), wantReturn) })
	repeat(2, func(int) { agreedAt(f.expiredAt(bsr), wantReturn) })
	// WAIT_BUYER_RETURN_GOODS after the seller stayed silent: auto-agreed during the fill.
	if lo, hi := f.now.Add(3*h-bsr-sr), f.cutoff.Add(-12*h-sr); lo.Before(hi) {
		repeat(2, func(int) {
			f.newRequest(lo.Add(f.between(0, hi.Sub(lo))), wantReturn)
			f.expected++
		})
	}
	// WAIT_SELLER_CONFIRM_GOODS, pending / expired.
	returned := func(ts time.Time, w want) *plannedReq {
		r := agreedAt(before(ts, 3*h, min(3*d, bsr-h)), w)
		f.shipReturn(r, ts)
		return r
	}
	repeat(5, func(int) { returned(f.pendingAt(scr), wantReturn) })
	repeat(3, func(int) { returned(f.expiredAt(scr), wantReturn) })
	// WAIT_SELLER_CONFIRM_GOODS, the seller refused the returned goods: intervention.
	repeat(3, func(int) {
		trr := f.now.Add(-f.between(h, 8*d))
		r := returned(before(trr, d, min(5*d, scr-h)), wantReturn)
		f.refuseReceipt(r, trr)
	})
	// SUCCESS: refund-only agreed (the first ones in full, closing the trade).
	repeat(6, func(int) {
		ta := f.now.Add(-f.between(h, 30*d))
		f.agree(f.newRequest(before(ta, 10*time.Minute, sr-h), wantRefundOnly), ta)
	})
	// SUCCESS: returned goods confirmed.
	repeat(6, func(int) {
		tc := f.now.Add(-f.between(h, 25*d))
		f.confirm(returned(before(tc, d, min(5*d, scr-h)), wantReturn), tc)
	})
	// SUCCESS: exchanges done.
	repeat(2, func(int) {
		tc := f.now.Add(-f.between(h, 25*d))
		f.confirm(returned(before(tc, d, min(5*d, scr-h)), wantExchange), tc)
	})
	// SUCCESS: the buyer accepted a counter-offer.
	repeat(3, func(int) {
		tacc := f.now.Add(-f.between(h, 25*d))
		tco := before(tacc, h, min(2*d, bar-h))
		r := f.newRequest(before(tco, h, sr-h), wantRefundReceived)
		f.counter(r, tco)
		f.act(r, tacc, aftersale.Command{Action: aftersale.AcceptOffer})
		f.maybeComplete(r, tacc)
	})
	// SUCCESS: the seller agreed after the buyer escalated (intervention ends).
	tag := f.now.Add(-f.between(h, 10*d))
	f.agree(escalatedBefore(tag, wantRefundReceived), tag)
	// SUCCESS during the fill: refund-only auto-agreed; returned goods auto-refunded.
	repeat(3, func(int) {
		f.newRequest(f.firedAt(sr, 20*d), wantRefundOnly)
		f.expected++
	})
	repeat(2, func(int) {
		returned(f.firedAt(scr, 10*d), wantReturn)
		f.expected++
	})
	// CLOSED: cancelled by the buyer (one after agreement, before shipping the return).
	repeat(4, func(i int) {
		tc := f.now.Add(-f.between(h, 25*d))
		var r *plannedReq
		if i == 0 {
			r = agreedAt(before(tc, h, min(3*d, bsr-h)), wantReturn)
		} else {
			r = f.newRequest(before(tc, 10*time.Minute, sr-h), wantAny)
		}
		f.cancel(r, tc)
		f.maybeComplete(r, tc)
	})
	// CLOSED: cancelled by the buyer during the intervention (维权撤销).
	tc := f.now.Add(-f.between(h, 15*d))
	f.cancel(escalatedBefore(tc, wantReceived), tc)
	// CLOSED during the fill: buyer silent after a refusal; return never shipped.
	repeat(3, func(int) {
		tr := f.firedAt(bar, 15*d)
		r := refusedAt(tr, wantAny)
		f.expected++
		f.maybeComplete(r, f.fireTime(tr.Add(bar)))
	})
	repeat(2, func(int) {
		ta := f.firedAt(bsr, 15*d)
		r := agreedAt(ta, wantReturn)
		f.expected++
		f.maybeComplete(r, f.fireTime(ta.Add(bsr)))
	})
	// A second request on the same order: the first was cancelled, the new one waits.
	repeat(2, func(int) {
		t2 := f.pendingAt(sr)
		tc := before(t2, h, d)
		r := f.newRequest(before(tc, h, sr-h), wantNoExchange)
		f.cancel(r, tc)
		desc := "上次申请撤销后问题仍未解决，重新申请。"
		if r.typ == aftersale.Exchange {
			desc = exchangeDescriptions[0]
		}
		f.requestOn(r.o, t2, r.typ, r.reason, desc)
	})

	f.complaints()
	f.plainOrders(200 - len(f.orders))
}

// plainOrders plans n orders without after-sales requests, in every state.
func (f *filler) plainOrders(n int) {
	h, d := time.Hour, 24*time.Hour
	mk := func(created time.Time) *plannedOrder {
		return f.newOrder(created, f.randomShop(), f.randomBuyer(), time.Time{})
	}
	mkPresale := func(created, by time.Time) *plannedOrder {
		return f.newOrder(created, f.randomShop(), f.randomBuyer(), by)
	}
	counts := []struct {
		n  int
		fn func()
	}{
		{10, func() { mk(f.now.Add(-f.between(5*time.Minute, 20*h))) }}, // unpaid
		{10, func() { // closed unpaid (拍下未付款)
			created := f.now.Add(-f.between(d, 25*d))
			o := mk(created)
			f.fact(o, order.Fact{Type: order.FactCancelled, At: created.Add(f.between(15*time.Minute, min(72*h, f.now.Sub(created)-h)))})
		}},
		{10, func() { // paid, within the ship-by time
			paid := f.now.Add(-f.between(10*time.Minute, f.d.shipBy-h))
			f.lifecycle(mk(paid.Add(-f.between(time.Minute, 30*time.Minute))), paid, time.Time{}, time.Time{}, time.Time{}, false)
		}},
		{3, func() { // paid, past the ship-by time (late shipment)
			paid := f.now.Add(-f.d.shipBy - f.between(2*h, 2*d))
			f.lifecycle(mk(paid.Add(-f.between(time.Minute, 30*time.Minute))), paid, time.Time{}, time.Time{}, time.Time{}, false)
		}},
		{5, func() { // pre-sale, waiting for its date
			paid := f.now.Add(-f.between(d, 10*d))
			o := mkPresale(paid.Add(-f.between(time.Minute, 30*time.Minute)), f.now.Add(f.between(2*d, 12*d)))
			f.lifecycle(o, paid, time.Time{}, time.Time{}, time.Time{}, false)
		}},
		{18, func() { // shipped, in transit (a few without any carrier scan)
			shipped := f.now.Add(-f.between(3*h, 3*d))
			paid := shipped.Add(-f.between(h, 30*h))
			f.lifecycle(mk(paid.Add(-f.between(time.Minute, 30*time.Minute))), paid, shipped, time.Time{}, time.Time{}, f.chance(85))
		}},
		{3, func() { // pre-sale, shipped before its date
			shipped := f.now.Add(-f.between(3*h, 2*d))
			by := shipped.Add(f.between(2*h, 2*d))
			paid := by.Add(-f.between(10*d, 15*d))
			o := mkPresale(paid.Add(-f.between(time.Minute, 30*time.Minute)), by)
			f.lifecycle(o, paid, shipped, time.Time{}, time.Time{}, true)
		}},
		{20, func() { // delivered, not yet confirmed
			delivered := f.now.Add(-f.between(h, 6*d))
			shipped := delivered.Add(-f.between(20*h, 3*d))
			paid := shipped.Add(-f.between(h, 30*h))
			f.lifecycle(mk(paid.Add(-f.between(time.Minute, 30*time.Minute))), paid, shipped, delivered, time.Time{}, true)
		}},
	}
	done := 0
	for _, c := range counts {
		for i := 0; i < c.n && done < n-10; i++ {
			c.fn()
			done++
		}
	}
	for ; done < n; done++ { // completed (交易成功), some by auto-confirmation
		completed := f.now.Add(-f.between(h, 40*d))
		delivered := completed.Add(-f.between(h, 5*d))
		shipped := delivered.Add(-f.between(20*h, 3*d))
		if f.chance(30) {
			shipped = completed.Add(-f.d.autoConfirm)
			delivered = shipped.Add(f.between(20*h, 3*d))
		}
		paid := shipped.Add(-f.between(h, 30*h))
		f.lifecycle(mk(paid.Add(-f.between(time.Minute, 30*time.Minute))), paid, shipped, delivered, completed, true)
	}
}

// run executes the plan in time order, firing due deadlines at every
// checkpoint up to the cutoff, and leaves the clock at now.
func (f *filler) run() error {
	if len(f.steps) > 0 {
		first := slices.MinFunc(f.steps, func(a, b step) int { return a.at.Compare(b.at) }).at
		for k := first.Truncate(checkpointEvery).Add(checkpointEvery); !k.After(f.cutoff); k = k.Add(checkpointEvery) {
			f.add(k, "fire due deadlines", f.fireDue)
		}
	}
	slices.SortStableFunc(f.steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, s := range f.steps {
		if err := f.ctx.Err(); err != nil {
			return err
		}
		if s.at.After(f.now) {
			return fmt.Errorf("demo: step %q planned after now (%s)", s.what, s.at.Format(time.RFC3339))
		}
		f.clk.Set(s.at)
		if err := s.run(); err != nil {
			return fmt.Errorf("demo: %s at %s: %w", s.what, s.at.Format(time.RFC3339), err)
		}
	}
	f.clk.Set(f.now)
	return nil
}

func (f *filler) fireDue() error {
	for {
		st, err := f.svc.FireDue(f.ctx, fireBatch)
		if err != nil {
			return err
		}
		if st.Failed > 0 {
			return fmt.Errorf("%d deadlines failed", st.Failed)
		}
		f.fired += st.Fired - st.FiredCases - st.FiredOrders
		if st.Claimed < fireBatch {
			return nil
		}
	}
}
