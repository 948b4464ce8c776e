package simulate

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/policy"
)

// DefaultStart is when a simulation starts unless told otherwise: a fixed
// date, so that a seed gives the same month (working days included).
var DefaultStart = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// Options configure a run.
type Options struct {
	Days         int   // simulated days (default 30)
	Seed         int64 // the random seed: the same seed gives the same report
	Shops        int   // default 12
	Buyers       int   // default 60
	OrdersPerDay int   // default 40
	Start        time.Time
	// DataDir is the folder of real data whose listing titles are sampled
	// (demo.TitlesFile); built-in generic titles are used without it.
	DataDir string
	// DB keeps the simulated marketplace in this SQLite file (it must not
	// exist), e.g. for `weiquan policy replay`; "" uses a temporary file.
	DB string
	// Book is the rule book in force (default policy.Default()).
	Book *policy.Book
	// Progress is called after every simulated hour with the hours done
	// and the hours in all (a progress bar).
	Progress func(done, total int)
	// Messages receives notes for the operator (e.g. that built-in titles
	// are used); nil discards them.
	Messages io.Writer
}

func (o *Options) defaults() {
	if o.Days <= 0 {
		o.Days = 30
	}
	if o.Shops <= 0 {
		o.Shops = 12
	}
	if o.Buyers <= 0 {
		o.Buyers = 60
	}
	if o.OrdersPerDay <= 0 {
		o.OrdersPerDay = 40
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.Book == nil {
		o.Book = policy.Default()
	}
	if o.Messages == nil {
		o.Messages = io.Discard
	}
}

// task is one scheduled step of an actor.
type task struct {
	at   time.Time
	seq  int
	name string
	fn   func(ctx context.Context) error
}

type queue []*task

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*task)) }
func (q *queue) Pop() any {
	old := *q
	t := old[len(old)-1]
	*q = old[:len(old)-1]
	return t
}

// orderTruth is what really happened to an order (the simulator knows;
// the platform has to find out).
type orderTruth struct {
	id          string
	buyer       *Actor
	seller      *Actor
	amount      int64
	paidAt      time.Time
	late        bool // first carrier scan after the ship-by time
	fake        bool // shipped with a tracking number that never moves
	delivered   bool
	deliveredAt time.Time
	requestID   string
	genuine     bool // the buyer's claim is true
	extortion   bool // the claim is a threat of a bad review
}

// Sim is one simulated marketplace.
type Sim struct {
	o       Options
	r       *rand.Rand
	h       *harness
	q       queue
	seq     int
	end     time.Time
	cats    []demo.Category
	titles  string // source file, or "" for the built-in titles
	sellers []*Actor
	buyers  []*Actor
	orders  []*orderTruth
	byOrder map[string]*orderTruth
	byID    map[string]*Actor
	ctypes  map[string]client.ComplaintType
	tally   tally
	evidenc int
}

// tally is what the actors did, counted on their side.
type tally struct {
	ordersPut   int
	lateOrders  int
	fakeOrders  int
	requests    int
	complaints  int
	escalations int
	judged      int
	decided     int
	fired       int
	tooLate     int            // actions an actor meant to take after the state moved on
	refused     map[string]int // API refusals by status and code
}

