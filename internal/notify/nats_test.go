package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/notify/notifytest"
)

func TestNATSPublishesOncePerMessageID(t *testing.T) {
	cfg := notifytest.NATSConfig(t)
	ctx := context.Background()
	p, err := notify.NewNATS(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	var msgs []notify.Message
	for seq := int64(1); seq <= 3; seq++ {
		m := testMessage()
		m.ID = fmt.Sprintf("0195f0c2-8a4e-7b3a-9d6e-%012d", seq)
		m.AggregateSeq = seq
		msgs = append(msgs, m)
	}
	// Every message twice, as a relay that died before recording would.
	for range 2 {
		for _, m := range msgs {
			if err := p.Deliver(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := notifytest.ReadAll(t, cfg)
	count := map[string]int{}
	for i, r := range got {
		count[r.MsgID]++
		if r.Subject != cfg.SubjectPrefix+"aftersale.agreed" || r.Seq != fmt.Sprint(i+1) {
			t.Fatalf("message %d: %+v", i, r)
		}
		var env struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(r.Data, &env); err != nil || env.Type != "aftersale.agreed" || env.Data["seq"] != float64(i+1) {
			t.Fatalf("body %s: %v", r.Data, err)
		}
	}
	if len(got) != 3 || len(count) != 3 {
		t.Fatalf("stream holds %d messages (%v), want each of 3 once", len(got), count)
	}
}
