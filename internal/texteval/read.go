package texteval

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/listing"
)

type rawListing struct {
	ID            json.RawMessage `json:"id"`
	Title         string          `json:"title"`
	ShopID        json.RawMessage `json:"shop_id"`
	Brand         string          `json:"brand"`
	Category      string          `json:"category"`
	Price         json.RawMessage `json:"price"`
	ListedAt      string          `json:"listed_at"`
	LastSaleAt    string          `json:"last_sale_at"`
	ImagePaths    json.RawMessage `json:"image_paths"`
	Licensed      bool            `json:"licensed"`
	BundleItemIDs []string        `json:"bundle_item_ids"`
}

func rawString(m json.RawMessage) string {
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	if len(m) >= 2 && m[0] == '"' && m[len(m)-1] == '"' && !bytes.ContainsAny(m[1:len(m)-1], "\\\"") {
		return string(m[1 : len(m)-1]) // plain string: no escapes to undo
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(m))
}

// ParsePrice reads a price in yuan ("12.50") into fen.
func ParsePrice(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥"))
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("price %q", s)
	}
	frac = (frac + "00")[:2]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("price %q", s)
	}
	return w*100 + f, nil
}

// ParseTime accepts RFC 3339 or a plain date.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q", s)
}

func splitPaths(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ReadListings streams listings from JSON lines or CSV (header row with at
// least id and title). Errors name the line.
func ReadListings(r io.Reader, format string, fn func(listing.Listing) error) error {
	if format == "csv" {
		return readCSV(r, fn)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var raw rawListing
		if err := json.Unmarshal(b, &raw); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		l, err := toListing(raw.ID, raw)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return sc.Err()
}

func toListing(id json.RawMessage, raw rawListing) (listing.Listing, error) {
	return toListingIDs(rawString(id), rawString(raw.ShopID), raw)
}

// toListingIDs is toListing with the id and shop id already read.
func toListingIDs(id, shopID string, raw rawListing) (listing.Listing, error) {
	l := listing.Listing{ID: id, Title: raw.Title, ShopID: shopID, Brand: raw.Brand, Category: raw.Category,
		Licensed: raw.Licensed, BundleItemIDs: raw.BundleItemIDs}
	if l.ID == "" {
		return l, fmt.Errorf("id is required")
	}
	var err error
	if l.Price, err = ParsePrice(rawString(raw.Price)); err != nil {
		return l, err
	}
	if l.ListedAt, err = ParseTime(raw.ListedAt); err != nil {
		return l, err
	}
	if l.LastSaleAt, err = ParseTime(raw.LastSaleAt); err != nil {
		return l, err
	}
	if len(raw.ImagePaths) > 0 && string(raw.ImagePaths) != "null" {
		var ps []string
		if json.Unmarshal(raw.ImagePaths, &ps) == nil {
			l.ImagePaths = ps
		} else {
			l.ImagePaths = splitPaths(rawString(raw.ImagePaths))
		}
	}
	return l, nil
}

func readCSV(r io.Reader, fn func(listing.Listing) error) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	if _, ok := col["id"]; !ok {
		return fmt.Errorf("csv: column id is required")
	}
	if _, ok := col["title"]; !ok {
		return fmt.Errorf("csv: column title is required")
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		q := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
		raw := rawListing{Title: get(rec, "title"), ShopID: q(get(rec, "shop_id")), Brand: get(rec, "brand"), Category: get(rec, "category"),
			Price: q(get(rec, "price")), ListedAt: get(rec, "listed_at"), LastSaleAt: get(rec, "last_sale_at"), ImagePaths: q(get(rec, "image_paths")),
			Licensed: get(rec, "licensed") == "true" || get(rec, "licensed") == "1"}
		if b := get(rec, "bundle_item_ids"); b != "" {
			raw.BundleItemIDs = splitPaths(b)
		}
		l, err := toListing(q(get(rec, "id")), raw)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
}