// New opens the marketplace: the server on a fresh database, the shops
// with their deposits, the buyers and the first day's orders.
func New(ctx context.Context, o Options) (*Sim, error) {
	o.defaults()
	s := &Sim{o: o, r: rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed)), byOrder: map[string]*orderTruth{}, byID: map[string]*Actor{},
		tally: tally{refused: map[string]int{}}}
	s.end = o.Start.Add(time.Duration(o.Days) * 24 * time.Hour)
	cats, src, err := demo.Catalogue(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("simulate: titles: %w", err)
	}
	if len(cats) == 0 {
		cats = fallbackCatalogue
	}
	s.cats, s.titles = cats, src
	if src == "" {
		fmt.Fprintf(o.Messages, "simulate: %s not found in %q: using built-in generic titles / 未找到真实标题数据，使用内置通用标题\n", demo.TitlesFile, o.DataDir)
	}
	s.sellers, s.buyers = population(o.Shops, o.Buyers, len(cats), s.r)
	for _, a := range append(append([]*Actor{}, s.sellers...), s.buyers...) {
		s.byID[a.ID] = a
	}
	if s.h, err = openHarness(ctx, o.DB, o.Book, o.Start); err != nil {
		return nil, err
	}
	types, err := s.h.api.ComplaintTypes(ctx)
	if err != nil {
		s.h.Close()
		return nil, err
	}
	s.ctypes = map[string]client.ComplaintType{}
	for _, t := range types {
		s.ctypes[t.Key] = t
	}
	if _, err := s.h.api.TopUp(ctx, "guarantee_fund", 10_000_000, "simulate-capital"); err != nil {
		s.h.Close()
		return nil, err
	}
	for _, sh := range s.sellers {
		dep := int64(200_000 + s.r.IntN(8)*100_000) // ¥2,000 – ¥9,000
		if _, err := s.h.api.TopUp(ctx, "seller_deposit:"+sh.ID, dep, "simulate-deposit-"+sh.ID); err != nil {
			s.h.Close()
			return nil, err
		}
	}
	for d := 0; d < o.Days; d++ {
		day := o.Start.Add(time.Duration(d) * 24 * time.Hour)
		s.at(day, "day", func(ctx context.Context) error { s.newDay(day); return nil })
	}
	for t := o.Start.Add(3 * time.Hour); t.Before(s.end); t = t.Add(4 * time.Hour) {
		s.at(t, "agents", s.agents)
	}
	return s, nil
}

// Close closes the marketplace (the --db file stays).
func (s *Sim) Close() error { return s.h.Close() }

// Client is the integration's API client of the marketplace (for tests and
// callers that look at what the API says after a run).
func (s *Sim) Client() *client.Client { return s.h.api }

// Agent is an agent's API client.
func (s *Sim) Agent() *client.Client { return s.h.agent }

// End is when the simulated period ends.
func (s *Sim) End() time.Time { return s.end }

func (s *Sim) at(t time.Time, name string, fn func(ctx context.Context) error) {
	s.seq++
	heap.Push(&s.q, &task{at: t.UTC().Truncate(time.Second), seq: s.seq, name: name, fn: fn})
}

// Run plays the period: each step in time order, the deadlines that came
// due before it fired first; then the report.
func (s *Sim) Run(ctx context.Context) (Report, error) {
	total := s.o.Days * 24
	done := 0
	for s.q.Len() > 0 {
		t := heap.Pop(&s.q).(*task)
		if !t.at.Before(s.end) {
			continue
		}
		n, err := s.h.time.AdvanceTo(ctx, t.at)
		s.tally.fired += n
		if err != nil {
			return Report{}, fmt.Errorf("simulate: advance to %s: %w", t.at, err)
		}
		if h := int(t.at.Sub(s.o.Start) / time.Hour); h > done && s.o.Progress != nil {
			done = h
			s.o.Progress(done, total)
		}
		if err := t.fn(ctx); err != nil {
			return Report{}, fmt.Errorf("simulate: %s at %s: %w", t.name, t.at.Format(time.RFC3339), err)
		}
	}
	n, err := s.h.time.AdvanceTo(ctx, s.end)
	s.tally.fired += n
	if err != nil {
		return Report{}, err
	}
	if s.o.Progress != nil {
		s.o.Progress(total, total)
	}
	return s.report(ctx)
}

// soft turns an API refusal (4xx) into a count: actors act on what they
// saw, and the platform may have moved on. Anything else is an error.
func (s *Sim) soft(err error) error {
	var p *client.Problem
	if errors.As(err, &p) && p.Status >= 400 && p.Status < 500 {
		s.tally.refused[fmt.Sprintf("%d %s", p.Status, p.Code)]++
		return nil
	}
	return err
}

func as(a *Actor) client.Option { return client.ActAs(a.Role + ":" + a.ID) }

// ---- orders ----

