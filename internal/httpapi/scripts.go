package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/script"
	"github.com/weiquan/weiquan/internal/service"
)

// scriptRoutes registers reply scripts, routing, draft lint, the listing
// scanner and chat-log abuse detection.
func (a *API) scriptRoutes(mux *http.ServeMux) {
	a.route(mux, "GET /v1/scripts", a.listScripts)
	a.route(mux, "PUT /v1/scripts/{id}", withBody(a.putScript))
	a.route(mux, "POST /v1/scripts/suggest", withBody(a.suggestScripts))
	a.route(mux, "POST /v1/scripts/lint", withBody(a.lintDraft))
	a.route(mux, "POST /v1/listings/scan", withBody(a.scanListings))
	a.route(mux, "POST /v1/chat/scan", withBody(a.scanChat))
}

// ScriptView is one scenario of the script library.
type ScriptView struct {
	ID          string            `json:"id"`
	Status      string            `json:"status"`
	Name        string            `json:"name"`
	RuleID      string            `json:"rule_id"`
	Keywords    []string          `json:"keywords"`
	Steps       map[string]string `json:"steps"`
	Recommended []string          `json:"recommended"`
	Forbidden   []script.Phrase   `json:"forbidden"`
	Channels    []script.Rendered `json:"channels"`
	Version     int64             `json:"version"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func scriptView(lib *script.Library, s script.Scenario, m service.ScriptMeta, channel string) (ScriptView, error) {
	v := ScriptView{ID: s.ID, Status: m.Status, Name: s.Name, RuleID: s.RuleID, Keywords: s.Keywords, Steps: s.Steps,
		Recommended: s.Recommended, Forbidden: s.Forbidden, Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Channels: []script.Rendered{}}
	if v.Keywords == nil {
		v.Keywords = []string{}
	}
	chs := script.ChannelIDs
	if channel != "" {
		chs = []string{channel}
	}
	for _, ch := range chs {
		r, err := lib.Render(s, ch)
		if err != nil {
			return v, err
		}
		v.Channels = append(v.Channels, r)
	}
	return v, nil
}

func (a *API) listScripts(r *http.Request, _ service.Caller, _ []byte) (int, any, error) {
	lib, meta, err := a.svc.Scripts(r.Context())
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	channel := q.Get("channel")
	items := []ScriptView{}
	if id := q.Get("scenario"); id != "" {
		s, ok := lib.Scenario(id)
		if !ok {
			return 0, nil, fault.New(fault.NotFound, "话术场景 %s 不存在 / no script scenario %s", id, id)
		}
		v, err := scriptView(lib, s, meta[id], channel)
		if err != nil {
			return 0, nil, err
		}
		items = append(items, v)
	} else {
		for _, s := range lib.Scenarios {
			v, err := scriptView(lib, s, meta[s.ID], channel)
			if err != nil {
				return 0, nil, err
			}
			items = append(items, v)
		}
	}
	return http.StatusOK, map[string]any{"items": items, "handling_order": lib.Steps}, nil
}

type scriptEdit struct {
	Name        string            `json:"name"`
	Keywords    []string          `json:"keywords"`
	Steps       map[string]string `json:"steps"`
	Recommended []string          `json:"recommended"`
	Forbidden   []script.Phrase   `json:"forbidden"`
	Reason      string            `json:"reason"`
}

func (a *API) putScript(r *http.Request, c service.Caller, in scriptEdit) (int, any, error) {
	expect, err := ifMatch(r)
	if err != nil {
		return 0, nil, err
	}
	sc := script.Scenario{ID: r.PathValue("id"), Name: in.Name, Keywords: in.Keywords, Steps: in.Steps, Recommended: in.Recommended, Forbidden: in.Forbidden}
	sc, meta, err := a.svc.EditScript(r.Context(), c, sc, in.Reason, expect)
	if err != nil {
		return 0, nil, err
	}
	lib, _, err := a.svc.Scripts(r.Context())
	if err != nil {
		return 0, nil, err
	}
	v, err := scriptView(lib, sc, meta, "")
	return http.StatusOK, v, err
}

type suggestIn struct {
	Text    string `json:"text"`
	Channel string `json:"channel"`
}

type suggestion struct {
	script.Suggestion
	Script script.Rendered `json:"script"`
}

func (a *API) suggestScripts(r *http.Request, _ service.Caller, in suggestIn) (int, any, error) {
	if in.Text == "" {
		return 0, nil, fault.Field("text", "不能为空 / required")
	}
	if in.Channel == "" {
		in.Channel = "chat"
	}
	lib, _, err := a.svc.Scripts(r.Context())
	if err != nil {
		return 0, nil, err
	}
	if _, ok := lib.Channels[in.Channel]; !ok {
		return 0, nil, fault.Field("channel", "未知渠道 / unknown channel %q (chat, phone, email, social)", in.Channel)
	}
	res := a.text.Suggest(lib, in.Text)
	out := []suggestion{}
	for _, sg := range res.Suggestions {
		s, _ := lib.Scenario(sg.Scenario)
		rd, err := lib.Render(s, in.Channel)
		if err != nil {
			return 0, nil, err
		}
		out = append(out, suggestion{Suggestion: sg, Script: rd})
	}
	return http.StatusOK, map[string]any{"suggestions": out, "complaint_probability": res.Complaint, "models_loaded": a.text.ModelsLoaded()}, nil
}

// lintIn is POST /v1/scripts/lint.
type lintIn struct {
	Draft string `json:"draft"`
}

func (a *API) lintDraft(r *http.Request, _ service.Caller, in lintIn) (int, any, error) {
	if in.Draft == "" {
		return 0, nil, fault.Field("draft", "不能为空 / required")
	}
	lib, _, err := a.svc.Scripts(r.Context())
	if err != nil {
		return 0, nil, err
	}
	fs := a.text.Linter(lib).Lint(in.Draft)
	return http.StatusOK, map[string]any{"findings": fs, "clean": len(fs) == 0}, nil
}

// maxScanListings bounds one synchronous scan request; larger catalogues
// go through `weiquan scan`.
const maxScanListings = 5000

// maxScanBrands bounds the brand registry sent with a scan (the marketplace's
// own list: the public brand lexicons may not be shipped).
const maxScanBrands = 50000

// scanListingsIn is POST /v1/listings/scan.
type scanListingsIn struct {
	Listings []listing.Listing `json:"listings"`
	Brands   []string          `json:"brands"`
}

func (a *API) scanListings(r *http.Request, _ service.Caller, in scanListingsIn) (int, any, error) {
	if len(in.Listings) == 0 {
		return 0, nil, fault.Field("listings", "至少一条商品 / at least one listing")
	}
	if len(in.Listings) > maxScanListings {
		return 0, nil, fault.Field("listings", "一次最多 %d 条 / at most %d listings per request", maxScanListings, maxScanListings)
	}
	for i, l := range in.Listings {
		if l.ID == "" {
			return 0, nil, fault.Field("listings["+strconv.Itoa(i)+"].id", "不能为空 / required")
		}
		if len(l.ImagePaths) > 0 {
			return 0, nil, fault.Field("listings["+strconv.Itoa(i)+"].image_paths", "接口不读取服务器文件，请用 weiquan scan / the API reads no server files; use weiquan scan")
		}
	}
	if len(in.Brands) > maxScanBrands {
		return 0, nil, fault.Field("brands", "最多 %d 个品牌 / at most %d brands", maxScanBrands, maxScanBrands)
	}
	sc := a.text.Listings()
	if len(in.Brands) > 0 {
		sc = listing.NewScanner(listing.NewBrandSet(in.Brands))
	}
	fs := sc.Scan(in.Listings, a.svc.Now(), nil)
	if fs == nil {
		fs = []listing.Finding{}
	}
	return http.StatusOK, map[string]any{"findings": fs, "scanned": len(in.Listings)}, nil
}

type chatFinding struct {
	Message int `json:"message"`
	abuse.Finding
}

// scanChatIn is POST /v1/chat/scan.
type scanChatIn struct {
	Messages []struct {
		Role string `json:"role"`
		Text string `json:"text"`
	} `json:"messages"`
}

func (a *API) scanChat(r *http.Request, _ service.Caller, in scanChatIn) (int, any, error) {
	if len(in.Messages) == 0 {
		return 0, nil, fault.Field("messages", "至少一条消息 / at least one message")
	}
	out := []chatFinding{}
	for i, m := range in.Messages {
		for _, f := range a.text.Abuse().Scan(m.Text) {
			out = append(out, chatFinding{Message: i, Finding: f})
		}
	}
	return http.StatusOK, map[string]any{"findings": out}, nil
}
