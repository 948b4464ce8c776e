package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
)

// OutboxConfig configures the outbox relay.
type OutboxConfig struct {
	Interval       time.Duration // how often to look for work (default 1s)
	BatchSize      int           // messages fanned out, and deliveries claimed, per round (default 100)
	RunTimeout     time.Duration // per round (default 1m)
	AttemptTimeout time.Duration // per delivery attempt (default 15s)
	// Lease is how long a claimed delivery stays claimed; if the relay dies
	// before recording the outcome, it comes due again after it (default
	// RunTimeout + AttemptTimeout, so that a live round never loses its
	// claims).
	Lease       time.Duration
	Concurrency int           // deliveries in flight per round (default 8)
	MaxAttempts int           // attempts before a delivery is dead (default 20)
	BaseBackoff time.Duration // delay after the first failed attempt, doubling after each (default 1s)
	MaxBackoff  time.Duration // cap of the delay (default 1h)
	Pause       time.Duration // between rounds that were not full while draining (default 100ms)
	Clock       clock.Clock   // schedules deliveries and retries (default the system clock)
	// Jitter picks the delay of a retry in [0, ceiling], ceiling being
	// Backoff's (full jitter); default uniformly at random (FullJitter).
	Jitter func(ceiling time.Duration) time.Duration
	// Observe, when set, is told each recorded webhook attempt's outcome
	// (store.DeliveryDelivered, store.DeliveryFailing — to be retried — or
	// store.DeliveryDead) with its endpoint, for the metrics.
	Observe func(endpointID, outcome string)
}

// OutboxChannels are the relay's destinations.
type OutboxChannels struct {
	// Static channels by name (notify.ChannelNATS, notify.ChannelSMS,
	// notify.ChannelSite, …): each new message gets one delivery per
	// channel that accepts its topic (notify.TopicFilter).
	Static map[string]notify.Channel
	// Webhooks, when set, delivers to the enabled webhook endpoints whose
	// event-type filter matches the topic: one delivery per endpoint.
	Webhooks *notify.Webhooks
}

// OutboxStats counts one round.
type OutboxStats struct {
	FannedOut int // new messages fanned out
	Created   int // deliveries created for them
	Claimed   int // deliveries attempted
	Delivered int
	Retried   int // failed, due again after back-off
	Dead      int // failed for the last time (or permanently)
	Stale     int // outcomes not recorded: the delivery was replayed or taken over meanwhile
}

// Outbox relays the transactional outbox: each round it fans new outbox
// messages out into deliveries (one per channel and webhook endpoint), then
// claims the due deliveries, delivers them outside any transaction and
// records the outcomes, retrying failures with jittered exponential
// back-off (uniformly in [0, BaseBackoff·2ⁿ⁻¹], the bound capped at
// MaxBackoff) until MaxAttempts, then dead. Per destination, an aggregate's
// messages go out one at a time in sequence order (the store claims seq
// n+1 only once seq n is no longer pending: delivered, or dead — a dead
// message does not block the ones after it). Deliveries
// are rows: a restarted relay carries on where the last one stopped, and
// several relays may share the work on PostgreSQL. Kick asks for a round now
// (e.g. after a command enqueued messages); Stop stops the relay and waits for
// the current round to finish.
type Outbox struct {
	cfg   OutboxConfig
	st    *store.Store
	ch    OutboxChannels
	names []string
	clock clock.Clock
	log   *slog.Logger
	*loop
	fails *failLog
}

