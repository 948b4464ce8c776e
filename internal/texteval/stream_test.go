package texteval

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/listing"
)

// slowDecode is the reference: encoding/json only.
func slowDecode(b []byte) (listing.Listing, error) {
	var raw rawListing
	if err := json.Unmarshal(b, &raw); err != nil {
		return listing.Listing{}, err
	}
	return toListing(raw.ID, raw)
}

var decodeCases = []string{
	`{"id":"L1","title":"纯棉T恤 男","shop_id":"S1"}`,
	`{"id":7,"title":"a","shop_id":12,"price":"59.00","listed_at":"2025-01-01","licensed":true}`,
	` { "id" : "x" , "title" : "t" , "price" : 59 , "brand":null, "licensed": false } `,
	`{"id":"e","title":"escaped \"quote\" \u6700\u597d"}`,
	`{"id":"a","title":"x","image_paths":["/a.png","/b.png"],"bundle_item_ids":["k1"]}`,
	`{"id":"a","title":"x","image_paths":"/a.png;/b.png"}`,
	`{"id":"a","Title":"upper-case key"}`,
	`{"id":"a","title":5}`,
	`{"id":"a","title":"x"} trailing`,
	`{"id":"a","title":"x",}`,
	`{"id":1e5x,"title":"x"}`,
	`{"id":"a","title":"x","extra":{"nested":[1,2]}}`,
	`{"id":"a","title":"x","extra":"ignored"}`,
	`{"id":"a","title":"x","id":"b"}`,
	`{"title":"no id"}`,
	`{}`,
	`[]`,
	`{"id":"a","title":"bad \xff utf8"}`,
	`{"id":"a","title":"x","listed_at":"not a time"}`,
	`{"id":"a","title":"x","licensed":"yes"}`,
	`{"id":"L\"1\"","shop_id":"S\\2","title":"a\/b \b\f\n\r\t end"}`,
	`{"id":"u","title":"\u0026 \u003c\u003e \u00e9 \u6700\u597D \u0000 nul"}`,
	`{"id":"u","title":"pair \ud83d\ude00 lone high \ud83d x lone low \ude00 y high-high \ud83d\ud83d z"}`,
	`{"id":"u","title":"high then escape \ud83d\n and end \ud83d"}`,
	`{"id":"u","title":"bad escape \x"}`,
	`{"id":"u","title":"short \u12"}`,
	`{"id":"u","title":"bad hex \u12g4"}`,
	`{"id":"u","title":"quote \'"}`,
	`{"id":"u","title":"trailing backslash \"}`,
	`{"id":"u","title":"ctl ` + "\x01" + `"}`,
	`{"i\u0064":"escaped key","title":"x"}`,
	`{"title":"field order","shop_id":"S","brand":"B\u0026Co","category":"c\\d","id":"z"}`,
	`{"id":"a","title":"x","extra":{"s":"\u0041\"","n":[{"k":"\ud83d\ude00"}]},"more":"\t"}`,
	`{"id":"a","title":"x","price":"5\u0039.00","listed_at":"2025-01-0\u0031"}`,
	`{"id":"a","title":"x","image_paths":"\/a.png;\/b.png"}`,
	`{"id":"a","title":"x","image_paths":["\/a.png"]}`,
	`{"id":"\u004c9","title":"\u6700","shop_id":null}`,
	`{"id":"a","title":"ok","title":"second \u6700"}`,
}

// TestDecodeListingLineMatchesEncodingJSON: the fast path gives exactly
// encoding/json's listing, or its error, on every case.
func TestDecodeListingLineMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, c := range decodeCases {
		got, gerr := DecodeListingLine([]byte(c))
		want, werr := slowDecode([]byte(c))
		if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v, %v", c, got, gerr, want, werr)
		}
	}
}

