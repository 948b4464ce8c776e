package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"fmt"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/httpx"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// complaintPage is one complaint (投诉): its facts and findings, the
// respondent's deadline, the decision, the timeline, and the forms of what
// the user may do now (respond, offer or accept a settlement, withdraw,
// second complaint; staff decide).
type complaintPage struct {
	Base
	C         service.ComplaintView
	Type      policy.ComplaintType
	Deadline  *deadlineVM
	Actions   []string
	Timeline  []eventVM
	Verdicts  []complaint.Verdict
	Side      string // complainant, respondent or "" (staff)
	Decisions []*complaint.Decision
	Evidence  []evidenceVM // the complaint's own evidence chain
}

// Can reports whether the user may take the action now.
func (p *complaintPage) Can(action string) bool { return contains(p.Actions, action) }

// TypeTitle is the complaint type's name in the page language.
func (p *complaintPage) TypeTitle() string {
	if p.Lang == langEN {
		return p.Type.TitleEN
	}
	return p.Type.TitleZH
}

func complaintDeadline(v service.ComplaintView, now time.Time) *deadlineVM {
	if v.Deadline == nil {
		return nil
	}
	return &deadlineVM{Kind: v.Deadline.Kind, Actor: string(v.RespondentRole), DueAt: v.Deadline.DueAt, OnExpiry: v.Deadline.OnExpiry, RuleID: v.Deadline.RuleID, Now: now}
}

func (a *App) complaintView(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	cv, err := a.svc.GetComplaint(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := complaintPage{Base: a.base(r, s, "title.complaint"), C: cv, Verdicts: complaint.Verdicts}
	v.Type, _ = a.svc.Policy().ComplaintType(cv.Type)
	v.Deadline = complaintDeadline(cv, v.Now)
	for _, d := range []*complaint.Decision{cv.Decision, cv.FinalDecision} {
		if d != nil {
			v.Decisions = append(v.Decisions, d)
		}
	}
	staff := v.Staff()
	switch {
	case staff:
	case string(cv.ComplainantRole) == string(c.Role) && cv.ComplainantID == c.PartyID:
		v.Side = "complainant"
	default:
		v.Side = "respondent"
	}
	for _, act := range cv.AllowedActions {
		ok := false
		switch complaint.Action(act) {
		case complaint.Respond, complaint.Settle:
			ok = v.Side == "respondent"
		case complaint.AcceptSettlement, complaint.Withdraw, complaint.SecondComplaint:
			ok = v.Side == "complainant"
		case complaint.DecideIt:
			ok = staff && (cv.Status == complaint.InReview && c.Role != actor.Admin || cv.Status == complaint.SecondReview && c.Role == actor.Senior)
		}
		if ok {
			v.Actions = append(v.Actions, act)
		}
	}
	recs, err := a.svc.ComplaintEvents(ctx, c, cv.ID, 0, 500)
	if err != nil {
		return err
	}
	var names staffNames
	if staff {
		names = a.staffNames(ctx)
	}
	v.Timeline = eventsVM(recs, names)
	if v.Evidence, err = a.loadEvidence(ctx, c, cv.ID); err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "complaint", &v)
	return nil
}