// NewOutbox returns a relay.
func NewOutbox(st *store.Store, ch OutboxChannels, log *slog.Logger, cfg OutboxConfig) *Outbox {
	cfg.Interval = cmp.Or(cfg.Interval, time.Second)
	cfg.BatchSize = cmp.Or(cfg.BatchSize, 100)
	cfg.Pause = cmp.Or(cfg.Pause, 100*time.Millisecond)
	cfg.RunTimeout = cmp.Or(cfg.RunTimeout, time.Minute)
	cfg.AttemptTimeout = cmp.Or(cfg.AttemptTimeout, 15*time.Second)
	cfg.Lease = cmp.Or(cfg.Lease, cfg.RunTimeout+cfg.AttemptTimeout)
	cfg.Concurrency = cmp.Or(cfg.Concurrency, 8)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 20)
	cfg.BaseBackoff = cmp.Or(cfg.BaseBackoff, time.Second)
	cfg.MaxBackoff = cmp.Or(cfg.MaxBackoff, time.Hour)
	if cfg.Jitter == nil {
		cfg.Jitter = FullJitter
	}
	var clk clock.Clock = clock.System{}
	if cfg.Clock != nil {
		clk = cfg.Clock
	}
	names := make([]string, 0, len(ch.Static)+1)
	for name := range ch.Static {
		names = append(names, name)
	}
	if ch.Webhooks != nil {
		names = append(names, notify.ChannelWebhook)
	}
	slices.Sort(names)
	log = cmp.Or(log, slog.Default())
	return &Outbox{cfg: cfg, st: st, ch: ch, names: names, clock: clk, log: log, loop: newLoop(), fails: &failLog{what: "outbox relay", log: log}}
}

// Start runs the relay until ctx ends or Stop is called: a round at once,
// then every Interval (or on Kick), draining back to back while there is
// progress.
func (w *Outbox) Start(ctx context.Context) {
	w.start(ctx, 1, w.cfg.Interval, w.drain)
}

func (w *Outbox) drain(ctx context.Context) {
	rounds(ctx, w.fails, w.RunOnce, func(st OutboxStats) bool {
		if st.Claimed > 0 || st.FannedOut > 0 {
			w.log.DebugContext(ctx, "outbox relayed", "fanned_out", st.FannedOut, "created", st.Created, "claimed", st.Claimed,
				"delivered", st.Delivered, "retried", st.Retried, "dead", st.Dead, "stale", st.Stale)
		}
		// Delivering seq n may have made seq n+1 due: go again while
		// anything moved.
		if st.FannedOut == 0 && st.Delivered == 0 && st.Claimed < w.cfg.BatchSize {
			return false
		}
		// A round that was not full goes again after a short pause, so that
		// rounds gather more work each: on SQLite every round's writes wait
		// for the one writer that commands also need.
		if st.Claimed < w.cfg.BatchSize && st.FannedOut < w.cfg.BatchSize {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(w.cfg.Pause):
			}
		}
		return true
	})
}

// FullJitter returns a duration uniformly at random in [0, d] ("full
// jitter": retries of many deliveries that failed together spread over the
// whole window instead of arriving together again).
func FullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// RetryDelay returns the delay after the attempt-th failed attempt:
// jitter(Backoff(attempt, base, ceiling)), kept within [0, that bound].
func RetryDelay(attempt int, base, ceiling time.Duration, jitter func(time.Duration) time.Duration) time.Duration {
	bound := Backoff(attempt, base, ceiling)
	return min(max(jitter(bound), 0), bound)
}

// Backoff returns the bound of the delay after the attempt-th failed
// attempt (1-based): base·2^(attempt-1), capped at ceiling.
func Backoff(attempt int, base, ceiling time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt; i++ {
		if d >= ceiling/2 {
			return ceiling
		}
		d *= 2
	}
	return min(d, ceiling)
}