func (s *Sim) newDay(day time.Time) {
	for i := 0; i < s.o.OrdersPerDay; i++ {
		at := day.Add(between(s.r, 8*time.Hour, 23*time.Hour))
		buyer := s.buyers[s.r.IntN(len(s.buyers))]
		seller := s.sellers[s.r.IntN(len(s.sellers))]
		o := &orderTruth{id: fmt.Sprintf("T%06d", len(s.orders)+1), buyer: buyer, seller: seller}
		s.orders = append(s.orders, o)
		s.byOrder[o.id] = o
		s.at(at, "order "+o.id, func(ctx context.Context) error { return s.placeOrder(ctx, o) })
	}
}

func (s *Sim) placeOrder(ctx context.Context, o *orderTruth) error {
	cat := s.cats[o.seller.Category%len(s.cats)]
	n := 1 + s.r.IntN(2)
	in := client.OrderInput{BuyerID: o.buyer.ID, SellerID: o.seller.ID, Category: cat.Name}
	for i := 0; i < n; i++ {
		price := int64(cat.MinYuan+s.r.IntN(max(cat.MaxYuan-cat.MinYuan, 1))) * 100
		title := cat.Titles[s.r.IntN(len(cat.Titles))]
		in.Items = append(in.Items, client.OrderItem{ID: fmt.Sprintf("%s-%d", o.id, i+1), Title: title, Quantity: 1, Price: price, Category: cat.Name})
		in.Amount += price
	}
	if s.r.IntN(3) == 0 {
		in.Postage = 800
		in.Amount += in.Postage
	}
	o.amount = in.Amount
	if _, err := s.h.api.PutOrder(ctx, o.id, in); err != nil {
		return err
	}
	s.tally.ordersPut++
	now := s.h.time.Now()
	o.paidAt = now.Add(between(s.r, time.Minute, 30*time.Minute))
	s.at(o.paidAt, "pay "+o.id, func(ctx context.Context) error {
		_, err := s.h.api.OrderEvent(ctx, o.id, client.OrderEvent{Type: "paid", At: s.h.time.Now()})
		return err
	})
	// Shipping depends on the shop.
	ship := between(s.r, 2*time.Hour, 20*time.Hour)
	switch k := o.seller.Kind; {
	case k == LateShipper && chance(s.r, 0.6), k != LateShipper && chance(s.r, 0.03):
		ship = between(s.r, 26*time.Hour, 60*time.Hour)
		o.late = true
		s.tally.lateOrders++
	case k == FakeShipper && chance(s.r, 0.45):
		o.fake = true
		s.tally.fakeOrders++
	}
	shippedAt := o.paidAt.Add(ship)
	track := fmt.Sprintf("SF%010d", s.r.Int64N(1e10))
	s.at(shippedAt, "ship "+o.id, func(ctx context.Context) error {
		_, err := s.h.api.OrderEvent(ctx, o.id, client.OrderEvent{Type: "shipped", At: s.h.time.Now(), Carrier: "顺丰", TrackingNo: track})
		return err
	})
	if o.fake {
		// No carrier ever scans it; the buyer waits, then complains and asks for the money back.
		s.at(shippedAt.Add(between(s.r, 80*time.Hour, 120*time.Hour)), "fake-shipment claim "+o.id, func(ctx context.Context) error { return s.fakeClaim(ctx, o) })
		return nil
	}
	scan := shippedAt.Add(between(s.r, 30*time.Minute, 3*time.Hour))
	if o.late {
		scan = shippedAt
	}
	s.at(scan, "scan "+o.id, func(ctx context.Context) error {
		_, err := s.h.api.OrderEvent(ctx, o.id, client.OrderEvent{Type: "first_scan", At: s.h.time.Now()})
		return err
	})
	o.deliveredAt = scan.Add(between(s.r, 20*time.Hour, 72*time.Hour))
	s.at(o.deliveredAt, "deliver "+o.id, func(ctx context.Context) error {
		_, err := s.h.api.OrderEvent(ctx, o.id, client.OrderEvent{Type: "delivered", At: s.h.time.Now(), SignedBy: "本人"})
		o.delivered = err == nil
		if err != nil {
			return s.soft(err)
		}
		s.afterDelivery(o)
		return nil
	})
	return nil
}

