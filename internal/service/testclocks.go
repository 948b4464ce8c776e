package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// Sandbox test clocks (issue 17 item 3). The sandbox is a second store with
// its own Service (Options.Sandbox), reached with sandbox keys only. A test
// clock is frozen at a time; an order created on it (PUT /v1/orders/{id}
// with test_clock), and every request, case and complaint of that order,
// runs its commands at the clock's time: the API resolves the object's
// clock (ClockFor) and the command reads "now" from the context (s.now).
// The deadlines such commands set carry the clock: the deadline worker
// never fires them; AdvanceTestClock does, through the worker's own
// fireBatch, in due order, each at its due time.

// SandboxKeyPrefix begins every sandbox API key: the HTTP layer sends a
// request with such a key to the sandbox, never to production.
const SandboxKeyPrefix = "wq_test_"

// onClock is the test clock a command runs on, in its context.
type onClock struct {
	id  string
	now time.Time
}

type clockKey struct{}

// onTestClock returns ctx carrying clock id at time now.
func onTestClock(ctx context.Context, id string, now time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, onClock{id: id, now: now})
}

// now is the time of a command: its test clock's when it runs on one, else
// the service clock's.
func (s *Service) now(ctx context.Context) time.Time {
	if c, ok := ctx.Value(clockKey{}).(onClock); ok {
		return c.now
	}
	return s.clock.Now()
}

// NowAt is the time of a request's context: its test clock's when the API
// put it on one (ClockFor), else the service clock's (views computed "now").
func (s *Service) NowAt(ctx context.Context) time.Time { return s.now(ctx) }

// clockOf is the id of the test clock ctx runs on ("" wall time).
func clockOf(ctx context.Context) string {
	c, _ := ctx.Value(clockKey{}).(onClock)
	return c.id
}

// Sandbox reports whether this service is the sandbox's.
func (s *Service) Sandbox() bool { return s.sandbox }