// RunOnce runs one round: fan out up to BatchSize new messages, then
// attempt up to BatchSize due deliveries, and return the counts.
func (w *Outbox) RunOnce(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	ctx, cancel := context.WithTimeout(ctx, w.cfg.RunTimeout)
	defer cancel()
	now := w.clock.Now()
	fo, err := w.st.FanOutOutbox(ctx, store.FanOut{Now: now, Limit: w.cfg.BatchSize, Channels: notify.Static(w.ch.Static), Webhooks: w.ch.Webhooks != nil})
	if err != nil {
		return st, fmt.Errorf("outbox: fan out: %w", err)
	}
	st.FannedOut, st.Created = fo.Messages, fo.Deliveries
	if len(w.names) == 0 {
		return st, nil
	}
	ds, err := w.st.ClaimDeliveries(ctx, store.Claim{Now: now, Lease: w.cfg.Lease, Limit: w.cfg.BatchSize, Channels: w.names})
	if err != nil {
		return st, fmt.Errorf("outbox: claim: %w", err)
	}
	st.Claimed = len(ds)
	if len(ds) == 0 {
		return st, nil
	}
	errs := make([]error, len(ds))
	// Channels that take a batch (site messages: one write transaction for
	// the round instead of one per delivery) get theirs at once.
	batched := make([]bool, len(ds))
	byChannel := map[string][]int{}
	for i, d := range ds {
		if _, ok := w.ch.Static[d.Channel].(notify.BatchChannel); ok && d.Channel != notify.ChannelWebhook {
			byChannel[d.Channel] = append(byChannel[d.Channel], i)
			batched[i] = true
		}
	}
	for name, idx := range byChannel {
		msgs := make([]notify.Message, len(idx))
		for j, i := range idx {
			msgs[j] = ds[i].Message
		}
		bctx, cancel := context.WithTimeout(ctx, w.cfg.AttemptTimeout)
		err := w.ch.Static[name].(notify.BatchChannel).DeliverBatch(bctx, msgs)
		cancel()
		for _, i := range idx {
			errs[i] = err
		}
	}
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range ds {
		if batched[i] {
			continue
		}
		if ctx.Err() != nil {
			errs[i] = fmt.Errorf("not attempted: %w", ctx.Err())
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = w.deliver(ctx, ds[i])
		}()
	}
	wg.Wait()
	at := w.clock.Now()
	outs := make([]store.DeliveryOutcome, len(ds))
	for i, d := range ds {
		o := store.DeliveryOutcome{MessageID: d.MessageID, Channel: d.Channel, EndpointID: d.EndpointID, Attempts: d.Attempts, At: at}
		switch err := errs[i]; {
		case err == nil:
			o.State = store.DeliveryDelivered
			st.Delivered++
		case notify.IsPermanent(err) || d.Attempts >= w.cfg.MaxAttempts:
			o.State, o.Status, o.Error = store.DeliveryDead, notify.StatusOf(err), err.Error()
			st.Dead++
			w.log.WarnContext(ctx, "outbox delivery dead", "message", d.MessageID, "topic", d.Message.Topic, "channel", d.Channel,
				"endpoint", d.EndpointID, "attempts", d.Attempts, "err", err)
		default:
			o.State, o.Status, o.Error = store.DeliveryPending, notify.StatusOf(err), err.Error()
			o.NextAttemptAt = at.Add(RetryDelay(d.Attempts, w.cfg.BaseBackoff, w.cfg.MaxBackoff, w.cfg.Jitter))
			st.Retried++
		}
		outs[i] = o
	}
	// Record even when the round's context ran out: the attempts happened.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer rcancel()
	n, err := w.st.RecordDeliveries(rctx, outs)
	if err != nil {
		return st, fmt.Errorf("outbox: record: %w", err)
	}
	st.Stale = len(outs) - n
	if w.cfg.Observe != nil {
		for _, o := range outs {
			if o.Channel != notify.ChannelWebhook {
				continue
			}
			outcome := o.State
			if outcome == store.DeliveryPending {
				outcome = store.DeliveryFailing
			}
			w.cfg.Observe(o.EndpointID, outcome)
		}
	}
	return st, nil
}

func (w *Outbox) deliver(ctx context.Context, d store.Delivery) (err error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.AttemptTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("outbox: channel %s panicked: %v", d.Channel, r)
		}
	}()
	var ch notify.Channel
	switch {
	case d.Channel == notify.ChannelWebhook:
		if d.Endpoint == nil || w.ch.Webhooks == nil {
			return notify.Permanent(errors.New("outbox: webhook endpoint gone"))
		}
		ch = w.ch.Webhooks.For(*d.Endpoint)
	default:
		ch = w.ch.Static[d.Channel]
		if ch == nil {
			return notify.Permanent(fmt.Errorf("outbox: no channel %q", d.Channel))
		}
	}
	return ch.Deliver(ctx, d.Message)
}