// afterDelivery is what the buyer does once the parcel is signed for.
func (s *Sim) afterDelivery(o *orderTruth) {
	d := o.deliveredAt
	switch o.buyer.Kind {
	case MaliciousRefunder:
		if chance(s.r, 0.5) {
			s.at(d.Add(between(s.r, 12*time.Hour, 72*time.Hour)), "malicious refund "+o.id, func(ctx context.Context) error {
				return s.openRequest(ctx, o, "refund_only", "not_received", o.amount, "一直没收到货，要求退款", false)
			})
			return
		}
	case Extortionist:
		if chance(s.r, 0.5) {
			o.extortion = true
			s.at(d.Add(between(s.r, 6*time.Hour, 48*time.Hour)), "extortion "+o.id, func(ctx context.Context) error {
				return s.openRequest(ctx, o, "refund_only", "not_as_described", o.amount/2, "不退一半货款就给差评", false)
			})
			return
		}
	}
	if o.late && chance(s.r, 0.5) {
		s.at(d.Add(between(s.r, 2*time.Hour, 24*time.Hour)), "late-shipment complaint "+o.id, func(ctx context.Context) error {
			return s.complain(ctx, o, o.buyer, "late_shipment", "付款后超过24小时才有揽收记录", 0)
		})
	}
	if chance(s.r, 0.07) {
		typ, amt := "return_and_refund", o.amount
		if chance(s.r, 0.4) {
			typ, amt = "refund_only", max(o.amount*int64(30+s.r.IntN(50))/100, 100)
		}
		s.at(d.Add(between(s.r, 6*time.Hour, 96*time.Hour)), "quality claim "+o.id, func(ctx context.Context) error {
			return s.openRequest(ctx, o, typ, "quality_problem", amt, "商品有质量问题（开线/破损），附照片", true)
		})
		return
	}
	if cat := s.cats[o.seller.Category%len(s.cats)]; !cat.NoReturn && chance(s.r, 0.03) {
		// 七天无理由退货 (cn-7day-return-10): changed its mind, within 7 days of receipt.
		s.at(d.Add(between(s.r, 12*time.Hour, 6*24*time.Hour)), "no-reason return "+o.id, func(ctx context.Context) error {
			return s.openRequest(ctx, o, "return_and_refund", "no_reason_7day", o.amount, "不喜欢，七天无理由退货", true)
		})
		return
	}
	if chance(s.r, 0.5) {
		s.at(d.Add(between(s.r, 24*time.Hour, 96*time.Hour)), "confirm "+o.id, func(ctx context.Context) error {
			if o.requestID != "" {
				return nil
			}
			_, err := s.h.api.OrderEvent(ctx, o.id, client.OrderEvent{Type: "completed", At: s.h.time.Now()})
			return s.soft(err)
		})
	}
}

// fakeClaim: the buyer of a parcel that never moved complains of fake
// shipment and asks for a refund of what it never received.
func (s *Sim) fakeClaim(ctx context.Context, o *orderTruth) error {
	if chance(s.r, 0.7) {
		if err := s.complain(ctx, o, o.buyer, "fake_shipment", "运单号一直没有物流信息", 0); err != nil {
			return err
		}
	}
	return s.openRequest(ctx, o, "refund_only", "not_received", o.amount, "显示已发货但物流一直没有更新，没有收到货", true)
}

// ---- after-sales requests ----

func (s *Sim) openRequest(ctx context.Context, o *orderTruth, typ, reason string, amount int64, desc string, genuine bool) error {
	if o.requestID != "" {
		return nil
	}
	a, err := s.h.api.CreateAftersale(ctx, client.CreateAftersale{OrderID: o.id, Type: typ, Reason: reason, Amount: amount, Description: desc}, as(o.buyer))
	if err != nil {
		return s.soft(err)
	}
	o.requestID, o.genuine = a.ID, genuine
	s.tally.requests++
	if o.extortion {
		// The threat, in the negotiation record the agents can read.
		if _, err := s.h.api.PostMessage(ctx, a.ID, "不退一半货款我就给差评，再发到各个群里 / refund half or I post a bad review everywhere", as(o.buyer)); err != nil {
			if err := s.soft(err); err != nil {
				return err
			}
		}
	}
	s.sellerAnswers(o, a)
	return nil
}

