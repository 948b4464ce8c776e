package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

func digestOf(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}

func wantCode(t *testing.T, err error, code fault.Code, field string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Code != code || (field != "" && fe.Field != field) {
		t.Fatalf("error %v, want %s on field %q", err, code, field)
	}
}

func insert(t *testing.T, s *store.Store, recs ...*store.Evidence) error {
	t.Helper()
	return s.InTx(context.Background(), func(tx *store.Tx) error {
		for _, r := range recs {
			if err := tx.InsertEvidence(context.Background(), r); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestEvidenceContract(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		s := apitest.OpenStore(t, eng.URL(t))
		t0 := apitest.Start
		dPhoto, dChat, dPDF := digestOf("photo"), digestOf("chat"), digestOf("pdf")
		rec := func(caseID, digest string, size int64, kind evidence.Kind, at time.Time) *store.Evidence {
			return &store.Evidence{CaseID: caseID, UploaderRole: "buyer", UploaderID: "b1", Digest: digest, Size: size,
				MediaType: map[evidence.Kind]string{evidence.KindImage: "image/png", evidence.KindChatLog: "application/json", evidence.KindPDF: "application/pdf"}[kind],
				Kind:      kind, Caption: "说明 " + digest[:6], DeclaredName: "f-" + digest[:6], CreatedAt: at}
		}
		// Inserted out of order; e3 and e4 share a time; e3 re-attaches e1's blob.
		e1 := rec("case-a", dPhoto, 1000, evidence.KindImage, t0.Add(2*time.Second+7*time.Microsecond))
		e2 := rec("case-a", dChat, 300, evidence.KindChatLog, t0)
		e3 := rec("case-a", dPhoto, 1000, evidence.KindImage, t0.Add(time.Second))
		e3.UploaderRole, e3.UploaderID = "seller", "s1"
		e4 := rec("case-a", dPDF, 5000, evidence.KindPDF, t0.Add(time.Second))
		e5 := rec("case-b", dPDF, 5000, evidence.KindPDF, t0)
		if err := insert(t, s, e1, e2, e3, e4, e5); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*store.Evidence{e1, e2, e3, e4, e5} {
			id, err := uuid.Parse(e.ID)
			if err != nil || id.Version() != 7 {
				t.Fatalf("id %q is not a UUIDv7 (%v)", e.ID, err)
			}
		}

		got, err := s.CaseEvidence(ctx, "case-a")
		if err != nil {
			t.Fatal(err)
		}
		tie := []*store.Evidence{e3, e4}
		slices.SortFunc(tie, func(a, b *store.Evidence) int {
			if a.ID < b.ID {
				return -1
			}
			return 1
		})
		want := []store.Evidence{*e2, *tie[0], *tie[1], *e1}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case chain:\n got  %+v\n want %+v", got, want)
		}

		one, err := s.EvidenceByID(ctx, e3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, *e3) {
			t.Fatalf("EvidenceByID: %+v, want %+v", one, *e3)
		}
		_, err = s.EvidenceByID(ctx, "no-such-id")
		wantCode(t, err, fault.NotFound, "")

		none, err := s.CaseEvidence(ctx, "case-empty")
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("empty case: %v %v", none, err)
		}

		// Distinct blobs count once: photo (once, though attached twice) + chat + pdf.
		for caseID, want := range map[string]int64{"case-a": 1000 + 300 + 5000, "case-b": 5000, "case-empty": 0} {
			n, err := s.CaseEvidenceBytes(ctx, caseID)
			if err != nil || n != want {
				t.Fatalf("CaseEvidenceBytes(%s) = %d, %v; want %d", caseID, n, err, want)
			}
		}
	})
}

func TestInsertEvidenceRefusals(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		s := apitest.OpenStore(t, eng.URL(t))
		good := func() *store.Evidence {
			return &store.Evidence{CaseID: "c", UploaderRole: "seller", UploaderID: "s", Digest: digestOf("x"), Size: 10,
				MediaType: "image/png", Kind: evidence.KindImage, CreatedAt: apitest.Start}
		}
		tests := []struct {
			field string
			mod   func(*store.Evidence)
		}{
			{"case_id", func(e *store.Evidence) { e.CaseID = " " }},
			{"uploader_role", func(e *store.Evidence) { e.UploaderRole = "" }},
			{"digest", func(e *store.Evidence) { e.Digest = "../../etc/passwd" }},
			{"digest", func(e *store.Evidence) { e.Digest = digestOf("x")[:63] + "G" }},
			{"size", func(e *store.Evidence) { e.Size = -1 }},
			{"media_type", func(e *store.Evidence) { e.MediaType = "" }},
			{"kind", func(e *store.Evidence) { e.Kind = "executable" }},
			{"created_at", func(e *store.Evidence) { e.CreatedAt = time.Time{} }},
		}
		for _, tt := range tests {
			e := good()
			tt.mod(e)
			wantCode(t, insert(t, s, e), fault.Invalid, tt.field)
		}

		// An explicit id is kept; a second row with it is a conflict and
		// rolls its transaction back.
		first := good()
		first.ID = "0190a6e0-0000-7000-8000-000000000001"
		if err := insert(t, s, first); err != nil {
			t.Fatal(err)
		}
		other, dup := good(), good()
		other.Digest = digestOf("other")
		dup.ID = first.ID
		wantCode(t, insert(t, s, other, dup), fault.Conflict, "id")
		list, err := s.CaseEvidence(ctx, "c")
		if err != nil || len(list) != 1 || list[0].ID != first.ID {
			t.Fatalf("after refusals: %+v %v", list, err)
		}
	})
}

