package texteval

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoData means the data folder (or one of its sets) is absent.
var ErrNoData = errors.New("data absent")

// Review is one labelled shopping review (ecommerce_reviews_sentiment).
type Review struct {
	ID       string
	Cat      string
	Positive bool
	Text     string
}

// HeldOut reports whether an item id falls in the evaluation split (1 in
// every `of`, by FNV-1a hash of the id, so the split never depends on file
// order).
func HeldOut(id string, of uint32) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%of == 0
}

func open(dir, rel string) (*os.File, error) {
	f, err := os.Open(filepath.Join(dir, rel))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, rel), ErrNoData)
	}
	return f, err
}

// Glob returns the files of data set folder `set` under dir whose names
// match pattern (e.g. "*.csv"), sorted, as paths relative to dir. No match
// is ErrNoData, naming the folder and pattern looked for. A held-out folder
// may name its files differently (…_test.csv): every matching file counts.
func Glob(dir, set, pattern string) ([]string, error) {
	ms, err := filepath.Glob(filepath.Join(dir, set, pattern))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if st, err := os.Stat(m); err == nil && !st.IsDir() {
			out = append(out, filepath.Join(set, filepath.Base(m)))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, set, pattern), ErrNoData)
	}
	sort.Strings(out)
	return out, nil
}

// Data set folders and the files read from each.
const (
	ReviewsSet   = "ecommerce_reviews_sentiment"
	AspectsSet   = "ecommerce_review_aspects_zhijiang2019"
	ColdSet      = "cold_offensive"
	ECDSet       = "taobao_cs_dialogue_ecd_sample"
	TitlesSet    = "taobao_title_ner"
	GazetteerSet = "ecommerce_gazetteers"
	ExtremeSet   = "adlaw_extreme_words"
)

// loadAll reads every file of set matching pattern with read.
func loadAll[T any](dir, set, pattern string, read func(io.Reader) ([]T, error)) ([]T, []string, error) {
	rels, err := Glob(dir, set, pattern)
	if err != nil {
		return nil, nil, err
	}
	var out []T
	for _, rel := range rels {
		f, err := open(dir, rel)
		if err != nil {
			return nil, nil, err
		}
		xs, err := read(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, rel), err)
		}
		out = append(out, xs...)
	}
	return out, rels, nil
}

// LoadReviews reads every CSV file of ecommerce_reviews_sentiment.
func LoadReviews(dir string) ([]Review, error) {
	rv, _, err := LoadReviewFiles(dir)
	return rv, err
}

// LoadReviewFiles is LoadReviews, also returning the files read.
func LoadReviewFiles(dir string) ([]Review, []string, error) {
	return loadAll(dir, ReviewsSet, "*.csv", readReviews)
}

func readReviews(f io.Reader) ([]Review, error) {
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out []Review
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if first || len(rec) < 4 {
			continue
		}
		out = append(out, Review{ID: rec[0], Cat: rec[1], Positive: rec[2] == "1", Text: rec[3]})
	}
	return out, nil
}

// AspectReview is one review of ecommerce_review_aspects_zhijiang2019.
type AspectReview struct {
	ID         int      `json:"id"`
	Text       string   `json:"text"`
	CatPol     []string `json:"category_polarity"`
	Categories map[string]bool
	Negative   map[string]bool
}

// LoadAspects reads every JSONL file of the aspect-labelled reviews.
func LoadAspects(dir string) ([]AspectReview, error) {
	as, _, err := LoadAspectFiles(dir)
	return as, err
}

// LoadAspectFiles is LoadAspects, also returning the files read.
func LoadAspectFiles(dir string) ([]AspectReview, []string, error) {
	return loadAll(dir, AspectsSet, "*.jsonl", readAspects)
}