// TestClock is a test clock as the API shows it.
type TestClock struct {
	ID         string    `json:"id"`
	Object     string    `json:"object"`
	Name       string    `json:"name"`
	FrozenTime time.Time `json:"frozen_time"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func testClockView(c store.TestClock) TestClock {
	return TestClock{ID: c.ID, Object: "test_clock", Name: c.Name, FrozenTime: c.FrozenTime, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Fired is one deadline an advance fired.
type Fired struct {
	Kind          string    `json:"kind"`
	AggregateType string    `json:"object_type"`
	AggregateID   string    `json:"object_id"`
	RuleID        string    `json:"rule_id"`
	DueAt         time.Time `json:"due_at"`
}

// Advance is what POST /v1/test-clocks/{id}/advance answers.
type Advance struct {
	Clock TestClock `json:"test_clock"`
	Fired []Fired   `json:"fired"`
}

func (s *Service) sandboxOnly() error {
	if !s.sandbox {
		return fault.New(fault.NotFound, "测试时钟只存在于沙箱中 / test clocks exist only in the sandbox")
	}
	return nil
}

func canUseClocks(c Caller) error {
	if c.Role != actor.Integration || c.Via == "" || strings.HasPrefix(c.Via, "integration:") {
		return forbidden("只有平台集成方密钥可以管理测试时钟 / only integration keys manage test clocks")
	}
	return nil
}

// CreateTestClock creates a clock frozen at frozen (sandbox only; an
// integration key). Errors: NotFound (production), Forbidden, Invalid
// (name, frozen_time).
func (s *Service) CreateTestClock(ctx context.Context, c Caller, name string, frozen time.Time) (TestClock, error) {
	if err := s.sandboxOnly(); err != nil {
		return TestClock{}, err
	}
	if err := canUseClocks(c); err != nil {
		return TestClock{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return TestClock{}, fault.Field("name", "名称须为1–100个字符 / the name must be 1–100 characters")
	}
	if frozen.IsZero() {
		return TestClock{}, fault.Field("frozen_time", "须为 RFC 3339 时间 / an RFC 3339 time is required")
	}
	now := s.clock.Now()
	tc := store.TestClock{ID: "clock_" + newID(), Name: name, FrozenTime: frozen.UTC().Truncate(time.Microsecond), CreatedAt: now, UpdatedAt: now}
	if err := s.st.CreateTestClock(ctx, tc); err != nil {
		return TestClock{}, err
	}
	return testClockView(tc), nil
}

// GetTestClock reads a clock. Errors: NotFound (also in production).
func (s *Service) GetTestClock(ctx context.Context, c Caller, id string) (TestClock, error) {
	if err := s.sandboxOnly(); err != nil {
		return TestClock{}, err
	}
	if err := canUseClocks(c); err != nil {
		return TestClock{}, err
	}
	tc, err := s.st.GetTestClock(ctx, id)
	if err != nil {
		return TestClock{}, err
	}
	return testClockView(tc), nil
}

// maxAdvanceFirings bounds one advance (a deadline that keeps failing
// would otherwise loop).
const maxAdvanceFirings = 100000

// AdvanceTestClock moves a clock forward to to and fires, synchronously and
// in due order, every deadline of its objects that came due: each one in
// its own batch at its due time, through fireBatch (the deadline worker's
// path: same decisions, events and ledger postings). Errors: NotFound,
// Forbidden, Invalid (frozen_time before the clock's time), Conflict (a
// deadline that would not fire).
func (s *Service) AdvanceTestClock(ctx context.Context, c Caller, id string, to time.Time) (Advance, error) {
	cur, err := s.GetTestClock(ctx, c, id)
	if err != nil {
		return Advance{}, err
	}
	to = to.UTC().Truncate(time.Microsecond)
	if to.IsZero() || to.Before(cur.FrozenTime) {
		return Advance{}, fault.Field("frozen_time", "测试时钟只能前进：须不早于 %s / a test clock only moves forward: not before %s",
			cur.FrozenTime.Format(time.RFC3339Nano), cur.FrozenTime.Format(time.RFC3339Nano))
	}
	out := Advance{Fired: []Fired{}}
	for n := 0; ; n++ {
		due, ok, err := s.st.NextClockDeadline(ctx, id, to)
		if err != nil {
			return Advance{}, err
		}
		if !ok {
			break
		}
		if n >= maxAdvanceFirings {
			return Advance{}, fault.New(fault.Conflict, "测试时钟推进的期限过多 / too many deadlines fired in one advance")
		}
		// The clock stands at each deadline's due time while it fires, so
		// that what it starts (the next window) counts from there.
		if _, err := s.st.SetTestClockTime(ctx, id, due, s.clock.Now()); err != nil {
			return Advance{}, err
		}
		fctx := onTestClock(ctx, id, due)
		st, fired, err := s.fireBatch(fctx, 200, false)
		if errors.Is(err, errRedo) {
			st, fired, err = s.fireBatch(fctx, 200, true)
		}
		if err != nil {
			return Advance{}, err
		}
		for _, f := range fired {
			s.obs.DeadlineFired(f.kind, 0)
			s.observe(f.evs)
			out.Fired = append(out.Fired, Fired{Kind: f.kind, AggregateType: f.aggType, AggregateID: f.aggID, RuleID: f.ruleID, DueAt: f.due})
		}
		if st.Fired+st.Cancelled == 0 {
			return Advance{}, fault.New(fault.Conflict, "测试时钟 %s 的期限未能触发（%d 跳过，%d 失败）/ a deadline of test clock %s did not fire (%d skipped, %d failed)",
				id, st.Skipped, st.Failed, id, st.Skipped, st.Failed)
		}
	}
	if _, err := s.st.SetTestClockTime(ctx, id, to, s.clock.Now()); err != nil {
		return Advance{}, err
	}
	tc, err := s.st.GetTestClock(ctx, id)
	if err != nil {
		return Advance{}, err
	}
	out.Clock = testClockView(tc)
	return out, nil
}

// ClockRef names the object a sandbox request acts on, for ClockFor: Kind
// is one of store's ClockOf* kinds; Want is the test clock the request asks a new order to
// be created on (PUT /v1/orders/{id} with test_clock).
type ClockRef struct {
	Kind string
	ID   string
	Want string
}

// ClockFor returns ctx running on the test clock of the object ref names
// (unchanged when the object is on wall time, does not exist or this is
// production): the commands called with it read their time from the clock
// and the deadlines they set carry it. Errors: Invalid (test_clock: no such
// clock, or the order exists on another clock; a production service
// refuses test_clock altogether).
func (s *Service) ClockFor(ctx context.Context, ref ClockRef) (context.Context, error) {
	if !s.sandbox {
		if ref.Want != "" {
			return ctx, fault.Field("test_clock", "测试时钟只存在于沙箱中 / test clocks exist only in the sandbox")
		}
		return ctx, nil
	}
	if ref.ID == "" && ref.Want == "" {
		return ctx, nil
	}
	tc, ok, err := s.st.TestClockOf(ctx, ref.Kind, ref.ID)
	if err != nil {
		return ctx, err
	}
	if ref.Want != "" {
		if ok && tc.ID != ref.Want {
			return ctx, fault.Field("test_clock", "订单已在测试时钟 %s 上 / the order is on test clock %s", tc.ID, tc.ID)
		}
		if !ok {
			if _, err := s.st.GetOrder(ctx, ref.ID); err == nil {
				return ctx, fault.Field("test_clock", "订单已存在且不在测试时钟上 / the order exists and is not on a test clock")
			}
			w, err := s.st.GetTestClock(ctx, ref.Want)
			if fault.Is(err, fault.NotFound) {
				return ctx, fault.Field("test_clock", "没有测试时钟 %s / no test clock %s", ref.Want, ref.Want)
			}
			if err != nil {
				return ctx, err
			}
			tc, ok = w, true
		}
	}
	if !ok {
		return ctx, nil
	}
	return onTestClock(ctx, tc.ID, tc.FrozenTime), nil
}