// TestCaseAllowance walks the upload path the service is meant to follow:
// budget from the case's distinct bytes, PutWithin, then the re-check and
// the insert in one transaction.
func TestCaseAllowance(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		s := apitest.OpenStore(t, eng.URL(t))
		blobs, err := evidence.Open(t.TempDir(), evidence.Limits{MaxCaseBytes: 500})
		if err != nil {
			t.Fatal(err)
		}
		defer blobs.Close()
		lim := blobs.Limits()
		doc := func(n int) []byte {
			return []byte(fmt.Sprintf(`{"carrier":"SF","tracking_no":"SF%03d","events":[]}%*s`, n, 60, ""))
		}
		// put stores the blob within the budget the case had when used was read.
		put := func(caseID string, data []byte) (evidence.Blob, error) {
			used, err := s.CaseEvidenceBytes(ctx, caseID)
			if err != nil {
				return evidence.Blob{}, err
			}
			return blobs.PutWithin(ctx, bytes.NewReader(data), "t.json", lim.CaseBudget(used))
		}
		// record re-checks the allowance in the transaction that inserts the row.
		record := func(caseID string, blob evidence.Blob) error {
			rec := store.Evidence{CaseID: caseID, UploaderRole: "buyer", UploaderID: "b", Digest: blob.Digest, Size: blob.Size,
				MediaType: blob.MediaType, Kind: blob.Kind, DeclaredName: evidence.CleanName("t.json"), CreatedAt: apitest.Start}
			return s.InTx(ctx, func(tx *store.Tx) error {
				has, err := tx.CaseHasBlob(ctx, caseID, blob.Digest)
				if err != nil {
					return err
				}
				if !has {
					used, err := tx.CaseEvidenceBytes(ctx, caseID)
					if err != nil {
						return err
					}
					if err := lim.CheckCase(used, blob.Size); err != nil {
						return err
					}
				}
				return tx.InsertEvidence(ctx, &rec)
			})
		}
		upload := func(caseID string, data []byte) error {
			blob, err := put(caseID, data)
			if err != nil {
				return err
			}
			return record(caseID, blob)
		}
		size := int64(len(doc(1)))
		n := int(lim.MaxCaseBytes / size) // how many distinct documents fit
		if n < 3 {
			t.Fatalf("documents of %d bytes: only %d fit", size, n)
		}
		for i := range n - 1 {
			if err := upload("case", doc(i)); err != nil {
				t.Fatalf("upload %d of %d (%d bytes each): %v", i, n, size, err)
			}
		}
		// Re-attaching bytes the case already holds costs nothing.
		if err := upload("case", doc(0)); err != nil {
			t.Fatalf("re-attaching: %v", err)
		}
		if used, _ := s.CaseEvidenceBytes(ctx, "case"); used != int64(n-1)*size {
			t.Fatalf("used %d, want %d", used, int64(n-1)*size)
		}
		// Two uploads race for the last slot: both fit the budget read
		// before either was recorded; the transaction lets one through.
		late, err := put("case", doc(n))
		if err != nil {
			t.Fatal(err)
		}
		if err := upload("case", doc(n-1)); err != nil {
			t.Fatal(err)
		}
		err = record("case", late)
		wantCode(t, err, fault.PayloadTooBig, "file")
		if !errors.Is(err, evidence.ErrTooLarge) {
			t.Fatalf("%v is not ErrTooLarge", err)
		}
		// A full case refuses the next upload before storing it.
		err = upload("case", doc(n+1))
		wantCode(t, err, fault.PayloadTooBig, "file")
		if used, _ := s.CaseEvidenceBytes(ctx, "case"); used != int64(n)*size {
			t.Fatalf("used %d, want %d", used, int64(n)*size)
		}
		// Another case has its own allowance.
		if err := upload("other", doc(n)); err != nil {
			t.Fatal(err)
		}
	})
}