func readAspects(f io.Reader) ([]AspectReview, error) {
	var out []AspectReview
	err := eachJSONL(f, func(b []byte) error {
		var a AspectReview
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		a.Categories, a.Negative = map[string]bool{}, map[string]bool{}
		for _, cp := range a.CatPol {
			c, p, _ := strings.Cut(cp, "|")
			a.Categories[c] = true
			if p == "负面" {
				a.Negative[c] = true
			}
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Labelled is a text with a binary label.
type Labelled struct {
	ID    string
	Text  string
	Label bool
	Topic string
}

// LoadCOLD reads cold_offensive/cold_{train,dev}.csv.
func LoadCOLD(dir, split string) ([]Labelled, error) {
	xs, _, err := loadAll(dir, ColdSet, "cold_"+split+".csv", readCOLD)
	return xs, err
}

// LoadCOLDFiles reads every CSV file of cold_offensive (a held-out folder
// may hold only the test file), also returning the files read.
func LoadCOLDFiles(dir string) ([]Labelled, []string, error) {
	return loadAll(dir, ColdSet, "*.csv", readCOLD)
}

func readCOLD(f io.Reader) ([]Labelled, error) {
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out []Labelled
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if first || len(rec) < 5 {
			continue
		}
		out = append(out, Labelled{ID: rec[0], Topic: rec[2], Label: rec[3] == "1", Text: rec[4]})
	}
	return out, nil
}

// Dialogue is one ECD context with its seller response.
type Dialogue struct {
	ContextID string `json:"context_id"`
	Label     int    `json:"label"`
	Context   []struct {
		Role string `json:"role_inferred"`
		Text string `json:"text"`
	} `json:"context"`
	Response struct {
		Role string `json:"role_inferred"`
		Text string `json:"text"`
	} `json:"response"`
}

// LoadECD reads every JSONL file of taobao_cs_dialogue_ecd_sample.
func LoadECD(dir string) ([]Dialogue, error) {
	ds, _, err := LoadECDFiles(dir)
	return ds, err
}

// LoadECDFiles is LoadECD, also returning the files read.
func LoadECDFiles(dir string) ([]Dialogue, []string, error) {
	return loadAll(dir, ECDSet, "*.jsonl", readECD)
}

func readECD(f io.Reader) ([]Dialogue, error) {
	var out []Dialogue
	err := eachJSONL(f, func(b []byte) error {
		var d Dialogue
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// Entity is an annotated span of a title (rune offsets).
type Entity struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// Title is one annotated listing title of taobao_title_ner.
type Title struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Split    string   `json:"split"`
	Text     string   `json:"text"`
	Entities []Entity `json:"entities"`
}

// LoadTitles reads every JSONL file of taobao_title_ner.
func LoadTitles(dir string) ([]Title, error) {
	ts, _, err := LoadTitleFiles(dir)
	return ts, err
}

// LoadTitleFiles is LoadTitles, also returning the files read.
func LoadTitleFiles(dir string) ([]Title, []string, error) {
	return loadAll(dir, TitlesSet, "*.jsonl", readTitles)
}

func readTitles(f io.Reader) ([]Title, error) {
	var out []Title
	err := eachJSONL(f, func(b []byte) error {
		var t Title
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// LoadLines reads a one-term-per-line file relative to dir.
func LoadLines(dir, rel string) ([]string, error) {
	f, err := open(dir, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLines(f)
}

// LoadExtremeTermFiles reads every .txt term list of adlaw_extreme_words.
func LoadExtremeTermFiles(dir string) ([]string, []string, error) {
	return loadAll(dir, ExtremeSet, "*.txt", readLines)
}

func readLines(f io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	return out, sc.Err()
}

// LoadGazetteerBrands reads the union of ecommerce_gazetteers/brand*.txt.
func LoadGazetteerBrands(dir string) ([]string, error) {
	xs, _, err := loadAll(dir, GazetteerSet, "brand*.txt", readLines)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out, nil
}

func eachJSONL(r io.Reader, fn func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return sc.Err()
}
