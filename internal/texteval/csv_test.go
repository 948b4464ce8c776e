package texteval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCSVByHeader: columns are found by name (any order, any case, a BOM,
// COLDataset's TEXT), so a reordered file reads the same as the README's.
func TestCSVByHeader(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ReviewsSet, "a.csv"), "\ufeffreview,label,cat,id\n物流太慢了,0,衣服,7\n很好用,1,手机,8\n")
	rv, err := LoadReviews(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Review{{ID: "7", Cat: "衣服", Positive: false, Text: "物流太慢了"}, {ID: "8", Cat: "手机", Positive: true, Text: "很好用"}}
	if len(rv) != 2 || rv[0] != want[0] || rv[1] != want[1] {
		t.Errorf("reordered header: %+v", rv)
	}
	writeFile(t, filepath.Join(dir, ColdSet, "cold_dev.csv"), "TEXT,label,topic\n你们都是一群废物,1,region\n今天天气不错,0,race\n")
	cd, err := LoadCOLD(dir, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(cd) != 2 || cd[0].Text != "你们都是一群废物" || !cd[0].Label || cd[1].Label || cd[1].Topic != "race" || cd[0].ID == cd[1].ID {
		t.Errorf("COLD by header without id: %+v", cd)
	}
}

// TestCSVRefusesUnknownColumns: a file with a column the reader does not
// know, or without a required one, is refused with an error naming it —
// never read by position.
func TestCSVRefusesUnknownColumns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, set, file, content string
		unknown, missing         []string
	}{
		{"extra column", ReviewsSet, "a.csv", "id,source,cat,label,review\n1,jd,衣服,0,太慢\n", []string{"source"}, nil},
		{"two extra columns", ColdSet, "cold_dev.csv", "id,split,topic,label,text,annotator,score\n1,dev,race,1,滚,a,3\n", []string{"annotator", "score"}, nil},
		{"missing label", ColdSet, "cold_dev.csv", "id,topic,text\n1,race,你好\n", nil, []string{"label"}},
		{"renamed text", ReviewsSet, "a.csv", "id,cat,label,comment\n1,衣服,0,太慢\n", []string{"comment"}, []string{"review"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, c.set, c.file), c.content)
			var err error
			if c.set == ReviewsSet {
				_, err = LoadReviews(dir)
			} else {
				_, err = LoadCOLD(dir, "dev")
			}
			var ce *ColumnError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ColumnError, got %v", err)
			}
			if strings.Join(ce.Unknown, ",") != strings.Join(c.unknown, ",") || strings.Join(ce.Missing, ",") != strings.Join(c.missing, ",") {
				t.Errorf("unknown %q missing %q, want %q %q", ce.Unknown, ce.Missing, c.unknown, c.missing)
			}
			for _, col := range append(c.unknown, c.missing...) {
				if !strings.Contains(err.Error(), `"`+col+`"`) {
					t.Errorf("error does not name column %q: %v", col, err)
				}
			}
			if !strings.Contains(err.Error(), c.file) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}
