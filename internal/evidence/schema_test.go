package evidence_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
)

func TestDecodeChatLog(t *testing.T) {
	log, err := evidence.DecodeChatLog([]byte(chatLogObject))
	must.NoError(t, err)
	must.Len(t, log.Messages, 3)
	must.Equal(t, evidence.SenderBuyer, log.Messages[0].SenderRole)
	must.True(t, log.Messages[0].Time.Equal(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)))
	must.Equal(t, "亲，可以退货退款", log.Messages[1].Text)
	must.Equal(t, evidence.SenderSystem, log.Messages[2].SenderRole)

	arr, err := evidence.DecodeChatLog([]byte(chatLogArray))
	must.NoError(t, err)
	must.Equal(t, evidence.SenderAgent, arr.Messages[0].SenderRole)

	// A tracking record is not a chat log.
	_, err = evidence.DecodeChatLog([]byte(trackingRecord))
	requireFault(t, err, fault.Invalid, "carrier")
	_, err = evidence.DecodeChatLog([]byte(`"just a string"`))
	requireFault(t, err, fault.Invalid, "file")
	_, err = evidence.DecodeChatLog([]byte(`[null]`))
	requireFault(t, err, fault.Invalid, "[0]")
}

func TestDecodeTracking(t *testing.T) {
	rec, err := evidence.DecodeTracking([]byte(trackingRecord))
	must.NoError(t, err)
	must.Equal(t, "SF", rec.Carrier)
	must.Equal(t, "SF1234567890", rec.TrackingNo)
	must.Len(t, rec.Events, 2)
	must.Equal(t, "杭州", rec.Events[0].Location)
	must.Empty(t, rec.Events[1].Location)
	must.Equal(t, "已签收", rec.Events[1].Status)

	// No movement at all is a valid record (and evidence of a fake shipment).
	rec, err = evidence.DecodeTracking([]byte(`{"carrier":"YTO","tracking_no":"YT0001","events":[]}`))
	must.NoError(t, err)
	must.Empty(t, rec.Events)

	_, err = evidence.DecodeTracking([]byte(`{"carrier":"SF","tracking_no":"` + strings.Repeat("9", 65) + `","events":[]}`))
	requireFault(t, err, fault.Invalid, "tracking_no")
	_, err = evidence.DecodeTracking([]byte(`{"carrier":"SF","tracking_no":"SF1","events":[{"time":"2026-03-02T09:00:00Z","status":"ok","weather":"rain"}]}`))
	requireFault(t, err, fault.Invalid, "events[0].weather")
	_, err = evidence.DecodeTracking([]byte(`{"carrier":"SF","tracking_no":"SF1","events":[{"time":"2026-03-02T09:00:00Z","status":"ok","location":7}]}`))
	requireFault(t, err, fault.Invalid, "events[0].location")
	_, err = evidence.DecodeTracking([]byte(`[]`))
	requireFault(t, err, fault.Invalid, "file")
}

// refused reports whether a decoder refused its input, failing the test
// unless the refusal is an Invalid fault naming a field, with a message.
func refused(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field == "" || fe.Message == "" {
		t.Fatalf("refusal without a coded field error: %#v", err)
	}
	return true
}

// roundTrip encodes an accepted value as JSON and decodes it again.
func roundTrip[T any](t *testing.T, v T, decode func([]byte) (T, error)) T {
	t.Helper()
	enc, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("accepted %T does not encode: %v", v, err)
	}
	again, err := decode(enc)
	if err != nil {
		t.Fatalf("re-decoding %s: %v", enc, err)
	}
	return again
}

// The decoders read outside input: whatever the bytes, they must not panic,
// must refuse with a coded error naming a field, and what they accept must
// satisfy the schema and survive a round trip through its Go types.
func FuzzDecodeChatLog(f *testing.F) {
	for _, s := range []string{chatLogObject, chatLogArray, trackingRecord, `[]`, `{}`, `[null]`, `{"messages":null}`,
		`[{"sender_role":"buyer","time":"2026-03-02T09:00:00.123456789+23:59","text":"\u0000"}]`,
		`[{"sender_role":"buyer","time":"0000-01-01T00:00:00Z","text":"a"}] `, `{"messages":[{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		log, err := evidence.DecodeChatLog(data)
		if refused(t, err) {
			return
		}
		if len(log.Messages) == 0 {
			t.Fatal("accepted a chat log without messages")
		}
		for i, m := range log.Messages {
			switch m.SenderRole {
			case evidence.SenderBuyer, evidence.SenderSeller, evidence.SenderAgent, evidence.SenderSystem:
			default:
				t.Fatalf("message %d: role %q accepted", i, m.SenderRole)
			}
			if strings.TrimSpace(m.Text) == "" || !utf8.ValidString(m.Text) {
				t.Fatalf("message %d: text %q accepted", i, m.Text)
			}
		}
		again := roundTrip(t, log, evidence.DecodeChatLog)
		if len(again.Messages) != len(log.Messages) {
			t.Fatal("round trip changed the message count")
		}
		for i := range log.Messages {
			a, b := log.Messages[i], again.Messages[i]
			if a.SenderRole != b.SenderRole || a.Text != b.Text || !a.Time.Equal(b.Time) {
				t.Fatalf("message %d changed in a round trip: %+v → %+v", i, a, b)
			}
		}
	})
}

func FuzzDecodeTracking(f *testing.F) {
	for _, s := range []string{trackingRecord, chatLogObject, `{}`, `{"carrier":"SF","tracking_no":"1","events":[]}`,
		`{"carrier":"SF","tracking_no":"1","events":[null]}`, `{"carrier":" ","tracking_no":"1","events":[]}`,
		`{"carrier":"SF","tracking_no":"1","events":[{"time":"2026-03-02T09:00:00-00:00","status":"x","location":null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := evidence.DecodeTracking(data)
		if refused(t, err) {
			return
		}
		if strings.TrimSpace(rec.Carrier) == "" || strings.TrimSpace(rec.TrackingNo) == "" || rec.Events == nil {
			t.Fatalf("accepted an incomplete record: %+v", rec)
		}
		for i, e := range rec.Events {
			if strings.TrimSpace(e.Status) == "" {
				t.Fatalf("event %d accepted incomplete: %+v", i, e)
			}
		}
		again := roundTrip(t, rec, evidence.DecodeTracking)
		if again.Carrier != rec.Carrier || again.TrackingNo != rec.TrackingNo || len(again.Events) != len(rec.Events) {
			t.Fatalf("round trip changed the record: %+v → %+v", rec, again)
		}
		for i := range rec.Events {
			a, b := rec.Events[i], again.Events[i]
			if a.Status != b.Status || a.Location != b.Location || !a.Time.Equal(b.Time) {
				t.Fatalf("event %d changed in a round trip: %+v → %+v", i, a, b)
			}
		}
	})
}
