package texteval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/weiquan/weiquan/internal/listing"
)

// ListingWindows reads listings from JSON lines or CSV as windows of about
// size records for listing.Scanner.ScanStream: JSON lines are handed over
// raw and decoded on the scan's workers; CSV rows are decoded here (a CSV
// record may span lines). Blank lines are skipped; errors name the line.
func ListingWindows(r io.Reader, format string, size int) func() (*listing.Window, error) {
	if size <= 0 {
		size = 2048
	}
	if format == "csv" {
		return csvWindows(r, size)
	}
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	done := false
	return func() (*listing.Window, error) {
		if done {
			return nil, nil
		}
		w := &listing.Window{Decode: decodeWindowLine, Raw: make([][]byte, 0, size), Lines: make([]int, 0, size)}
		arena := make([]byte, 0, 128*size)
		for len(w.Raw) < size {
			b, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) { // a line over 1 MiB: gather it
				long := append([]byte(nil), b...)
				for errors.Is(err, bufio.ErrBufferFull) {
					b, err = br.ReadSlice('\n')
					long = append(long, b...)
				}
				b = long
			}
			if len(b) > 0 {
				line++
				if t := bytes.TrimSpace(b); len(t) > 0 {
					if len(arena)+len(t) > cap(arena) {
						arena = make([]byte, 0, max(128*size, len(t)))
					}
					start := len(arena)
					arena = append(arena, t...)
					w.Raw = append(w.Raw, arena[start:len(arena):len(arena)])
					w.Lines = append(w.Lines, line)
				}
			}
			if err == io.EOF {
				done = true
				break
			}
			if err != nil {
				return nil, err
			}
		}
		if len(w.Raw) == 0 {
			return nil, nil
		}
		return w, nil
	}
}

// DecodeListingLine decodes one JSON line of a listing. Flat lines
// (string, number, boolean and null values; escapes in strings, not in
// keys) take a fast path;
// anything else is decoded by encoding/json, with the same result.
func DecodeListingLine(b []byte) (listing.Listing, error) { return decodeLine(b, false) }

// decodeWindowLine is DecodeListingLine for the records of ListingWindows:
// their bytes are a window's arena, written once and never changed, so
// the listing's strings share them instead of copying the line.
// (ScanStream copies what outlives the window: ids and findings.)
func decodeWindowLine(b []byte) (listing.Listing, error) { return decodeLine(b, true) }

func decodeLine(b []byte, immutable bool) (listing.Listing, error) {
	var raw rawListing
	var ids flatIDs
	if decodeFlat(b, &raw, &ids, immutable) {
		return toListingIDs(ids.id, ids.shop, raw)
	}
	return decodeJSON(b)
}

// decodeJSON is the encoding/json path (its own variable: handed to
// Unmarshal, it is allocated on the heap, which the fast path avoids).
func decodeJSON(b []byte) (listing.Listing, error) {
	var raw rawListing
	if err := json.Unmarshal(b, &raw); err != nil {
		return listing.Listing{}, err
	}
	return toListing(raw.ID, raw)
}

// flatIDs are the id and shop id of a flat line as rawString reads them.
type flatIDs struct{ id, shop string }

