package script

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/weiquan/weiquan/internal/nbayes"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// Aspect names a review aspect a routing model detects, and the scenarios
// it feeds.
type Aspect struct {
	ID        string   // file name stem, e.g. "logistics"
	Category  string   // category label in the aspect data, e.g. "物流"
	Scenarios []string // scenarios this aspect suggests
}

// Aspects are the trainable routing aspects.
var Aspects = []Aspect{
	{ID: "logistics", Category: "物流", Scenarios: []string{"logistics_delay", "lost_parcel"}},
	{ID: "packaging", Category: "包装", Scenarios: []string{"damaged_in_transit"}},
	{ID: "authenticity", Category: "真伪", Scenarios: []string{"not_as_described"}},
	{ID: "service", Category: "服务", Scenarios: []string{"rude_service", "slow_response"}},
	{ID: "quality", Category: "功效", Scenarios: []string{"poor_quality"}},
}

// Models are the optional trained classifiers of the router: one per
// aspect and the complaint-vs-praise model. They are trained from data
// whose licence does not allow shipping them, so they are loaded from a
// folder written by `weiquan train` (never embedded).
type Models struct {
	Aspect    map[string]*nbayes.Model // by Aspect.ID
	Complaint *nbayes.Model
}

// LoadModels reads <dir>/complaint.nbm and <dir>/aspect-<id>.nbm; missing
// files are skipped. A missing dir gives empty models and no error.
func LoadModels(dir string) (*Models, error) {
	m := &Models{Aspect: map[string]*nbayes.Model{}}
	if dir == "" {
		return m, nil
	}
	load := func(name string) (*nbayes.Model, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		mm, err := nbayes.Read(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return mm, nil
	}
	var err error
	if m.Complaint, err = load("complaint.nbm"); err != nil {
		return nil, err
	}
	for _, a := range Aspects {
		mm, err := load("aspect-" + a.ID + ".nbm")
		if err != nil {
			return nil, err
		}
		if mm != nil {
			m.Aspect[a.ID] = mm
		}
	}
	for _, mm := range m.Aspect {
		if mm.Words {
			// word-feature models: load the segmenter's dictionary in the
			// background, so that neither start-up nor the first request
			// waits for it (textnorm.Words loads it once, on demand).
			go textnorm.LoadWords()
			break
		}
	}
	return m, nil
}

// Router classifies incoming text into scenarios: keyword evidence from the
// library (one Aho-Corasick pass) combined with the aspect models when they
// are loaded.
type Router struct {
	lib      *Library
	models   *Models
	matcher  *textnorm.Matcher
	kwOwner  []string // pattern index → scenario id
	kwPhrase []string
}

// Models returns the router's models (nil for a keyword-only router).
func (r *Router) Models() *Models { return r.models }

// NewRouter builds a router over the library; models may be nil.
func NewRouter(lib *Library, models *Models) *Router {
	r := &Router{lib: lib, models: models}
	var pats []string
	for _, s := range lib.Scenarios {
		for _, k := range s.Keywords {
			pats = append(pats, k)
			r.kwOwner = append(r.kwOwner, s.ID)
			r.kwPhrase = append(r.kwPhrase, k)
		}
	}
	r.matcher = textnorm.NewMatcher(pats)
	return r
}

// Suggestion is one ranked scenario.
type Suggestion struct {
	Scenario   string   `json:"scenario"`
	Name       string   `json:"name"`
	Confidence float64  `json:"confidence"`
	Evidence   []string `json:"evidence"`
	Via        string   `json:"via"` // keyword, model or keyword+model
}

// Result is the routing of one text.
type Result struct {
	Suggestions []Suggestion `json:"suggestions"`
	// Complaint is the probability that the text is a complaint (nil when
	// no complaint model is loaded).
	Complaint *float64 `json:"complaint_probability"`
}

// Suggest ranks the scenarios for text (confidence in [0, 1], best first);
// scenarios with no evidence are left out.
func (r *Router) Suggest(text string) Result {
	tx := textnorm.New(text)
	type acc struct {
		kw    float64
		model float64
		ev    []string
		forms int
	}
	byID := map[string]*acc{}
	get := func(id string) *acc {
		a := byID[id]
		if a == nil {
			a = &acc{}
			byID[id] = a
		}
		return a
	}
	for _, f := range forms {
		if _, ok := r.lib.Scenario(f.scenario); !ok {
			continue
		}
		if m := f.re.FindString(tx.Norm); m != "" && (f.unless == nil || !f.unless.MatchString(tx.Norm)) {
			a := get(f.scenario)
			a.ev = append(a.ev, m)
			a.forms++
		}
	}
	seen := map[int]bool{}
	for _, h := range r.matcher.FindAll(tx.Norm) {
		if seen[h.Pattern] {
			continue
		}
		seen[h.Pattern] = true
		a := get(r.kwOwner[h.Pattern])
		a.ev = append(a.ev, r.kwPhrase[h.Pattern])
	}
	for _, a := range byID {
		// 1 keyword → 0.6, 2 → 0.8, 3 → 0.9 …; a form is specific
		// wording and weighs as two keywords
		p := 1.0
		for range len(a.ev) + a.forms {
			p *= 0.5
		}
		a.kw = 1 - 0.8*p
		if len(a.ev) == 0 {
			a.kw = 0
		}
	}
	var res Result
	if r.models != nil {
		feats := map[string][]string{} // one segmentation per text, shared by the aspect models
		for _, asp := range Aspects {
			m := r.models.Aspect[asp.ID]
			if m == nil {
				continue
			}
			key := m.FeatureKey()
			fs, ok := feats[key]
			if !ok {
				fs = m.Features(text)
				feats[key] = fs
			}
			p := nbayes.Probability(m.ScoreFeatures(fs) - m.Threshold)
			for _, sid := range asp.Scenarios {
				if p > 0.5 || byID[sid] != nil {
					a := get(sid)
					if p > a.model {
						a.model = p
					}
				}
			}
		}
		if r.models.Complaint != nil {
			p := nbayes.Probability(r.models.Complaint.Score(text) - r.models.Complaint.Threshold)
			res.Complaint = &p
		}
	}
	for id, a := range byID {
		s, ok := r.lib.Scenario(id)
		if !ok {
			continue
		}
		sg := Suggestion{Scenario: id, Name: s.Name, Evidence: a.ev}
		switch {
		case a.kw > 0 && a.model > 0.5:
			sg.Via, sg.Confidence = "keyword+model", 1-(1-a.kw)*(1-a.model)
		case a.model > a.kw:
			sg.Via, sg.Confidence = "model", a.model
		default:
			sg.Via, sg.Confidence = "keyword", a.kw
		}
		if sg.Confidence <= 0 {
			continue
		}
		if sg.Evidence == nil {
			sg.Evidence = []string{}
		}
		sg.Confidence = float64(int(sg.Confidence*1000+0.5)) / 1000
		res.Suggestions = append(res.Suggestions, sg)
	}
	sort.Slice(res.Suggestions, func(i, j int) bool {
		a, b := res.Suggestions[i], res.Suggestions[j]
		if a.Confidence != b.Confidence {
			return a.Confidence > b.Confidence
		}
		return a.Scenario < b.Scenario
	})
	if res.Suggestions == nil {
		res.Suggestions = []Suggestion{}
	}
	return res
}

// form is wording that a keyword list cannot hold: a waited duration
// ("等了两个小时", "三天了还没到") or a short count ("少了两件"). Forms
// are evidence like a keyword; unless suppresses a form whose context
// belongs to another scenario (waiting for a reply is slow_response).
type form struct {
	scenario string
	re       *regexp.Regexp
	unless   *regexp.Regexp
}

const (
	numWord  = `[0-9一二两三四五六七八九十几半好多]+`
	waitUnit = `(个)?(多)?(小时|钟头|分钟|天|日|周|星期|礼拜|月)`
	countCls = `(个|件|双|瓶|盒|包|只|条|本|支|袋|套|块|根|片|罐|样)`
)

var forms = []form{
	// 等了两个小时 / 都三天了 / 过了一周还没 … about the goods, not a reply
	{"logistics_delay", regexp.MustCompile(`(等了|等|过了|都|已经|超过)` + numWord + waitUnit + `(了)?(还|也|都|仍|依然)?(没|不|未)`),
		regexp.MustCompile(`回复|回消息|回我|没人|客服|接电话|人工|理我`)},
	{"logistics_delay", regexp.MustCompile(`等了` + numWord + waitUnit),
		regexp.MustCompile(`回复|回消息|回我|没人|客服|接电话|人工|理我`)},
	// 少了两件 / 少发一个 / 只收到一个 / 缺了一瓶
	{"wrong_item", regexp.MustCompile(`(少|缺|漏)(了|发|寄|给)?` + `[0-9一二两三四五六七八九十几]+` + countCls), nil},
	{"wrong_item", regexp.MustCompile(`(只|才)(收到|到了|有|发了|寄了)` + `[0-9一二两三四五六七八九十几]+` + countCls), nil},
}