// sellerAnswers schedules the shop's answer to a request (a silent shop
// never answers: the seller_respond deadline agrees for it).
func (s *Sim) sellerAnswers(o *orderTruth, a *client.Aftersale) {
	var delay time.Duration
	switch o.seller.Kind {
	case SilentSeller:
		return
	case HonestSeller:
		delay = between(s.r, time.Hour, 20*time.Hour)
		if chance(s.r, 0.3) {
			delay = between(s.r, 20*time.Hour, 46*time.Hour)
		}
	default:
		delay = between(s.r, 2*time.Hour, 46*time.Hour)
	}
	if o.fake && chance(s.r, 0.5) {
		return // the fake shipper lets this one go
	}
	s.at(s.h.time.Now().Add(delay), "seller answers "+o.id, func(ctx context.Context) error { return s.sellerDecides(ctx, o) })
}

// requestIn reads the order's request when it is in status; a request that
// moved on is counted too late and comes back nil, with a nil error.
func (s *Sim) requestIn(ctx context.Context, o *orderTruth, status string) (*client.Aftersale, error) {
	a, err := s.h.api.GetAftersale(ctx, o.requestID)
	if err != nil {
		return nil, err
	}
	if a.Status != status {
		s.tally.tooLate++
		return nil, nil
	}
	return a, nil
}

func (s *Sim) sellerDecides(ctx context.Context, o *orderTruth) error {
	a, err := s.requestIn(ctx, o, "WAIT_SELLER_AGREE")
	if a == nil {
		return err
	}
	agree := o.genuine && !(o.seller.Kind == HonestSeller && chance(s.r, 0.1)) // a few honest shops dispute real claims too
	if o.fake {
		agree = false // "it was shipped"
	}
	if agree {
		body := client.Agreement{ReasonCode: "quality_confirmed"}
		if a.Reason == "no_reason_7day" {
			body.ReasonCode = "no_reason_return"
		}
		if a.Type == "return_and_refund" {
			body.ReturnAddress = &client.ReturnAddress{Name: "售后部 " + o.seller.ID, Phone: "13900000000", Address: "浙江省杭州市余杭区仓前街道1号"}
		}
		if _, err := s.h.api.Act(ctx, a.ID, "agree", body, as(o.seller), client.IfMatch(a.Version)); err != nil {
			return s.soft(err)
		}
		if a.Type == "return_and_refund" {
			s.at(s.h.time.Now().Add(between(s.r, 12*time.Hour, 72*time.Hour)), "ship return "+o.id, func(ctx context.Context) error { return s.shipReturn(ctx, o) })
		}
		return nil
	}
	code := "goods_intact"
	if a.Reason == "not_received" {
		code = "already_shipped"
	}
	if _, err := s.h.api.Act(ctx, a.ID, "refuse", client.Refusal{ReasonCode: code, Reason: "商品已签收且完好，买家所述不实", Evidence: []string{"签收记录", "发货前商品照片"}},
		as(o.seller), client.IfMatch(a.Version)); err != nil {
		return s.soft(err)
	}
	// The buyer answers the refusal.
	p := 0.8
	switch o.buyer.Kind {
	case MaliciousRefunder:
		p = 0.9
	case Extortionist:
		p = 0.3
	}
	if !o.genuine && o.buyer.Kind == HonestBuyer {
		p = 0
	}
	if o.extortion && o.seller.Kind != SilentSeller && chance(s.r, 0.8) {
		s.at(s.h.time.Now().Add(between(s.r, time.Hour, 24*time.Hour)), "extortion complaint "+o.id, func(ctx context.Context) error {
			return s.complain(ctx, o, o.seller, "review_extortion", "买家称不退一半货款就给差评，附聊天记录", 0)
		})
	}
	if chance(s.r, p) {
		s.at(s.h.time.Now().Add(between(s.r, 2*time.Hour, 72*time.Hour)), "escalate "+o.id, func(ctx context.Context) error { return s.escalate(ctx, o) })
	}
	return nil
}

