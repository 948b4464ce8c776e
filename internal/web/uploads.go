package web

import (
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
)

// uploadFiles stores every file of a form's "files" (several) and "file"
// fields as evidence of the case, after checking them all for type and
// size (nothing is stored when one is refused); it returns their ids in
// order. The caption applies to each.
func (a *App) uploadFiles(r *http.Request, c service.Caller, caseID string) ([]string, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		if err == http.ErrNotMultipart {
			return nil, nil
		}
		if strings.Contains(err.Error(), "too large") {
			return nil, &fault.Error{Code: fault.PayloadTooBig, Field: "files", Message: "文件过大 / the files are too large"}
		}
		return nil, fault.Field("files", "无法读取上传的文件 / cannot read the uploaded files")
	}
	if err := httpx.CheckValues(r.MultipartForm.Value); err != nil {
		return nil, err
	}
	if err := checkComplaintFiles(r, a.maxFileBytes()); err != nil {
		return nil, err
	}
	var files []*multipart.FileHeader
	files = append(files, r.MultipartForm.File["files"]...)
	files = append(files, r.MultipartForm.File["file"]...)
	caption := strings.TrimSpace(r.FormValue("caption"))
	var ids []string
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fault.Field("files", "无法读取上传的文件 / cannot read the uploaded file")
		}
		rec, err := a.svc.UploadEvidence(r.Context(), c, service.Upload{CaseID: caseID, Caption: caption, DeclaredName: fh.Filename, Body: f})
		f.Close()
		if err != nil {
			return nil, onFilesField(err, fh.Filename)
		}
		ids = append(ids, rec.ID)
	}
	return ids, nil
}

// onFilesField names the form's "files" field, and the file, in the blob
// store's refusal of one file.
func onFilesField(err error, name string) error {
	fe, ok := fault.As(err)
	if !ok || fe.Field != "file" {
		return err
	}
	out := *fe
	out.Field = "files"
	zh, en, both := strings.Cut(fe.Message, " / ")
	if both {
		out.Message = name + "：" + zh + " / " + name + ": " + en
	} else {
		out.Message = name + "：" + fe.Message
	}
	return &out
}
