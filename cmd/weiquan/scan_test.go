package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t *testing.T, path string, seed int) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			v := uint8((x*seed + y*(7-seed)) % 256)
			if (x/8+y/8)%2 == seed%2 {
				v = 255 - v
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestScanJSONLReportAndExit(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png"), filepath.Join(dir, "c.png")
	writePNG(t, a, 1)
	writePNG(t, b, 1) // same picture as a
	writePNG(t, c, 4)
	lines := []map[string]any{
		{"id": "1", "title": "【淘宝最低价】包身蓬蓬裙", "shop_id": "S1", "price": "59.00", "image_paths": []string{a}},
		{"id": "2", "title": "夏季连衣裙 雪纺", "shop_id": "S1", "price": 59, "image_paths": []string{b}},
		{"id": "3", "title": "夏季连衣裙 雪纺 长款", "shop_id": "S1", "price": "59", "image_paths": []string{c}},
		{"id": "4", "title": "国家级 特供 茶叶", "shop_id": "S2", "listed_at": "2025-01-01", "last_sale_at": "2025-02-01"},
	}
	var in bytes.Buffer
	for _, l := range lines {
		b, _ := json.Marshal(l)
		in.Write(append(b, '\n'))
	}
	file := filepath.Join(dir, "listings.jsonl")
	if err := os.WriteFile(file, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"scan", file, "--now", "2026-12-01T00:00:00Z"}, &out, &errb)
	if !errors.Is(err, errSeverity) {
		t.Fatalf("want the severity exit, got %v (%s)", err, errb.String())
	}
	seen := map[string]map[string]any{}
	for _, ln := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(ln), &f); err != nil {
			t.Fatalf("bad report line %q: %v", ln, err)
		}
		for _, k := range []string{"listing_id", "rule_id", "kind", "start", "end", "text", "severity", "action"} {
			if _, ok := f[k]; !ok {
				t.Fatalf("report line lacks %s: %s", k, ln)
			}
		}
		seen[f["listing_id"].(string)+" "+f["kind"].(string)] = f
	}
	for _, want := range []string{"1 extreme_word", "2 image_duplicate", "4 extreme_word", "4 stale"} {
		if seen[want] == nil {
			t.Errorf("missing %s in %v", want, seen)
		}
	}
	if seen["3 image_duplicate"] != nil {
		t.Error("a different picture is not an image duplicate")
	}
	if f := seen["1 extreme_word"]; f["text"] != "淘宝最低价" || f["start"] != float64(1) || f["end"] != float64(6) {
		t.Errorf("span: %v", f)
	}
	// --fail-on none: same findings, exit 0; CSV report
	out.Reset()
	if err := run(context.Background(), []string{"scan", "--fail-on", "none", "--out", "csv", file}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "listing_id,rule_id,kind,start,end,text,severity,action") {
		t.Errorf("csv header: %q", out.String()[:60])
	}
}

func TestScanCSVInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "l.csv")
	csv := "id,title,shop_id\n1,纯棉T恤 男,S\n2,纯棉t恤男,S\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"scan", file, "--fail-on", "high"}, &out, &errb); err != nil {
		t.Fatalf("medium duplicate must not fail at high: %v", err)
	}
	if !strings.Contains(out.String(), `"kind":"duplicate"`) {
		t.Errorf("duplicate not reported: %s", out.String())
	}
	if err := run(context.Background(), []string{"scan", file, "--fail-on", "medium"}, &out, &errb); !errors.Is(err, errSeverity) {
		t.Errorf("want severity exit at medium, got %v", err)
	}
}

func TestEvalAbsentData(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--data", filepath.Join(t.TempDir(), "nope")}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "absent") {
		t.Errorf("eval must say the data is absent: %q", out.String())
	}
}
