package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// SetBlobs attaches the evidence blob store.
func (s *Service) SetBlobs(b *evidence.Blobs) { s.blobs = b }

// Blobs returns the evidence blob store (nil when not configured).
func (s *Service) Blobs() *evidence.Blobs { return s.blobs }

// Upload is an evidence upload.
type Upload struct {
	CaseID       string // the after-sales request (or its intervention case) the evidence belongs to
	Caption      string
	DeclaredName string
	Satisfies    []string // checklist keys of the intervention case it answers
	Body         io.Reader
}

// UploadEvidence stores the bytes content-addressed and appends them to the
// case's chronological evidence chain. One chain serves a request and its
// intervention case (case_id is the after-sales request); a complaint has
// its own chain (case_id is the complaint). While the case is taking
// evidence the upload is also an add-evidence event on the case. Only the
// two parties and the platform's staff may upload or read it.
func (s *Service) UploadEvidence(ctx context.Context, c Caller, u Upload) (store.Evidence, error) {
	if s.blobs == nil {
		return store.Evidence{}, fault.New(fault.Unavailable, "证据存储未配置 / evidence storage is not configured")
	}
	reqID, isComplaint, err := s.evidenceChain(ctx, c, u.CaseID)
	if err != nil {
		return store.Evidence{}, err
	}
	if len([]rune(u.Caption)) > 500 {
		return store.Evidence{}, fault.Field("caption", "说明不超过500字 / a caption is at most 500 characters")
	}
	used, err := s.st.CaseEvidenceBytes(ctx, reqID)
	if err != nil {
		return store.Evidence{}, err
	}
	blob, err := s.blobs.PutWithin(ctx, u.Body, u.DeclaredName, s.blobs.Limits().CaseBudget(used))
	if err != nil {
		return store.Evidence{}, err
	}
	role, id := string(c.Role), c.PartyID
	if id == "" {
		id = keyOf(c)
	}
	rec := store.Evidence{ID: newID(), CaseID: reqID, UploaderRole: role, UploaderID: id, Digest: blob.Digest, Size: blob.Size,
		MediaType: blob.MediaType, Kind: blob.Kind, Caption: u.Caption, DeclaredName: evidence.CleanName(u.DeclaredName)}
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		now := s.now(ctx)
		rec.CreatedAt = now
		var complaintNow complaint.State
		switch {
		case isComplaint:
			// The complaint's row serialises its uploads (the budget check).
			if complaintNow, err = tx.GetComplaint(ctx, reqID, store.ForUpdate); err != nil {
				return err
			}
		case strings.HasPrefix(reqID, draftPrefix):
			// A party's drafts: its own uploads, one after another.
		default:
			if _, err := tx.GetAftersale(ctx, reqID, store.ForUpdate); err != nil {
				return err
			}
		}
		if has, err := tx.CaseHasBlob(ctx, reqID, blob.Digest); err != nil {
			return err
		} else if !has {
			total, err := tx.CaseEvidenceBytes(ctx, reqID)
			if err != nil {
				return err
			}
			if err := s.blobs.Limits().CheckCase(total, blob.Size); err != nil {
				return err
			}
		}
		cm.Evidence = append(cm.Evidence, rec)
		if strings.HasPrefix(reqID, draftPrefix) {
			return s.respond(c, cm, rec)
		}
		// A party's upload while the case takes evidence joins the case.
		if isComplaint {
			if c.Role == actor.Buyer || c.Role == actor.Seller {
				who, _ := actorOf(c)
				// Decided (Conflict): the upload stays in the chain, dated,
				// for a second complaint to cite.
				evs, err := complaint.Decide(complaintNow, complaint.Command{Action: complaint.AddEvidence, Actor: who, EvidenceIDs: []string{rec.ID}}, s.Policy(), now)
				if err := joinEvidence(cm, complaintAgg, complaintNow, evs, err, now); err != nil {
					return err
				}
			}
			return s.respond(c, cm, rec)
		}
		if dID, ok, err := tx.DisputeForAftersale(ctx, reqID); err != nil {
			return err
		} else if ok && (c.Role == actor.Buyer || c.Role == actor.Seller) {
			cur, err := tx.GetDispute(ctx, dID, store.ForUpdate)
			if err != nil {
				return err
			}
			if cur.Status == dispute.Evidence || cur.Status == dispute.Review {
				actor, _ := actorOf(c)
				// The party's evidence window has closed (Conflict): the
				// upload stays in the chain (visible to the agent, dated)
				// but is not part of the case's evidence.
				evs, err := dispute.Decide(cur, dispute.Command{Action: dispute.AddEvidence, Actor: actor, EvidenceID: rec.ID, Satisfies: u.Satisfies}, s.Policy(), now)
				if err := joinEvidence(cm, disputeAgg, cur, evs, err, now); err != nil {
					return err
				}
			}
		}
		return s.respond(c, cm, rec)
	})
	return rec, err
}