// TestEscapesTakeTheFastPath: escaped strings (json.Marshal writes & as
// \u0026) are decoded by the fast path, not handed to encoding/json; the
// cases above check that its answer is encoding/json's.
func TestEscapesTakeTheFastPath(t *testing.T) {
	t.Parallel()
	for _, c := range []string{
		`{"id":"L\"1\"","shop_id":"S\\2","title":"a\/b \b\f\n\r\t end"}`,
		`{"id":"u","title":"\u0026 \u003c\u003e \u00e9 \u6700\u597D"}`,
		`{"id":"u","title":"pair \ud83d\ude00 lone \ud83d x \ude00"}`,
		`{"id":"a","title":"x","extra":"\t","brand":"B\u0026Co"}`,
	} {
		var raw rawListing
		var ids flatIDs
		if !decodeFlat([]byte(c), &raw, &ids, false) {
			t.Errorf("%s: not decoded by the fast path", c)
		}
	}
}

// TestValidUTF8: the inline check is utf8.Valid on every one-, two- and
// three-byte sequence and on cut or mixed text.
func TestValidUTF8(t *testing.T) {
	t.Parallel()
	check := func(b []byte) {
		if validUTF8(b) != utf8.Valid(b) {
			t.Fatalf("%q: validUTF8 %v, utf8.Valid %v", b, validUTF8(b), utf8.Valid(b))
		}
	}
	for x := 0; x < 1<<24; x += 7 {
		b := []byte{byte(x >> 16), byte(x >> 8), byte(x)}
		check(b)
		check(b[:2])
		check(b[1:])
	}
	for _, s := range []string{"", "a", "纯棉t恤", "\xe4\xb8", "😀", "\xed\xa0\x80", "\xe0\x80\x80", "\xef\xbf\xbd", "a\xffb", "中\xe4"} {
		check([]byte(s))
	}
}

func FuzzDecodeListingLine(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gerr := DecodeListingLine(b)
		want, werr := slowDecode(b)
		if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %+v, %v; want %+v, %v", b, got, gerr, want, werr)
		}
	})
}

// TestScanStreamEqualsScan: streamed in small windows on several workers,
// the findings and their order are those of the in-memory scan; a bad line
// stops the stream naming its line.
func TestScanStreamEqualsScan(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	var ls []listing.Listing
	titles := []string{"【淘宝最低价】包身蓬蓬裙", "夏季连衣裙 雪纺", "夏季连衣裙雪纺", "国家级 特供 茶叶", "腾讯QQ币10个 自动充值", "SONATA索纳塔专用补漆笔", "GOLF高尔夫专用补漆笔", "可媲美LV的真皮手袋"}
	for i := 0; i < 300; i++ {
		l := listing.Listing{ID: "L" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Title: titles[i%len(titles)], ShopID: "S" + string(rune('0'+i%3))}
		ls = append(ls, l)
		b, _ := json.Marshal(map[string]string{"id": l.ID, "title": l.Title, "shop_id": l.ShopID})
		in.Write(append(b, '\n'))
		if i%50 == 0 {
			in.WriteString("\n") // blank lines are skipped
		}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := listing.NewScanner(nil)
	want := s.Scan(ls, now, nil)
	var got []listing.Finding
	st, err := s.ScanStream(ListingWindows(strings.NewReader(in.String()), "jsonl", 7), 3, now, func(fs []listing.Finding) error {
		got = append(got, fs...)
		return nil
	})
	if err != nil || st.Listings != len(ls) || st.Findings != len(want) {
		t.Fatalf("stream: %v, %+v (want %d listings, %d findings)", err, st, len(ls), len(want))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("streamed findings differ from Scan: %d vs %d", len(got), len(want))
	}
	if len(want) < 20 {
		t.Fatalf("the fixture should raise findings: %d", len(want))
	}
	bad := in.String() + "{\"id\":\"z\",\"title\":5}\n"
	_, err = s.ScanStream(ListingWindows(strings.NewReader(bad), "jsonl", 7), 2, now, func([]listing.Finding) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 307") {
		t.Fatalf("bad line: %v", err)
	}
}
