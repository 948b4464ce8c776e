package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
)

func order(id string) client.OrderInput {
	return client.OrderInput{BuyerID: "B1", SellerID: "S1", Category: "女装",
		Items: []client.OrderItem{{Title: "连衣裙", Quantity: 1, Price: 19900}}, Amount: 19900}
}

// TestClientAgainstTheServer: problems are Go errors naming the field,
// lists iterate across pages, idempotency keys replay, on both engines.
func TestClientAgainstTheServer(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		e := apitest.Open(t, eng.URL(t))
		ctx := context.Background()
		c := client.New(e.Server.URL, e.Integration)

		// bad input: 400 naming the field, nothing created
		_, err := c.PutOrder(ctx, "T1", client.OrderInput{SellerID: "S1", Items: []client.OrderItem{{Title: "x", Quantity: 1, Price: 100}}, Amount: 100})
		var p *client.Problem
		if !errors.As(err, &p) || p.Status != http.StatusBadRequest {
			t.Fatalf("missing buyer: %v", err)
		}
		if _, ok := p.Field("buyer_id"); !ok {
			t.Errorf("the problem must name buyer_id: %+v", p)
		}
		if _, err := c.GetOrder(ctx, "T1"); !errors.As(err, &p) || p.Status != http.StatusNotFound {
			t.Errorf("a refused order must not exist: %v", err)
		}
		// a wrong key: 401 as a Problem
		if _, err := client.New(e.Server.URL, "wq_nope").GetOrder(ctx, "T1"); !errors.As(err, &p) || p.Status != http.StatusUnauthorized {
			t.Errorf("bad key: %v", err)
		}

		// lists follow next_cursor: five orders, pages of two
		for i := range 5 {
			if _, err := c.PutOrder(ctx, fmt.Sprintf("L%d", i), order("")); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		for o, err := range client.List[client.Order](ctx, c, "/v1/orders?limit=2") {
			if err != nil {
				t.Fatal(err)
			}
			if seen[o.ID] {
				t.Fatalf("order %s listed twice", o.ID)
			}
			seen[o.ID] = true
		}
		if len(seen) != 5 {
			t.Errorf("iterated %d orders of 5: %v", len(seen), seen)
		}
		// stopping early stops the iteration
		n := 0
		for range client.List[client.Order](ctx, c, "/v1/orders?limit=2") {
			n++
			if n == 3 {
				break
			}
		}
		if n != 3 {
			t.Errorf("break: %d", n)
		}
	})
}

// TestVerifyWebhook checks signatures made by the server's own signer:
// a good one, a tampered body, a replay outside the tolerance, a rotated
// secret's pair of signatures.
func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	secret, other := store.NewWebhookSecret(), store.NewWebhookSecret()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"aftersale.agreed","data":{"id":"A1"}}`)
	sig, err := notify.Sign(secret, "msg_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(client.HeaderWebhookID, "msg_1")
	h.Set(client.HeaderWebhookTimestamp, fmt.Sprint(now.Unix()))
	h.Set(client.HeaderWebhookSignature, sig)
	if err := client.VerifyWebhook(secret, h, body, now.Add(time.Minute), 0); err != nil {
		t.Errorf("good signature refused: %v", err)
	}
	if err := client.VerifyWebhook(secret, h, []byte(`{"type":"aftersale.agreed","data":{"id":"A2"}}`), now, 0); !errors.Is(err, client.ErrBadSignature) {
		t.Errorf("tampered body: %v", err)
	}
	if err := client.VerifyWebhook(secret, h, body, now.Add(10*time.Minute), 0); !errors.Is(err, client.ErrBadSignature) {
		t.Errorf("replay after 10 minutes: %v", err)
	}
	if err := client.VerifyWebhook(other, h, body, now, 0); !errors.Is(err, client.ErrBadSignature) {
		t.Errorf("another secret: %v", err)
	}
	sig2, _ := notify.Sign(other, "msg_1", now, body)
	h.Set(client.HeaderWebhookSignature, sig2+" "+sig) // during a rotation both sign
	if err := client.VerifyWebhook(secret, h, body, now, 0); err != nil {
		t.Errorf("rotation pair: %v", err)
	}
	h.Del(client.HeaderWebhookID)
	if err := client.VerifyWebhook(secret, h, body, now, 0); !errors.Is(err, client.ErrBadSignature) {
		t.Errorf("no id: %v", err)
	}
}
