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

// withoutFiles drops the list of files read from a Load…Files result.
func withoutFiles[T any](xs []T, _ []string, err error) ([]T, error) { return xs, err }

// csvReader returns a reader of a CSV file with a header row: each later
// record of at least minFields fields becomes one item through row, shorter
// records are skipped, and quotes are read leniently.
func csvReader[T any](minFields int, row func(rec []string) T) func(io.Reader) ([]T, error) {
	return func(f io.Reader) ([]T, error) {
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		var out []T
		for first := true; ; first = false {
			rec, err := r.Read()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if !first && len(rec) >= minFields {
				out = append(out, row(rec))
			}
		}
	}
}

// jsonlReader returns a reader of a JSON Lines file: each non-blank line is
// decoded into one item, which then goes through fix when fix is not nil.
func jsonlReader[T any](fix func(*T)) func(io.Reader) ([]T, error) {
	return func(f io.Reader) ([]T, error) {
		var out []T
		err := eachJSONL(f, func(b []byte) error {
			var x T
			if err := json.Unmarshal(b, &x); err != nil {
				return err
			}
			if fix != nil {
				fix(&x)
			}
			out = append(out, x)
			return nil
		})
		return out, err
	}
}

// LoadReviews reads every CSV file of ecommerce_reviews_sentiment.
func LoadReviews(dir string) ([]Review, error) {
	return withoutFiles(LoadReviewFiles(dir))
}

// LoadReviewFiles is LoadReviews, also returning the files read.
func LoadReviewFiles(dir string) ([]Review, []string, error) {
	return loadAll(dir, ReviewsSet, "*.csv", csvReader(4, func(rec []string) Review {
		return Review{ID: rec[0], Cat: rec[1], Positive: rec[2] == "1", Text: rec[3]}
	}))
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
	return withoutFiles(LoadAspectFiles(dir))
}

// LoadAspectFiles is LoadAspects, also returning the files read.
func LoadAspectFiles(dir string) ([]AspectReview, []string, error) {
	return loadAll(dir, AspectsSet, "*.jsonl", jsonlReader(func(a *AspectReview) {
		a.Categories, a.Negative = map[string]bool{}, map[string]bool{}
		for _, cp := range a.CatPol {
			c, p, _ := strings.Cut(cp, "|")
			a.Categories[c] = true
			if p == "负面" {
				a.Negative[c] = true
			}
		}
	}))
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
	return withoutFiles(loadAll(dir, ColdSet, "cold_"+split+".csv", readCOLD))
}

// LoadCOLDFiles reads every CSV file of cold_offensive (a held-out folder
// may hold only the test file), also returning the files read.
func LoadCOLDFiles(dir string) ([]Labelled, []string, error) {
	return loadAll(dir, ColdSet, "*.csv", readCOLD)
}

var readCOLD = csvReader(5, func(rec []string) Labelled {
	return Labelled{ID: rec[0], Topic: rec[2], Label: rec[3] == "1", Text: rec[4]}
})

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
	return withoutFiles(LoadECDFiles(dir))
}

// LoadECDFiles is LoadECD, also returning the files read.
func LoadECDFiles(dir string) ([]Dialogue, []string, error) {
	return loadAll(dir, ECDSet, "*.jsonl", jsonlReader[Dialogue](nil))
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
	return withoutFiles(LoadTitleFiles(dir))
}

// LoadTitleFiles is LoadTitles, also returning the files read.
func LoadTitleFiles(dir string) ([]Title, []string, error) {
	return loadAll(dir, TitlesSet, "*.jsonl", jsonlReader[Title](nil))
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