func (s *Sim) shipReturn(ctx context.Context, o *orderTruth) error {
	a, err := s.requestIn(ctx, o, "WAIT_BUYER_RETURN_GOODS")
	if a == nil {
		return err
	}
	if _, err := s.h.api.Act(ctx, a.ID, "ship-return", map[string]string{"carrier": "中通", "tracking_no": fmt.Sprintf("ZT%09d", s.r.Int64N(1e9))}, as(o.buyer), client.IfMatch(a.Version)); err != nil {
		return s.soft(err)
	}
	if o.seller.Kind == SilentSeller {
		return nil // seller_confirm_return refunds by itself
	}
	s.at(s.h.time.Now().Add(between(s.r, 24*time.Hour, 120*time.Hour)), "confirm return "+o.id, func(ctx context.Context) error {
		a, err := s.requestIn(ctx, o, "WAIT_SELLER_CONFIRM_GOODS")
		if a == nil {
			return err
		}
		_, err = s.h.api.Act(ctx, a.ID, "confirm-return", nil, as(o.seller), client.IfMatch(a.Version))
		return s.soft(err)
	})
	return nil
}

// ---- interventions ----

func (s *Sim) escalate(ctx context.Context, o *orderTruth) error {
	a, err := s.requestIn(ctx, o, "SELLER_REFUSE_BUYER")
	if a == nil {
		return err
	}
	a, err = s.h.api.Act(ctx, a.ID, "escalate", map[string]string{"reason": "协商不成，申请平台介入"}, as(o.buyer), client.IfMatch(a.Version))
	if err != nil {
		return s.soft(err)
	}
	s.tally.escalations++
	if a.DisputeID == "" {
		return nil
	}
	id := a.DisputeID
	// Each side brings its evidence (or not) within its window.
	buyerHonest := o.genuine
	sellerHonest := !o.genuine && !o.fake
	if o.seller.Kind != SilentSeller {
		s.at(s.h.time.Now().Add(between(s.r, 2*time.Hour, 40*time.Hour)), "seller evidence "+o.id, func(ctx context.Context) error {
			return s.bringEvidence(ctx, id, o.seller, sellerHonest)
		})
	}
	s.at(s.h.time.Now().Add(between(s.r, time.Hour, 30*time.Hour)), "buyer evidence "+o.id, func(ctx context.Context) error {
		return s.bringEvidence(ctx, id, o.buyer, buyerHonest)
	})
	return nil
}

// bringEvidence: a party with the truth on its side uploads what its
// checklist asks for and says it is done; a party without it says it is
// done with nothing, or lets the window run out.
func (s *Sim) bringEvidence(ctx context.Context, id string, a *Actor, truthful bool) error {
	d, err := s.h.api.GetDispute(ctx, id, as(a))
	if err != nil {
		return s.soft(err)
	}
	if d.Status != "EVIDENCE" {
		s.tally.tooLate++
		return nil
	}
	if truthful {
		for _, it := range d.Checklist {
			if it.Party != a.Role || it.Satisfied {
				continue
			}
			if _, err := s.h.api.UploadEvidence(ctx, client.EvidenceUpload{CaseID: id, Caption: "证据 " + it.Key, Satisfies: it.Key, Name: it.Key + ".png", Data: s.png()}, as(a)); err != nil {
				if err := s.soft(err); err != nil {
					return err
				}
			}
		}
	} else if chance(s.r, 0.5) {
		return nil
	}
	_, err = s.h.api.ActDispute(ctx, id, "done-evidence", nil, as(a))
	return s.soft(err)
}

// ---- complaints ----