func (a *App) complaintAct(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	act := complaint.Action(r.FormValue("action"))
	if !contains(complaintActionNames(), string(act)) {
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	amount, err := parseYuan(r.FormValue("amount"), "amount")
	if err != nil {
		return err
	}
	comp, err := parseYuan(r.FormValue("compensation"), "compensation")
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	cmd := complaint.Command{Action: act, Statement: trimForm(r, "statement"), Terms: trimForm(r, "terms"), Amount: amount,
		Reason: trimForm(r, "reason"), Verdict: complaint.Verdict(r.FormValue("verdict")), RuleIDs: r.Form["rule_ids"],
		Severe: r.FormValue("severe") == "1", Compensation: comp}
	if act == complaint.SecondComplaint && trimForm(r, "claim") != "" {
		cmd.NewClaim = &complaint.Claim{Text: trimForm(r, "claim")}
	}
	if act == complaint.Respond || act == complaint.SecondComplaint {
		// The files on the form join the complaint's chain and the action
		// cites them.
		ids, err := a.uploadFiles(r, s.Caller(), id)
		if err != nil {
			return err
		}
		cmd.EvidenceIDs = append(cmd.EvidenceIDs, ids...)
	}
	if _, err := a.svc.ActComplaint(r.Context(), s.Caller(), id, service.ComplaintCommand{Command: cmd}); err != nil {
		return err
	}
	return flashTo(w, r, doneMessage("complaint."+string(act)), "/complaints/"+id)
}

func complaintActionNames() []string {
	out := make([]string, len(complaint.Actions))
	for i, a := range complaint.Actions {
		out[i] = string(a)
	}
	return out
}

// complaintNewPage is the form that files a complaint about an order's
// other party: the types this party may file, from the rule book, each with
// the evidence it asks for, and the files this party already uploaded for
// the order and not yet filed (its drafts: a refused form keeps them).
type complaintNewPage struct {
	Base
	Order    order.Order
	Types    []complaintTypeVM
	Selected string // the type shown first (?type=, or the first)
	Drafts   []store.Evidence
	Accept   string
	MaxFiles int
	MaxSize  string // one file's limit, as "10 MB"
}

// complaintTypeVM is a complaint type offered in the form.
type complaintTypeVM struct {
	Key, TitleZH, TitleEN string
	Evidence              []policy.EvidenceAsk
	Required              bool
}

// Title is the type's name in the language.
func (t complaintTypeVM) Title(lang string) string {
	if lang == langEN {
		return t.TitleEN
	}
	return t.TitleZH
}

// AskTitle is an evidence item's name in the page language.
func (p *complaintNewPage) AskTitle(a policy.EvidenceAsk) string {
	if p.Lang == langEN {
		return a.TitleEN
	}
	return a.TitleZH
}

// complaintAccept is what the complaint form's file field takes (the blob
// store sniffs the content again: a renamed file is refused there).
const complaintAccept = "image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,application/pdf,application/json,.json"

// complaintExts are the file name endings the form takes.
var complaintExts = []string{".jpg", ".jpeg", ".png", ".webp", ".gif", ".mp4", ".mov", ".pdf", ".json"}

// maxComplaintFiles bounds the files of one filing.
const maxComplaintFiles = 9

func (a *App) complaintForm(w http.ResponseWriter, r *http.Request, s *session) error {
	o, err := a.svc.GetOrder(r.Context(), s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := complaintNewPage{Base: a.base(r, s, "title.complaint_new"), Order: o, Accept: complaintAccept, MaxFiles: maxComplaintFiles,
		MaxSize: sizeText(a.maxFileBytes())}
	b := a.svc.Policy()
	for _, k := range b.ComplaintTypeKeys() {
		t, _ := b.ComplaintType(k)
		if t.Filer == s.User.Role {
			v.Types = append(v.Types, complaintTypeVM{Key: k, TitleZH: t.TitleZH, TitleEN: t.TitleEN, Evidence: t.Evidence, Required: t.RequireEvidence})
		}
	}
	v.Selected = r.URL.Query().Get("type")
	if st := formStateOf(r); st != nil && st.Values.Get("type") != "" {
		v.Selected = st.Values.Get("type")
	}
	if !slices.ContainsFunc(v.Types, func(t complaintTypeVM) bool { return t.Key == v.Selected }) && len(v.Types) > 0 {
		v.Selected = v.Types[0].Key
	}
	if v.Drafts, err = a.svc.CaseEvidence(r.Context(), s.Caller(), draftOf(o.ID)); err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	a.render(w, r, http.StatusOK, "complaint_new", &v)
	return nil
}

// draftOf is the chain of the caller's draft evidence for an order.
func draftOf(orderID string) string { return "draft:" + orderID }

// complaintCreate files a complaint with its evidence: the files sent are
// stored first as the party's drafts for the order (checked for type and
// size), then the complaint is filed citing them and the drafts kept from
// an earlier, refused attempt. A refused filing leaves the new files as
// drafts, ticked on the form that comes back.
func (a *App) complaintCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, orderID := r.Context(), s.Caller(), r.PathValue("id")
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		if strings.Contains(err.Error(), "too large") {
			return &fault.Error{Code: fault.PayloadTooBig, Field: "files", Message: "文件过大 / the files are too large"}
		}
		return fault.Field("files", "无法读取上传的文件 / cannot read the uploaded files")
	}
	if r.MultipartForm != nil {
		if err := httpx.CheckValues(r.MultipartForm.Value); err != nil {
			return err
		}
	}
	loss, err := parseYuan(r.FormValue("loss"), "loss")
	if err != nil {
		return err
	}
	claimAmt, err := parseYuan(r.FormValue("claim_amount"), "claim_amount")
	if err != nil {
		return err
	}
	ids := slices.Clone(r.PostForm["draft_ids"])
	if err := checkComplaintFiles(r, a.maxFileBytes()); err != nil {
		return err
	}
	// The files join the party's drafts for the order first (the
	// service's draft-evidence flow), then the filing cites them.
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["files"]
	}
	caption := strings.TrimSpace(r.FormValue("caption"))
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return fault.Field("files", "无法读取上传的文件 / cannot read the uploaded file")
		}
		rec, err := a.svc.UploadEvidence(ctx, c, service.Upload{CaseID: draftOf(orderID), Caption: caption, DeclaredName: fh.Filename, Body: f})
		f.Close()
		if err != nil {
			return onFilesField(err, fh.Filename)
		}
		ids = append(ids, rec.ID)
		// A refusal below re-renders the form: the upload is then a draft
		// the form lists, ticked.
		r.PostForm["draft_ids"] = append(r.PostForm["draft_ids"], rec.ID)
	}
	cv, err := a.svc.FileComplaint(ctx, c, service.NewComplaint{Type: r.FormValue("type"), OrderID: orderID,
		OccurredAt: a.svc.Now(), Description: strings.TrimSpace(r.FormValue("description")), Loss: loss,
		Claim: complaint.Claim{Text: strings.TrimSpace(r.FormValue("claim")), Amount: claimAmt}, ReviewID: strings.TrimSpace(r.FormValue("review_id")),
		EvidenceIDs: ids})
	if err != nil {
		return err
	}
	return flashTo(w, r, doneMessage("complaint.filed"), "/complaints/"+cv.ID)
}

