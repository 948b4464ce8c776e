package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"
)

// This file covers what a marketplace does beside the after-sales
// walkthrough: deposits, evidence uploads, complaints in both directions,
// intervention cases (as a party and as an agent) and a party's standing.
// The simulator (internal/simulate) drives the API with it.

// TopUp pays money (fen) into a ledger account: "guarantee_fund" or
// "seller_deposit:<seller id>" (admin or integration keys).
func (c *Client) TopUp(ctx context.Context, account string, amount int64, reference string, opts ...Option) (*LedgerTransaction, error) {
	return call[LedgerTransaction](ctx, c, http.MethodPost, "/v1/ledger/accounts/"+url.PathEscape(account)+"/top-up",
		map[string]any{"amount": amount, "reference": reference}, opts)
}

// Account is a ledger account with its balance (fen).
type Account struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Owner   string `json:"owner,omitempty"`
	Balance int64  `json:"balance"`
}

// GetAccount reads a ledger account's balance (the first page of its
// postings is not kept).
func (c *Client) GetAccount(ctx context.Context, account string, opts ...Option) (*Account, error) {
	return call[Account](ctx, c, http.MethodGet, "/v1/ledger/accounts/"+url.PathEscape(account)+"?limit=1", nil, opts)
}

// Evidence is an uploaded evidence file.
type Evidence struct {
	ID        string `json:"id"`
	CaseID    string `json:"case_id"`
	MediaType string `json:"media_type"`
	Kind      string `json:"kind"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
}

// EvidenceUpload is one file to upload: to a request or case (CaseID), or
// before a complaint is filed to "draft:<order id>". Satisfies names the
// case checklist items it answers.
type EvidenceUpload struct {
	CaseID    string
	Caption   string
	Satisfies string // comma-separated checklist keys, optional
	Name      string // file name
	Data      []byte
}

// UploadEvidence uploads one file (multipart/form-data).
func (c *Client) UploadEvidence(ctx context.Context, u EvidenceUpload, opts ...Option) (*Evidence, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("case_id", u.CaseID)
	_ = mw.WriteField("caption", u.Caption)
	if u.Satisfies != "" {
		_ = mw.WriteField("satisfies", u.Satisfies)
	}
	fw, err := mw.CreateFormFile("file", u.Name)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(u.Data); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	opts = append([]Option{IdempotencyKey(randomKey())}, opts...)
	opts = append(opts, Header("Content-Type", mw.FormDataContentType()))
	status, h, data, err := c.Raw(ctx, http.MethodPost, "/v1/evidence", b.Bytes(), opts...)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, problemFrom(status, h, data)
	}
	var e Evidence
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("weiquan client: decode POST /v1/evidence: %w", err)
	}
	return &e, nil
}

// ComplaintClaim is what a complainant asks for.
type ComplaintClaim struct {
	Text   string `json:"text"`
	Amount int64  `json:"amount"`
}

// NewComplaint files a complaint about the other party of an order.
type NewComplaint struct {
	Type        string         `json:"type"`
	OrderID     string         `json:"order_id"`
	OccurredAt  time.Time      `json:"occurred_at"`
	Description string         `json:"description"`
	Loss        int64          `json:"loss"`
	Claim       ComplaintClaim `json:"claim"`
	ReviewID    string         `json:"review_id,omitempty"`
	EvidenceIDs []string       `json:"evidence_ids,omitempty"`
}

// Finding is what the system found on a complaint from the order facts
// (late or fake shipment).
type Finding struct {
	Kind         string `json:"kind"`
	Detected     bool   `json:"detected"`
	Summary      string `json:"summary"`
	Compensation int64  `json:"compensation"`
}

// ComplaintDecision is an agent's decision on a complaint.
type ComplaintDecision struct {
	Verdict      string   `json:"verdict"` // upheld, rejected, malicious
	Reason       string   `json:"reason"`
	RuleIDs      []string `json:"rule_ids"`
	Compensation int64    `json:"compensation,omitempty"`
}

// Complaint is a complaint (投诉).
type Complaint struct {
	ID                    string             `json:"id"`
	Type                  string             `json:"type"`
	OrderID               string             `json:"order_id"`
	ComplainantRole       string             `json:"complainant_role"`
	ComplainantID         string             `json:"complainant_id"`
	RespondentRole        string             `json:"respondent_role"`
	RespondentID          string             `json:"respondent_id"`
	Status                string             `json:"status"`
	EvidenceIDs           []string           `json:"evidence_ids"`
	RespondentEvidenceIDs []string           `json:"respondent_evidence_ids"`
	Findings              []Finding          `json:"findings"`
	Decision              *ComplaintDecision `json:"decision,omitempty"`
	AllowedActions        []string           `json:"allowed_actions"`
	Version               int64              `json:"version"`
	CreatedAt             time.Time          `json:"created_at"`
}

// ComplaintType is one complaint type of the rule book.
type ComplaintType struct {
	Key             string   `json:"key"`
	ID              string   `json:"id"`
	Filer           string   `json:"filer"`
	RequireEvidence bool     `json:"require_evidence"`
	Outcomes        []string `json:"outcomes"`
}

// ComplaintTypes lists the rule book's complaint types.
func (c *Client) ComplaintTypes(ctx context.Context, opts ...Option) ([]ComplaintType, error) {
	var out struct {
		Items []ComplaintType `json:"items"`
	}
	_, err := c.Do(ctx, http.MethodGet, "/v1/complaints/types", nil, &out, opts...)
	return out.Items, err
}

// FileComplaint files a complaint (as a party: ActAs with an integration
// key).
func (c *Client) FileComplaint(ctx context.Context, in NewComplaint, opts ...Option) (*Complaint, error) {
	return call[Complaint](ctx, c, http.MethodPost, "/v1/complaints", in, opts)
}

// GetComplaint reads a complaint.
func (c *Client) GetComplaint(ctx context.Context, id string, opts ...Option) (*Complaint, error) {
	return call[Complaint](ctx, c, http.MethodGet, "/v1/complaints/"+url.PathEscape(id), nil, opts)
}

// ActComplaint performs a complaint action (respond, decide, withdraw …).
func (c *Client) ActComplaint(ctx context.Context, id, action string, body any, opts ...Option) (*Complaint, error) {
	return act[Complaint](ctx, c, "complaints", id, action, body, opts)
}

// DisputeItem is one item of a case's evidence checklist (burden of
// proof: which party must show what, under which rule).
type DisputeItem struct {
	Key       string `json:"key"`
	Party     string `json:"party"`
	RuleID    string `json:"rule_id"`
	Satisfied bool   `json:"satisfied"`
}

// DisputeJudgment is a case's judgment.
type DisputeJudgment struct {
	Outcome string   `json:"outcome"`
	Amount  int64    `json:"amount"`
	Fault   string   `json:"fault"`
	RuleIDs []string `json:"rule_ids"`
}

// Dispute is an intervention case (平台介入).
type Dispute struct {
	ID             string           `json:"id"`
	AftersaleID    string           `json:"aftersale_id"`
	OrderID        string           `json:"order_id"`
	BuyerID        string           `json:"buyer_id"`
	SellerID       string           `json:"seller_id"`
	Reason         string           `json:"reason"`
	Claim          int64            `json:"claim"`
	Status         string           `json:"status"`
	Checklist      []DisputeItem    `json:"checklist"`
	Missing        []DisputeItem    `json:"missing"`
	EvidenceIDs    []string         `json:"evidence_ids"`
	Assignee       string           `json:"assignee,omitempty"`
	Senior         bool             `json:"senior"`
	SLABreached    bool             `json:"sla_breached"`
	Judgment       *DisputeJudgment `json:"judgment,omitempty"`
	AllowedActions []string         `json:"allowed_actions"`
	Version        int64            `json:"version"`
	CreatedAt      time.Time        `json:"created_at"`
}

// Judge is the body of a case's judge action.
type Judge struct {
	Outcome     string   `json:"outcome"` // refund_full, refund_partial, release_to_seller, return_then_refund
	Amount      int64    `json:"amount,omitempty"`
	Fault       string   `json:"fault"` // buyer, seller
	Reason      string   `json:"reason"`
	RuleIDs     []string `json:"rule_ids"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

// GetDispute reads an intervention case.
func (c *Client) GetDispute(ctx context.Context, id string, opts ...Option) (*Dispute, error) {
	return call[Dispute](ctx, c, http.MethodGet, "/v1/disputes/"+url.PathEscape(id), nil, opts)
}

// ActDispute performs a case action (done-evidence, claim, judge, appeal …).
func (c *Client) ActDispute(ctx context.Context, id, action string, body any, opts ...Option) (*Dispute, error) {
	return act[Dispute](ctx, c, "disputes", id, action, body, opts)
}

// Standing is a party's standing: points of the year, violations,
// sanctions, complaint counts and the complainant flag.
type Standing struct {
	PartyRole  string           `json:"party_role"`
	PartyID    string           `json:"party_id"`
	Points     map[string]int64 `json:"points"`
	Violations []struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Points  int64  `json:"points"`
		Warning bool   `json:"warning"`
	} `json:"violations"`
	Sanctions []struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"sanctions"`
	Complaints struct {
		Filed            int `json:"filed"`
		FiledUpheld      int `json:"filed_upheld"`
		FiledRejected    int `json:"filed_rejected"`
		Received         int `json:"received"`
		ReceivedUpheld   int `json:"received_upheld"`
		ReceivedRejected int `json:"received_rejected"`
	} `json:"complaints"`
	Flag *struct {
		Reason string `json:"reason"`
	} `json:"complainant_flag"`
}

// GetStanding reads a party's standing; role is "buyer" or "seller".
func (c *Client) GetStanding(ctx context.Context, role, id string, opts ...Option) (*Standing, error) {
	return call[Standing](ctx, c, http.MethodGet, "/v1/"+url.PathEscape(role)+"s/"+url.PathEscape(id)+"/standing", nil, opts)
}

// Message is one message of a request's negotiation record (协商记录).
type Message struct {
	RequestID string    `json:"request_id"`
	Seq       int64     `json:"seq"`
	Author    Actor     `json:"author"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// PostMessage posts a message to a request's negotiation record (as a
// party: ActAs with an integration key).
func (c *Client) PostMessage(ctx context.Context, requestID, text string, opts ...Option) (*Message, error) {
	return call[Message](ctx, c, http.MethodPost, "/v1/aftersales/"+url.PathEscape(requestID)+"/messages", map[string]any{"text": text}, opts)
}
