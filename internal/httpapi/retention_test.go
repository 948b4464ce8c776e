package httpapi_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/service"
)

// The retention job erases the phone and address of parties whose every
// order, request and case has been closed for retention.pii, and deletes
// the evidence files of cases closed for retention.evidence (keeping
// their rows, marked purged); what is still inside its period, or open,
// stays.
func TestRetentionErasesOnlyWhatIsPastItsPeriod(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		for _, p := range []string{"B1", "B2"} {
			if _, err := e.Svc.CreateWebUser(ctx, service.NewWebUser{Login: "buyer-" + p, Password: "correct horse battery staple", Role: actor.Buyer, PartyID: p,
				DisplayName: p, Phone: "13800001234", Address: "上海市浦东新区世纪大道 1 号"}); err != nil {
				t.Fatal(err)
			}
		}
		buyer3, seller := e.Key("buyer", "B3"), e.Key("seller", "S1")
		e.NewOrder("R1", "B1", "S1", 9900, apitest.Completed) // closed: past the period later
		e.NewOrder("R2", "B2", "S1", 9900, apitest.Shipped)   // still open
		// Evidence on a case that closes (the buyer withdraws it), of a buyer
		// whose order stays unfinished.
		e.NewOrder("R3", "B3", "S1", 5000, apitest.Delivered)
		as := e.Aftersale("R3", "B3", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 5000})
		caseID := e.Escalate(as, buyer3, seller, map[string]any{"reason": "无质量问题", "evidence": []string{"说明"}})
		up := upload(e, buyer3, caseID, "破损照片", "photo.png", pngBytes(t, 20, 20), "")
		if up.Status != 201 {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		digest := up.Str("sha256")

		// Inside the periods nothing goes.
		st, err := e.Svc.EnforceRetention(ctx, 0)
		if err != nil || st.Redacted != 0 || st.Blobs != 0 {
			t.Fatalf("inside the periods: %+v %v", st, err)
		}
		// Close the case: the buyer withdraws.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + caseID + "/withdraw", Key: buyer3, Body: map[string]any{"reason": "已与卖家协商"}})

		e.Clock.Advance(3*365*24*time.Hour + 48*time.Hour)
		st, err = e.Svc.EnforceRetention(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		u1, err := e.Store.WebUserByParty(ctx, "buyer", "B1")
		if err != nil {
			t.Fatal(err)
		}
		u2, err := e.Store.WebUserByParty(ctx, "buyer", "B2")
		if err != nil {
			t.Fatal(err)
		}
		if u1.Phone != "" || u1.Address != "" {
			t.Errorf("B1 (every order closed for three years) still holds %q / %q", u1.Phone, u1.Address)
		}
		if u2.Phone == "" || u2.Address == "" {
			t.Errorf("B2 (an order still open) lost its contact details")
		}
		if st.Redacted != 1 || st.Blobs != 1 || st.Rows != 1 {
			t.Errorf("stats %+v, want 1 user redacted, 1 blob and 1 row purged", st)
		}
		// The evidence row stays (its digest in the chain), the file is gone.
		r := e.Do(apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + caseID, Key: e.Agent})
		if r.Status != 200 {
			t.Fatalf("list evidence: %d %s", r.Status, r.Body)
		}
		if digest == "" || !bytes.Contains(r.Body, []byte(digest)) {
			t.Errorf("the evidence row left the chain: %s", r.Body)
		}
		// A second run finds nothing more.
		if st, err := e.Svc.EnforceRetention(ctx, 0); err != nil || st.Redacted+st.Blobs != 0 {
			t.Errorf("second run: %+v %v", st, err)
		}
	})
}