func (a *App) maxFileBytes() int64 {
	if bl := a.svc.Blobs(); bl != nil && bl.Limits().MaxFileBytes > 0 {
		return bl.Limits().MaxFileBytes
	}
	return evidence.DefaultMaxFileBytes
}

// sizeText is a byte count as MB, or KB under one MB.
func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

// checkComplaintFiles refuses, before anything is stored, too many files,
// a file of a kind the form does not take or one over the size limit.
func checkComplaintFiles(r *http.Request, maxBytes int64) error {
	if r.MultipartForm == nil {
		return nil
	}
	files := append(slices.Clone(r.MultipartForm.File["files"]), r.MultipartForm.File["file"]...)
	if len(files) > maxComplaintFiles {
		return fault.Field("files", "一次最多上传 %d 个文件 / at most %d files at once", maxComplaintFiles, maxComplaintFiles)
	}
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		if err := httpx.CheckText("files", fh.Filename); err != nil {
			return err
		}
		ext := strings.ToLower(path.Ext(fh.Filename))
		if !slices.Contains(complaintExts, ext) {
			return fault.Field("files", "%s：不支持的文件类型，请上传图片、MP4 视频、PDF 或聊天记录（JSON） / %s: unsupported file type; upload images, MP4 video, PDF or a chat log (JSON)", fh.Filename, fh.Filename)
		}
		if fh.Size > maxBytes {
			return &fault.Error{Code: fault.PayloadTooBig, Field: "files",
				Message: fmt.Sprintf("%s：单个文件不能超过 %s / %s: one file is at most %s", fh.Filename, sizeText(maxBytes), fh.Filename, sizeText(maxBytes))}
		}
	}
	return nil
}

// listComplaints lists a party's complaints (filed or received), or the
// staff queue (priority order).
func (a *App) listComplaints(r *http.Request, s *session, status string) ([]complaintRow, error) {
	f := store.ComplaintFilter{Limit: 100, Status: status}
	if s.role() == actor.Buyer || s.role() == actor.Seller {
		f.PartyRole, f.PartyID = s.User.Role, s.User.PartyID
	} else {
		f.Queue = true
	}
	list, err := a.svc.ListComplaints(r.Context(), s.Caller(), f)
	if err != nil {
		return nil, err
	}
	now := a.svc.Now()
	b := a.svc.Policy()
	out := make([]complaintRow, 0, len(list))
	for _, cv := range list {
		t, _ := b.ComplaintType(cv.Type)
		out = append(out, complaintRow{ComplaintView: cv, TypeZH: t.TitleZH, TypeEN: t.TitleEN, Deadline: complaintDeadline(cv, now)})
	}
	return out, nil
}

// complaintRow is one complaint in a list.
type complaintRow struct {
	service.ComplaintView
	TypeZH, TypeEN string
	Deadline       *deadlineVM
}

// TypeTitle is the type's name in the language.
func (c complaintRow) TypeTitle(lang string) string {
	if lang == langEN {
		return c.TypeEN
	}
	return c.TypeZH
}

// complaintEvidenceUpload adds evidence with a caption to a complaint (its
// two parties and staff; anyone else finds no complaint).
func (a *App) complaintEvidenceUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if err := a.uploadRequired(w, r, s, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/complaints/"+id, http.StatusSeeOther)
	return nil
}
