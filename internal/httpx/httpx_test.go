package httpx

import (
	"testing"

	"github.com/weiquan/weiquan/internal/fault"
)

type sample struct {
	Amount int64    `json:"amount"`
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
}

func TestDecodeJSONNamesTheField(t *testing.T) {
	cases := map[string]string{
		`{"amount":"x"}`:      "amount",
		`{"amont":1}`:         "amont",
		`{"amount":1} {}`:     "body",
		`{"amount":`:          "body",
		`[1,2]`:               "body",
		`{"tags":"notalist"}`: "tags",
	}
	for in, field := range cases {
		var s sample
		err := DecodeJSON([]byte(in), &s)
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid || fe.Field != field {
			t.Errorf("%s: %v, want field %s", in, err, field)
		}
	}
	var s sample
	if err := DecodeJSON([]byte(`  `), &s); err != nil {
		t.Errorf("empty body: %v", err)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"amount":1,"name":"裙子","tags":["a"]}`))
	f.Add([]byte(`{"amount":1e99}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var s sample
		err := DecodeJSON(in, &s)
		if err != nil {
			if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
		}
	})
}
