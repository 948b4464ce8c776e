package demo

import (
	"bufio"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// TitlesFile is where real listing titles are read from, relative to the data folder.
const TitlesFile = "taobao_title_ner/titles_ner_dev.jsonl"

// maxTitleRunes caps a title's length.
const maxTitleRunes = 60

// cleanTitle tidies a real listing title: the jie2019 titles use ',' where
// the original had separators; HTML entities are decoded, whitespace is
// collapsed and the length capped. It returns "" for a title not worth
// showing (too short, a book, or with broken characters).
func cleanTitle(s string) string {
	s = html.UnescapeString(s)
	s = strings.NewReplacer(",", " ", "，", " ").Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxTitleRunes {
		s = strings.TrimSpace(string([]rune(s)[:maxTitleRunes]))
	}
	if strings.ContainsRune(s, utf8.RuneError) || strings.Contains(s, "《") || utf8.RuneCountInString(s) < 8 {
		return ""
	}
	return s
}

// titlePool holds listing titles per category.
type titlePool struct {
	byCategory map[string][]string
	real       bool   // at least one category uses real titles
	source     string // file path, or "" for the built-in titles
	total      int    // real titles usable
}

// loadTitles reads real titles from dataDir when the file is there and sorts
// them into categories by keyword; categories without any real title use
// the built-in ones. A missing file is not an error.
func loadTitles(dataDir string) (titlePool, error) {
	p := titlePool{byCategory: map[string][]string{}}
	if dataDir != "" {
		path := filepath.Join(dataDir, filepath.FromSlash(TitlesFile))
		f, err := os.Open(path)
		switch {
		case err == nil:
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
			seen := map[string]bool{}
			for sc.Scan() {
				var row struct {
					Text string `json:"text"`
				}
				if json.Unmarshal(sc.Bytes(), &row) != nil {
					continue
				}
				t := cleanTitle(row.Text)
				if t == "" || seen[t] {
					continue
				}
				if c := classify(row.Text); c != nil {
					seen[t] = true
					p.byCategory[c.Name] = append(p.byCategory[c.Name], t)
					p.total++
				}
			}
			if err := sc.Err(); err != nil {
				return p, err
			}
			if p.total > 0 {
				p.real, p.source = true, path
			}
		case errors.Is(err, fs.ErrNotExist):
		default:
			return p, err
		}
	}
	for _, c := range categories {
		if len(p.byCategory[c.Name]) == 0 {
			p.byCategory[c.Name] = c.Fallback
		}
	}
	return p, nil
}

// classify returns the first category one of whose keywords the title has.
func classify(title string) *category {
	t := strings.ToLower(title)
	for _, c := range categories {
		for _, k := range c.Keywords {
			if strings.Contains(t, k) {
				return c
			}
		}
	}
	return nil
}