// evidenceChain resolves a case id to the id that keys its chain: an
// after-sales request or intervention case to the request, a complaint to
// itself (complaint true), checking that the caller may see it (404
// otherwise: only the complaint's two parties and staff see a complaint).
func (s *Service) evidenceChain(ctx context.Context, c Caller, caseID string) (string, bool, error) {
	if strings.HasPrefix(caseID, draftPrefix) {
		id, err := s.draftChain(ctx, c, caseID)
		return id, false, err
	}
	id, err := s.evidenceCase(ctx, c, caseID)
	if err == nil || !fault.Is(err, fault.NotFound) {
		return id, false, err
	}
	k, kerr := s.st.GetComplaint(ctx, caseID)
	if kerr != nil {
		if fault.Is(kerr, fault.NotFound) {
			return "", false, err
		}
		return "", false, kerr
	}
	if !CanSeeComplaint(c, k) {
		return "", false, err
	}
	return k.ID, true, nil
}

// evidenceCase resolves a case id (after-sales request or intervention
// case) to the after-sales request that keys the chain, checking that the
// caller may see it (404 otherwise).
func (s *Service) evidenceCase(ctx context.Context, c Caller, caseID string) (string, error) {
	if caseID == "" {
		return "", fault.Field("case_id", "须指定案件 / case_id is required")
	}
	if d, err := s.st.GetDispute(ctx, caseID); err == nil {
		if !CanSeeDispute(c, d) {
			return "", notFoundCase(caseID)
		}
		return d.AftersaleID, nil
	} else if !fault.Is(err, fault.NotFound) {
		return "", err
	}
	a, err := s.st.GetAftersale(ctx, caseID)
	if err != nil || !CanSeeAftersale(c, a) {
		if err == nil || fault.Is(err, fault.NotFound) {
			return "", notFoundCase(caseID)
		}
		return "", err
	}
	return a.ID, nil
}

// Draft evidence (issue 13): a party uploads evidence for a complaint it
// has not filed yet with case_id "draft:<order id>". The draft chain is the
// party's own ("draft:<order>:<role>:<party>"), seen by it and the staff;
// filing the complaint with the drafts' ids moves them to the complaint's
// chain (store.EvidenceClaim), where both parties see them.
const draftPrefix = "draft:"

// DraftChain is the evidence chain of a party's drafts for an order (the
// case_id its draft uploads are stored under).
func DraftChain(orderID string, role actor.Role, party string) string {
	return draftChainID(orderID, role, party)
}

// draftChainID is the chain of a party's drafts for an order.
func draftChainID(orderID string, role actor.Role, party string) string {
	return draftPrefix + orderID + ":" + string(role) + ":" + party
}

// draftChain resolves "draft:<order>" (an upload or listing by the party)
// or a stored draft chain id to the chain, checking the caller may see it.
func (s *Service) draftChain(ctx context.Context, c Caller, caseID string) (string, error) {
	rest := strings.TrimPrefix(caseID, draftPrefix)
	orderID, owner, stored := strings.Cut(rest, ":")
	o, err := s.st.GetOrder(ctx, orderID)
	if err != nil || !CanSeeOrder(c, o) {
		if err == nil || fault.Is(err, fault.NotFound) {
			return "", notFoundCase(caseID)
		}
		return "", err
	}
	if stored {
		role, party, _ := strings.Cut(owner, ":")
		if (c.Role == actor.Buyer || c.Role == actor.Seller) && (string(c.Role) != role || c.PartyID != party) {
			return "", notFoundCase(caseID)
		}
		return caseID, nil
	}
	if c.Role != actor.Buyer && c.Role != actor.Seller {
		return "", &fault.Error{Code: fault.Forbidden, Field: "case_id", Message: "只有买卖双方可以上传投诉证据草稿 / only the parties upload draft evidence"}
	}
	return draftChainID(o.ID, c.Role, c.PartyID), nil
}