// decodeFlat fills raw and ids from a flat JSON object; false means "not
// flat, use encoding/json" (nested values, escaped keys, a value of the wrong
// type, bad syntax, invalid UTF-8), never a different answer. The strings
// are slices of one copy of the line (one allocation a listing), or of b
// itself when the caller guarantees that b never changes (immutable).
func decodeFlat(b []byte, raw *rawListing, ids *flatIDs, immutable bool) bool {
	if !validUTF8(b) {
		return false // encoding/json replaces invalid bytes: leave it to it
	}
	var line string // one copy of b, made when the first string is kept
	sub := func(a, e int) string {
		if line == "" {
			if immutable {
				line = unsafe.String(unsafe.SliceData(b), len(b))
			} else {
				line = string(b)
			}
		}
		return line[a:e]
	}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b)
	}
	for {
		key, j, esc, ok := flatString(b, i)
		if !ok || esc {
			return false // an escaped key: encoding/json matches it
		}
		i = skipWS(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		start := i
		isStr, esc := false, false
		if i < len(b) && b[i] == '"' {
			if _, i, esc, ok = flatString(b, i); !ok {
				return false
			}
			isStr = true
		} else {
			for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n' {
				c := b[i]
				if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= 'a' && c <= 'z') {
					return false // arrays, objects
				}
				i++
			}
			if i == start {
				return false
			}
			if lit := string(b[start:i]); lit != "true" && lit != "false" && lit != "null" && !json.Valid(b[start:i]) {
				return false
			}
		}
		val := b[start:i]
		null := string(val) == "null"
		str := func(dst *string) bool {
			switch {
			case null:
				return true
			case !isStr:
				return false
			case esc:
				*dst = unquote(b[start+1 : i-1])
				return true
			}
			*dst = sub(start+1, i-1)
			return true
		}
		// rawString of an id: a string's contents (unescaped), ""
		// for null, else the literal
		idOf := func() string {
			switch {
			case null:
				return ""
			case isStr && esc:
				return unquote(b[start+1 : i-1])
			case isStr:
				return sub(start+1, i-1)
			}
			return sub(start, i)
		}
		ok = true
		switch string(key) {
		case "id":
			raw.ID = json.RawMessage(val)
			ids.id = idOf()
		case "shop_id":
			raw.ShopID = json.RawMessage(val)
			ids.shop = idOf()
		case "price":
			raw.Price = json.RawMessage(val)
		case "title":
			ok = str(&raw.Title)
		case "brand":
			ok = str(&raw.Brand)
		case "category":
			ok = str(&raw.Category)
		case "listed_at":
			ok = str(&raw.ListedAt)
		case "last_sale_at":
			ok = str(&raw.LastSaleAt)
		case "image_paths":
			raw.ImagePaths = json.RawMessage(val)
		case "licensed":
			switch string(val) {
			case "true":
				raw.Licensed = true
			case "false", "null":
				raw.Licensed = false
			default:
				ok = false
			}
		case "bundle_item_ids":
			ok = null
		default:
			// encoding/json matches keys case-insensitively: leave any
			// near-miss to it
			if bytes.ContainsAny(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				ok = false
			}
		}
		if !ok {
			return false
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			return skipWS(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipWS(b, i+1)
	}
}

// validUTF8 is utf8.Valid, with the three-byte characters of Chinese text
// (lead bytes E1–EC: no surrogates or overlong forms there) checked inline.
func validUTF8(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < utf8.RuneSelf:
			i++
		case c >= 0xE1 && c <= 0xEC && i+2 < len(b) && b[i+1]&0xC0 == 0x80 && b[i+2]&0xC0 == 0x80:
			i += 3
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
		}
	}
	return true
}

// flatString reads a JSON string without control characters at b[i] and
// returns its contents (still quoted: escaped tells whether it holds
// escapes, all of them valid, for unquote) and the index after it. ok is
// false on anything encoding/json would reject.
func flatString(b []byte, i int) (contents []byte, end int, escaped, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"': // the caller checked that b is valid UTF-8
			return b[i+1 : j], j + 1, escaped, true
		case c < 0x20:
			return nil, i, false, false
		case c == '\\':
			if j+1 >= len(b) {
				return nil, i, false, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if hex4(b[j+2:]) < 0 {
					return nil, i, false, false
				}
				j += 5
			default:
				return nil, i, false, false
			}
			escaped = true
		}
	}
	return nil, i, false, false
}

// hex4 is the value of the four hex digits b starts with, or -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote undoes the escapes of string contents flatString accepted, as
// encoding/json does: \uXXXX pairs of UTF-16 surrogates make one
// character, a surrogate without its pair becomes U+FFFD.
func unquote(s []byte) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				var r2 rune = -1
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					b = utf8.AppendRune(b, d)
					i += 6
					continue
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // " \ /
			b = append(b, e)
		}
		i += 2
	}
	return string(b)
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func csvWindows(r io.Reader, size int) func() (*listing.Window, error) {
	ch := make(chan *listing.Window, 2)
	var readErr error
	go func() {
		defer close(ch)
		w := &listing.Window{}
		readErr = readCSV(r, func(l listing.Listing) error {
			w.Listings = append(w.Listings, l)
			if len(w.Listings) == size {
				ch <- w
				w = &listing.Window{}
			}
			return nil
		})
		if len(w.Listings) > 0 && readErr == nil {
			ch <- w
		}
	}()
	return func() (*listing.Window, error) {
		w, ok := <-ch
		if !ok {
			return nil, readErr
		}
		return w, nil
	}
}
