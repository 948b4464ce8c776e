package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// uploadFromForm stores the form's "file" (with "caption" and the
// checklist keys in "satisfies") as evidence of the case; ok is false when
// the form has no file.
func (a *App) uploadFromForm(r *http.Request, c service.Caller, caseID string) (store.Evidence, bool, error) {
	f, hdr, err := r.FormFile("file")
	if err == http.ErrMissingFile || err == http.ErrNotMultipart {
		return store.Evidence{}, false, nil
	}
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return store.Evidence{}, false, fault.New(fault.PayloadTooBig, "文件过大 / the file is too large")
		}
		return store.Evidence{}, false, fault.Field("file", "无法读取上传的文件 / cannot read the uploaded file")
	}
	defer f.Close()
	if err := httpx.CheckText("file", hdr.Filename); err != nil {
		return store.Evidence{}, false, err
	}
	if err := httpx.CheckValues(r.MultipartForm.Value); err != nil {
		return store.Evidence{}, false, err
	}
	if hdr.Size == 0 {
		return store.Evidence{}, false, nil
	}
	rec, err := a.svc.UploadEvidence(r.Context(), c, service.Upload{CaseID: caseID, Caption: strings.TrimSpace(r.FormValue("caption")),
		DeclaredName: hdr.Filename, Satisfies: r.Form["satisfies"], Body: f})
	return rec, err == nil, err
}

// uploadRequired stores the form's evidence for the case id as
// uploadFromForm does, refusing a form without a file, and flashes
// "uploaded" for the page the caller redirects to.
func (a *App) uploadRequired(w http.ResponseWriter, r *http.Request, s *session, id string) error {
	_, ok, err := a.uploadFromForm(r, s.Caller(), id)
	if err != nil {
		return err
	}
	if !ok {
		return fault.Field("file", "请选择要上传的文件 / choose a file to upload")
	}
	setFlash(w, r, doneMessage("upload"))
	return nil
}

// evidenceUpload adds evidence with a caption to a request or case.
func (a *App) evidenceUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if err := a.uploadRequired(w, r, s, id); err != nil {
		return err
	}
	back := "/requests/" + id
	if _, err := a.svc.GetDispute(r.Context(), s.Caller(), id); err == nil {
		back = "/cases/" + id
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// evidenceContent serves a visible piece of evidence's bytes (images and
// video inline in the viewer). Others' evidence is 404.
func (a *App) evidenceContent(w http.ResponseWriter, r *http.Request, s *session) error {
	rec, rc, err := a.svc.OpenEvidence(r.Context(), s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", rec.MediaType)
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; sandbox")
	if rec.Kind != "image" && rec.Kind != "video" {
		h.Set("Content-Disposition", "attachment")
	}
	_, err = io.Copy(w, rc)
	if err != nil {
		a.log.Warn("web: evidence copy", "id", rec.ID, "err", err)
	}
	return nil
}