// complain files a complaint of typ by a party on an order, with the
// evidence its type asks for (uploaded as a draft first).
func (s *Sim) complain(ctx context.Context, o *orderTruth, by *Actor, typ, desc string, claim int64) error {
	ct, ok := s.ctypes[typ]
	if !ok {
		return fmt.Errorf("complaint type %s is not in the rule book", typ)
	}
	in := client.NewComplaint{Type: typ, OrderID: o.id, OccurredAt: s.h.time.Now().Add(-time.Hour), Description: desc,
		Claim: client.ComplaintClaim{Text: "要求平台处理 / please act", Amount: claim}, Loss: claim}
	if ct.RequireEvidence || typ == "review_extortion" {
		ev, err := s.h.api.UploadEvidence(ctx, client.EvidenceUpload{CaseID: "draft:" + o.id, Caption: "投诉证据", Name: "evidence.png", Data: s.png()}, as(by))
		if err != nil {
			return s.soft(err)
		}
		in.EvidenceIDs = []string{ev.ID}
	}
	if typ == "review_extortion" || typ == "malicious_review" {
		in.ReviewID = "RV-" + o.id
	}
	c, err := s.h.api.FileComplaint(ctx, in, as(by))
	if err != nil {
		return s.soft(err)
	}
	s.tally.complaints++
	// The respondent answers (or not).
	resp := s.byID[c.RespondentID]
	if resp == nil || resp.Kind == SilentSeller {
		return nil
	}
	truthful := false // does the respondent have evidence on its side?
	switch typ {
	case "malicious_refund":
		truthful = o.genuine
	case "review_extortion":
		truthful = !o.extortion
	case "late_shipment":
		truthful = !o.late
	case "fake_shipment":
		truthful = !o.fake
	}
	if !truthful && chance(s.r, 0.4) {
		return nil // lets the deadline pass
	}
	s.at(s.h.time.Now().Add(between(s.r, 2*time.Hour, 60*time.Hour)), "respond "+c.ID, func(ctx context.Context) error {
		cur, err := s.h.api.GetComplaint(ctx, c.ID, as(resp))
		if err != nil {
			return s.soft(err)
		}
		if cur.Status != "WAIT_RESPONSE" {
			s.tally.tooLate++
			return nil
		}
		body := map[string]any{"statement": "情况说明：并非如投诉所述"}
		if truthful {
			ev, err := s.h.api.UploadEvidence(ctx, client.EvidenceUpload{CaseID: c.ID, Caption: "反驳证据", Name: "rebuttal.png", Data: s.png()}, as(resp))
			if err != nil {
				return s.soft(err)
			}
			body["evidence_ids"] = []string{ev.ID}
		}
		_, err = s.h.api.ActComplaint(ctx, c.ID, "respond", body, as(resp))
		return s.soft(err)
	})
	return nil
}

// afterJudgment: a shop that won a case against a buyer complains of a
// malicious refund; a late shipper also complains, in bad faith, about
// buyers who won against it.
func (s *Sim) afterJudgment(o *orderTruth, forSeller bool) {
	switch {
	case o.seller.Kind == SilentSeller:
	case forSeller && o.buyer.Kind == MaliciousRefunder && chance(s.r, 0.8):
	case !forSeller && o.seller.Kind == LateShipper && chance(s.r, 0.5):
	default:
		return
	}
	s.at(s.h.time.Now().Add(between(s.r, 2*time.Hour, 48*time.Hour)), "malicious-refund complaint "+o.id, func(ctx context.Context) error {
		return s.complain(ctx, o, o.seller, "malicious_refund", "买家已签收仍以未收到货为由申请退款", 0)
	})
}

// ---- agents ----