// checkComplaintEvidence checks the evidence ids a party cites on a
// complaint (filing, answering, a second complaint): each must exist and
// have been uploaded by that party, to its draft chain for the order (the
// draft then joins the complaint, in cm) or to the complaint's own chain.
// Errors: Invalid naming evidence_ids[i].
func checkComplaintEvidence(ctx context.Context, tx *store.Tx, cm *store.Commit, ids []string, who actor.Actor, orderID, complaintID string) error {
	draft := draftChainID(orderID, who.Role, who.ID)
	for i, id := range ids {
		field := fmt.Sprintf("evidence_ids[%d]", i)
		rec, err := tx.EvidenceByID(ctx, id)
		if fault.Is(err, fault.NotFound) {
			return fault.Field(field, "证据 %s 不存在：请先上传（POST /v1/evidence，case_id 为 draft:%s 或投诉ID） / evidence %s does not exist: upload it first (POST /v1/evidence with case_id draft:%s or the complaint id)", id, orderID, id, orderID)
		}
		if err != nil {
			return err
		}
		if rec.UploaderRole != string(who.Role) || rec.UploaderID != who.ID {
			return fault.Field(field, "证据 %s 不是您上传的 / evidence %s was not uploaded by you", id, id)
		}
		switch rec.CaseID {
		case complaintID:
		case draft:
			if complaintID != "" {
				cm.EvidenceClaims = append(cm.EvidenceClaims, store.EvidenceClaim{ID: id, From: draft, To: complaintID})
			}
		default:
			return fault.Field(field, "证据 %s 属于其他案件，不能用于本投诉 / evidence %s belongs to another case", id, id)
		}
	}
	return nil
}

func notFoundCase(id string) error {
	return &fault.Error{Code: fault.NotFound, Field: "case_id", Message: fmt.Sprintf("案件 %s 不存在 / case %s not found", id, id)}
}

// CaseEvidence lists a visible case's evidence chain in order.
func (s *Service) CaseEvidence(ctx context.Context, c Caller, caseID string) ([]store.Evidence, error) {
	reqID, _, err := s.evidenceChain(ctx, c, caseID)
	if err != nil {
		return nil, err
	}
	return s.st.CaseEvidence(ctx, reqID)
}

// OpenEvidence returns a visible piece of evidence and its bytes.
func (s *Service) OpenEvidence(ctx context.Context, c Caller, id string) (store.Evidence, io.ReadCloser, error) {
	rec, err := s.st.EvidenceByID(ctx, id)
	if err != nil {
		return rec, nil, err
	}
	if _, _, err := s.evidenceChain(ctx, c, rec.CaseID); err != nil {
		return store.Evidence{}, nil, &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("证据 %s 不存在 / evidence %s not found", id, id)}
	}
	if s.blobs == nil {
		return rec, nil, fault.New(fault.Unavailable, "证据存储未配置 / evidence storage is not configured")
	}
	rc, _, err := s.blobs.Open(ctx, rec.Digest)
	return rec, rc, err
}

// joinEvidence records in cm the events by which an upload joins the
// evidence of a case or complaint (cur), as decide returned them with err;
// a Conflict (the aggregate takes no evidence now) records nothing and is
// no error: the upload stays in the chain on its own.
func joinEvidence[S, E any](cm *store.Commit, agg aggregate[S, E], cur S, evs []E, err error, now time.Time) error {
	switch {
	case fault.Is(err, fault.Conflict):
		return nil
	case err != nil:
		return err
	}
	record(cm, agg, cur, evs, now, nil)
	return nil
}
