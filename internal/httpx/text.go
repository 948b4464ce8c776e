package httpx

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/fault"
)

// CheckText refuses a text value no store can keep the same way: a NUL
// character (PostgreSQL's text cannot hold one, SQLite's can) or bytes
// that are not UTF-8. The refusal (400) names field.
func CheckText(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fault.Field(field, "不能包含 NUL 字符 / must not contain NUL characters")
	}
	if !utf8.ValidString(s) {
		return fault.Field(field, "须为 UTF-8 文本 / must be UTF-8 text")
	}
	return nil
}

// CheckValues applies CheckText to every name and value of a query string
// or form, naming the parameter; names are checked in order so the same
// request always names the same one.
func CheckValues(vs url.Values) error {
	names := make([]string, 0, len(vs))
	for k := range vs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := CheckText("query", k); err != nil {
			return err
		}
		for _, v := range vs[k] {
			if err := CheckText(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckRequestText applies CheckText to a request's path and query string
// (the path is named "path", a parameter by its name).
func CheckRequestText(r *http.Request) error {
	if err := CheckText("path", r.URL.Path); err != nil {
		return err
	}
	return CheckValues(r.URL.Query())
}

// checkStrings applies CheckText to every string inside a decoded value —
// struct fields (named by their JSON path, e.g. items[0].title), map keys
// and values, slices, and JSON kept raw — so that a text that cannot be
// stored alike on both engines is refused before it reaches a store.
func checkStrings(v any) error { return walkText(reflect.ValueOf(v), "") }

var rawMessage = reflect.TypeFor[json.RawMessage]()

func walkText(v reflect.Value, path string) error {
	name := func() string { return cmpOr(path, "body") }
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), path)
	case reflect.String:
		return CheckText(name(), v.String())
	case reflect.Slice:
		if v.Type() == rawMessage {
			if v.Len() == 0 {
				return nil
			}
			var x any
			if json.Unmarshal(v.Bytes(), &x) != nil {
				return nil // not ours to judge: the field's own decoding refuses it
			}
			return walkText(reflect.ValueOf(x), path)
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes, not text
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if err := walkText(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			p := join(path, k.String())
			if k.Kind() == reflect.String {
				if err := CheckText(name(), k.String()); err != nil {
					return err
				}
			}
			if err := walkText(v.MapIndex(k), p); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "-" {
				continue
			}
			p := path
			if !f.Anonymous || tag != "" {
				p = join(path, cmpOr(tag, f.Name))
			}
			if err := walkText(v.Field(i), p); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