// agents is the agents' round every four hours: claim and judge the cases
// in review by burden of proof, decide the complaints in review.
func (s *Sim) agents(ctx context.Context) error {
	var cases []client.Dispute
	for d, err := range client.List[client.Dispute](ctx, s.h.agent, "/v1/disputes?status=REVIEW") {
		if err != nil {
			return err
		}
		cases = append(cases, d)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].OrderID < cases[j].OrderID })
	for _, d := range cases {
		if err := s.judge(ctx, d); err != nil {
			return err
		}
	}
	var comps []client.Complaint
	for c, err := range client.List[client.Complaint](ctx, s.h.agent, "/v1/complaints?status=IN_REVIEW") {
		if err != nil {
			return err
		}
		comps = append(comps, c)
	}
	sort.Slice(comps, func(i, j int) bool {
		if comps[i].OrderID != comps[j].OrderID {
			return comps[i].OrderID < comps[j].OrderID
		}
		return comps[i].Type < comps[j].Type
	})
	for _, c := range comps {
		if err := s.decide(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// judge decides a case by burden of proof: the side that did not bring
// what its checklist asks for loses; when both or neither did, the
// claimant's burden decides (non-receipt: the seller must prove delivery,
// taobao-dispute-38; otherwise the buyer must prove the defect).
func (s *Sim) judge(ctx context.Context, d client.Dispute) error {
	who := s.h.agent
	if d.Senior {
		who = s.h.senior
	}
	if d.Assignee == "" {
		var err error
		if _, err = who.ActDispute(ctx, d.ID, "claim", nil); err != nil {
			return s.soft(err)
		}
	}
	missing := map[string][]client.DisputeItem{}
	for _, it := range d.Missing {
		missing[it.Party] = append(missing[it.Party], it)
	}
	var rules []string
	for _, it := range d.Checklist {
		rules = append(rules, it.RuleID)
	}
	forBuyer := false
	switch {
	case len(missing["seller"]) > 0 && len(missing["buyer"]) == 0:
		forBuyer = true
	case len(missing["buyer"]) > 0 && len(missing["seller"]) == 0:
		forBuyer = false
	default:
		forBuyer = d.Reason == "not_received" && len(missing["seller"]) > 0 || d.Reason != "not_received" && len(missing["buyer"]) == 0
	}
	j := client.Judge{Outcome: "release_to_seller", Fault: "buyer", Reason: "买家未完成举证，支持卖家 / the buyer did not prove its claim", RuleIDs: dedupe(rules), EvidenceIDs: d.EvidenceIDs}
	if forBuyer {
		j = client.Judge{Outcome: "refund_full", Fault: "seller", Reason: "卖家未完成举证，支持买家 / the seller did not prove its side", RuleIDs: dedupe(rules), EvidenceIDs: d.EvidenceIDs}
	}
	if len(j.RuleIDs) == 0 {
		j.RuleIDs = []string{"taobao-dispute-65"}
	}
	if _, err := who.ActDispute(ctx, d.ID, "judge", j); err != nil {
		return s.soft(err)
	}
	s.tally.judged++
	if o := s.byOrder[d.OrderID]; o != nil {
		s.afterJudgment(o, !forBuyer)
	}
	return nil
}

// decide decides a complaint: on the system's finding when there is one,
// else upheld when the complainant brought evidence and the respondent
// none.
func (s *Sim) decide(ctx context.Context, c client.Complaint) error {
	upheld := len(c.EvidenceIDs) > 0 && len(c.RespondentEvidenceIDs) == 0
	if len(c.Findings) > 0 {
		upheld = false
		for _, f := range c.Findings {
			upheld = upheld || f.Detected
		}
	}
	dec := client.ComplaintDecision{Verdict: "rejected", Reason: "证据不足，投诉不成立 / not proven", RuleIDs: []string{s.ctypes[c.Type].ID}}
	if upheld {
		dec = client.ComplaintDecision{Verdict: "upheld", Reason: "证据充分，投诉成立 / upheld on the evidence", RuleIDs: []string{s.ctypes[c.Type].ID}}
	}
	if _, err := s.h.agent.ActComplaint(ctx, c.ID, "decide", dec); err != nil {
		return s.soft(err)
	}
	s.tally.decided++
	return nil
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// png is a small distinct image (evidence is content-addressed).
func (s *Sim) png() []byte {
	s.evidenc++
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	n := s.evidenc
	for i := 0; i < 64; i++ {
		img.Set(i%8, i/8, color.RGBA{uint8(n), uint8(n >> 8), uint8(n>>16 ^ i), 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
