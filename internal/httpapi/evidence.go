package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// MaxRequestBody is the largest body the server reads on any route (it
// caps every request at it: httpx.LimitBodies); each route has its own
// limit below it (httpx.MaxBody for JSON, the file limit plus a little for
// a streamed upload).
const MaxRequestBody = 64 << 20

// EvidenceView is a piece of evidence in a case's chain. Evidence is never
// changed: version is always 1 and status "stored".
type EvidenceView struct {
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	Status       string    `json:"status"`
	UploaderRole string    `json:"uploader_role"`
	UploaderID   string    `json:"uploader_id"`
	Digest       string    `json:"sha256"`
	Size         int64     `json:"size"`
	MediaType    string    `json:"media_type"`
	Kind         string    `json:"kind"`
	Caption      string    `json:"caption"`
	DeclaredName string    `json:"declared_name"`
	ContentURL   string    `json:"content_url"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func newEvidenceView(e store.Evidence) EvidenceView {
	return EvidenceView{ID: e.ID, CaseID: e.CaseID, Status: "stored", UploaderRole: e.UploaderRole, UploaderID: e.UploaderID,
		Digest: e.Digest, Size: e.Size, MediaType: e.MediaType, Kind: string(e.Kind), Caption: e.Caption, DeclaredName: e.DeclaredName,
		ContentURL: "/v1/evidence/" + e.ID + "/content", Version: 1, CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt}
}

// uploadEvidence: multipart/form-data with case_id, caption, satisfies
// (comma-separated checklist keys) and file, the file last: the body is
// read as it arrives and the file part streams into the blob store
// (hashed as it goes, to a temporary file renamed to its digest), so an
// upload costs a buffer, not its size; the fields must come before it.
func (a *API) uploadEvidence(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return 0, nil, fault.Field("Content-Type", "须为 multipart/form-data / want multipart/form-data")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var u service.Upload
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return 0, nil, fault.Field("file", "须上传文件 / a file is required")
		}
		if err != nil {
			if be := bodyError(err, a.uploadLimit()); fault.Is(be, fault.PayloadTooBig) {
				return 0, nil, be
			}
			return 0, nil, fault.Field("body", "multipart 格式错误 / malformed multipart body: %v", err)
		}
		if p.FormName() == "file" {
			u.DeclaredName = p.FileName()
			if err := httpx.CheckText("file", u.DeclaredName); err != nil {
				return 0, nil, err
			}
			if u.CaseID == "" {
				return 0, nil, fault.Field("case_id", "须指定案件，且在文件之前 / case_id is required, before the file part")
			}
			u.Body = p
			rec, err := a.svc.UploadEvidence(r.Context(), c, u)
			if err != nil {
				var mb *http.MaxBytesError
				if errors.As(err, &mb) {
					err = bodyError(err, a.uploadLimit())
				}
			}
			return http.StatusCreated, newEvidenceView(rec), err
		}
		val, err := io.ReadAll(io.LimitReader(p, maxFormField+1))
		if err != nil {
			return 0, nil, bodyError(err, a.uploadLimit())
		}
		if len(val) > maxFormField {
			return 0, nil, fault.Field(p.FormName(), "字段过长 / the field is too long")
		}
		if err := httpx.CheckText(p.FormName(), string(val)); err != nil {
			return 0, nil, err
		}
		switch p.FormName() {
		case "case_id":
			u.CaseID = strings.TrimSpace(string(val))
		case "caption":
			u.Caption = strings.TrimSpace(string(val))
		case "satisfies":
			for _, k := range strings.Split(string(val), ",") {
				if k = strings.TrimSpace(k); k != "" {
					u.Satisfies = append(u.Satisfies, k)
				}
			}
		default:
			return 0, nil, fault.Field(p.FormName(), "未知字段 / unknown field")
		}
	}
}

// maxFormField bounds a text field of an upload form.
const maxFormField = 64 << 10

// listEvidence pages through a case's chain in upload order; the cursor is
// the id of the last piece seen (a chain is bounded by the case budget, so
// the whole chain is read and cut here).
func (a *API) listEvidence(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.svc.CaseEvidence(r.Context(), c, r.URL.Query().Get("case_id"))
	if err != nil {
		return 0, nil, err
	}
	start := 0
	if after != "" {
		start = -1
		for i := range list {
			if list[i].ID == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return 0, nil, errBadCursor()
		}
	}
	list = list[start:min(len(list), start+limit)]
	views := mapViews(list, newEvidenceView)
	return http.StatusOK, page(views, limit, func(v EvidenceView) string { return v.ID }), nil
}

func (a *API) getEvidence(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	rec, rc, err := a.svc.OpenEvidence(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	rc.Close()
	return http.StatusOK, newEvidenceView(rec), nil
}

// evidenceContent serves the original bytes, never interpreted by the browser.
func (a *API) evidenceContent(w http.ResponseWriter, r *http.Request) {
	c, _, ok := a.admit(w, r)
	if !ok {
		return
	}
	rec, rc, err := a.svc.OpenEvidence(r.Context(), c, r.PathValue("id"))
	if err != nil {
		a.problem(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", rec.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("ETag", strconv.Quote(rec.Digest))
	h.Set("X-Evidence-SHA256", rec.Digest)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", rec.CreatedAt, rs)
		return
	}
	_, _ = io.Copy(w, rc)
}
