// Command refund runs the README's refund walkthrough — an order from
// payment to a refunded return — against a weiquan server with the Go
// client:
//
//	go run ./cmd/weiquan serve &
//	KEY=$(go run ./cmd/weiquan apikey create --role integration)
//	go run ./examples/refund -url http://127.0.0.1:8080 -key "$KEY"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/weiquan/weiquan/client"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the weiquan server")
	key := flag.String("key", os.Getenv("WEIQUAN_KEY"), "an integration API key (default $WEIQUAN_KEY)")
	order := flag.String("order", fmt.Sprintf("T%d", time.Now().Unix()), "the order id to create")
	flag.Parse()
	if err := run(context.Background(), client.New(*url, *key), *order, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "refund:", err)
		os.Exit(1)
	}
}

// run walks one order through a return and refund and prints each step.
func run(ctx context.Context, c *client.Client, orderID string, out io.Writer) error {
	buyer, seller := client.ActAs("buyer:B1"), client.ActAs("seller:S1")
	if _, err := c.PutOrder(ctx, orderID, client.OrderInput{BuyerID: "B1", SellerID: "S1", Category: "女装",
		Items: []client.OrderItem{{Title: "法式碎花连衣裙", Quantity: 1, Price: 19900}}, Amount: 19900}); err != nil {
		return fmt.Errorf("put order: %w", err)
	}
	paid := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	for _, ev := range []client.OrderEvent{
		{Type: "paid", At: paid},
		{Type: "shipped", At: paid.Add(6 * time.Hour), Carrier: "顺丰", TrackingNo: "SF1234567890"},
		{Type: "delivered", At: paid.Add(48 * time.Hour), SignedBy: "本人"},
	} {
		if _, err := c.OrderEvent(ctx, orderID, ev); err != nil {
			return fmt.Errorf("order %s: %w", ev.Type, err)
		}
	}
	fmt.Fprintf(out, "order %s paid, shipped, delivered\n", orderID)

	req := client.CreateAftersale{OrderID: orderID, Type: "return_and_refund", Reason: "quality_problem", Amount: 19900, Description: "裙摆开线"}
	a, err := c.CreateAftersale(ctx, req, buyer, client.IdempotencyKey("refund-"+orderID))
	if err != nil {
		return fmt.Errorf("open request: %w", err)
	}
	fmt.Fprintf(out, "request %s: %s, waiting for %s until %s (%s)\n", a.ID, a.Status, a.Deadline.Actor, a.Deadline.DueAt.Format(time.RFC3339), a.Deadline.RuleID)

	// a retry with the same idempotency key is the same request
	again, err := c.CreateAftersale(ctx, req, buyer, client.IdempotencyKey("refund-"+orderID))
	if err != nil || again.ID != a.ID {
		return fmt.Errorf("retry made another request (%v)", err)
	}
	// an action on a version the seller has not seen is refused (412)
	if _, err := c.Act(ctx, a.ID, "agree", nil, seller, client.IfMatch(a.Version+1)); err != nil {
		var p *client.Problem
		if !errors.As(err, &p) || p.Status != 412 {
			return fmt.Errorf("stale agree: %w", err)
		}
		fmt.Fprintf(out, "stale agree refused: %d %s (now %s, allowed %v)\n", p.Status, p.Code, p.CurrentStatus, p.AllowedActions)
	} else {
		return errors.New("a stale If-Match was accepted")
	}
	steps := []struct {
		action string
		who    client.Option
		body   any
	}{
		{"agree", seller, client.Agreement{ReturnAddress: &client.ReturnAddress{Name: "售后部", Phone: "13912345678", Address: "浙江省杭州市西湖区文三路100号"}}},
		{"ship-return", buyer, map[string]string{"carrier": "中通", "tracking_no": "ZT998877"}},
		{"confirm-return", seller, nil},
	}
	for _, s := range steps {
		if a, err = c.Act(ctx, a.ID, s.action, s.body, s.who, client.IfMatch(a.Version)); err != nil {
			return fmt.Errorf("%s: %w", s.action, err)
		}
		fmt.Fprintf(out, "%s → %s\n", s.action, a.Status)
	}
	evs, err := c.AftersaleEvents(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		fmt.Fprintf(out, "  event %s by %s %v\n", e.Type, e.Actor.Role, e.RuleIDs)
	}
	o, err := c.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	l, err := c.OrderLedger(ctx, orderID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "order %s: %s, refunded ¥%.2f; ledger balanced: %v, %d transactions\n", o.ID, o.Status, float64(o.Refunded)/100, l.Balanced, len(l.Transactions))
	if a.Status != "SUCCESS" || o.Refunded != 19900 || !l.Balanced {
		return fmt.Errorf("walkthrough ended with request %s, refunded %d, balanced %v", a.Status, o.Refunded, l.Balanced)
	}
	return nil
}
