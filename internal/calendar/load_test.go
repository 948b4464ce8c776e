package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const notice25 = "2025,notice,国务院办公厅关于2025年部分节假日安排的通知,国办发明电〔2024〕12号\n"

func TestLoadAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		years      int
	}{
		{"minimal", notice25 + "2025-01-01,off,元旦\n", 1},
		{"comments, blank lines, spaces, CRLF", "# header\r\n\r\n" + strings.TrimSuffix(notice25, "\n") + "\r\n  2025-01-01 , off , 元旦 \r\n# end\r\n", 1},
		{"notice without a document number", "2025,notice,通知\n2025-01-26,work,春节\n", 1},
		{"New Year's arrangement reaching into December", "2019,notice,通知\n2018-12-29,work,元旦\n2018-12-30,off,元旦\n2018-12-31,off,元旦\n2019-01-01,off,元旦\n", 1},
		{"two notices", notice25 + "2025-01-01,off,元旦\n2026,notice,通知\n2026-01-01,off,元旦\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load([]byte(tc.data))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := len(c.Years()); got != tc.years {
				t.Errorf("Years() = %v, want %d years", c.Years(), tc.years)
			}
		})
	}
	// The December line of the 2019 example applies.
	c, err := Load([]byte("2019,notice,通知\n2018-12-29,work,元旦\n2018-12-31,off,元旦\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(at(t, "2018-12-29 10:00")) || c.IsWorkingDay(at(t, "2018-12-31 10:00")) {
		t.Error("December entries of the 2019 notice not applied")
	}
}

// TestLoadRefuses checks that Load refuses bad files with an error naming the line and the
// date or value at fault. Cases live in testdata/bad/*.csv; the first line of each is a comment
// "# want: FRAGMENT; FRAGMENT…" listing what the error must contain.
func TestLoadRefuses(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("first line %q is not a '# want:' comment", first)
			}
			_, err = Load(data)
			if err == nil {
				t.Fatal("Load accepted a bad file")
			}
			for _, frag := range strings.Split(want, ";") {
				if frag = strings.TrimSpace(frag); !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not contain %q", err, frag)
				}
			}
		})
	}
}

func TestLoadRefusesInline(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "no notice"},
		{"only comments", "# nothing\n", "no notice"},
		{"broken quoting", notice25 + "2025-01-01,off,\"元旦\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestEmbeddedFileLoads(t *testing.T) {
	if _, err := Load(embedded); err != nil {
		t.Fatal(err)
	}
	if Default() != Default() {
		t.Error("Default() is parsed more than once")
	}
}

// FuzzLoad checks that Load never panics and that what it accepts is usable.
func FuzzLoad(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(notice25 + "2025-01-01,off,元旦\n"))
	f.Add([]byte("2019,notice,通知\n2018-12-29,work,元旦\n"))
	if files, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.csv")); len(files) > 0 {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(data)
		if err != nil {
			return
		}
		if len(c.Years()) == 0 {
			t.Fatal("accepted a file without a notice")
		}
		for _, e := range c.entries {
			if got := c.IsWorkingDay(e.Date); got != (e.Kind == MakeUp) {
				t.Fatalf("%s %s: IsWorkingDay = %v", e.Date, e.Kind, got)
			}
		}
		from := at(t, "2025-09-30 10:00")
		if got := c.WorkingDaysBetween(from, c.AddWorkingDays(from, 5)); got != 5 {
			t.Fatalf("round trip gave %d", got)
		}
	})
}
