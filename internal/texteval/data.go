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
	"strconv"
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

// ColumnError is a CSV file whose header the reader refuses: columns it
// does not know (a file read by position would score them silently as
// something else) or required columns that are absent.
type ColumnError struct {
	Unknown []string // header names not in Known
	Missing []string // required names absent
	Known   []string // every name the reader knows, required first
}

func (e *ColumnError) Error() string {
	var parts []string
	if len(e.Unknown) > 0 {
		parts = append(parts, fmt.Sprintf("未知的列 / unknown column(s) %s", quoteAll(e.Unknown)))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("缺少必需的列 / missing required column(s) %s", quoteAll(e.Missing)))
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(" (known columns: %s)", strings.Join(e.Known, ", "))
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// csvSchema names the columns of a CSV file: every required one must be in
// the header, optional ones may be; aliases map other spellings of a name
// (compared case-insensitively) to it, "" being an unnamed first column
// (a pandas index).
type csvSchema struct {
	Required, Optional []string
	Aliases            map[string]string
}

// csvRow is one record of a CSV file, read by header name.
type csvRow struct {
	col  map[string]int
	rec  []string
	line int
}

// Get is the field of column name ("" when the column is absent or the
// record short).
func (r csvRow) Get(name string) string {
	if i, ok := r.col[name]; ok && i < len(r.rec) {
		return r.rec[i]
	}
	return ""
}

// Has reports whether the file has column name.
func (r csvRow) Has(name string) bool { _, ok := r.col[name]; return ok }

// header maps the header row onto the schema's names, or refuses it.
func (s csvSchema) header(head []string) (map[string]int, error) {
	known := map[string]bool{}
	for _, n := range append(append([]string(nil), s.Required...), s.Optional...) {
		known[n] = true
	}
	col := map[string]int{}
	var unknown []string
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if a, ok := s.Aliases[name]; ok && (name != "" || i == 0) {
			name = a
		}
		if !known[name] {
			unknown = append(unknown, strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
			continue
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("列重复 / column %q appears twice", name)
		}
		col[name] = i
	}
	var missing []string
	for _, n := range s.Required {
		if _, ok := col[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(unknown) > 0 || len(missing) > 0 {
		return nil, &ColumnError{Unknown: unknown, Missing: missing, Known: append(append([]string(nil), s.Required...), s.Optional...)}
	}
	return col, nil
}

// csvReader returns a reader of a CSV file with a header row, read by
// column name under schema s: each later record with a field for every
// required column becomes one item through row, shorter records are
// skipped, and quotes are read leniently. A header with a column the
// schema does not know, or without a required one, is a *ColumnError.
func csvReader[T any](s csvSchema, row func(r csvRow) T) func(io.Reader) ([]T, error) {
	return func(f io.Reader) ([]T, error) {
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		head, err := r.Read()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		col, err := s.header(head)
		if err != nil {
			return nil, err
		}
		need := 0
		for _, n := range s.Required {
			need = max(need, col[n]+1)
		}
		var out []T
		for line := 2; ; line++ {
			rec, err := r.Read()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if len(rec) >= need {
				out = append(out, row(csvRow{col: col, rec: rec, line: line}))
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
	return loadAll(dir, ReviewsSet, "*.csv", csvReader(reviewSchema, func(r csvRow) Review {
		id := r.Get("id")
		if !r.Has("id") {
			id = strconv.Itoa(r.line) // no id column: the line number
		}
		return Review{ID: id, Cat: r.Get("cat"), Positive: strings.TrimSpace(r.Get("label")) == "1", Text: r.Get("review")}
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

// reviewSchema: the columns of ecommerce_reviews_sentiment (README:
// id,cat,label,review; the original online_shopping_10_cats has no id).
var reviewSchema = csvSchema{Required: []string{"label", "review"}, Optional: []string{"id", "cat"},
	Aliases: map[string]string{"": "id", "text": "review", "category": "cat"}}

// coldSchema: the columns of cold_offensive (README: id,split,topic,label,text;
// COLDataset's own files call the text TEXT).
var coldSchema = csvSchema{Required: []string{"label", "text"}, Optional: []string{"id", "split", "topic"},
	Aliases: map[string]string{"": "id"}}

var readCOLD = csvReader(coldSchema, func(r csvRow) Labelled {
	id := r.Get("id")
	if !r.Has("id") {
		id = strconv.Itoa(r.line)
	}
	return Labelled{ID: id, Topic: r.Get("topic"), Label: strings.TrimSpace(r.Get("label")) == "1", Text: r.Get("text")}
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
