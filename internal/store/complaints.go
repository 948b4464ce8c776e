package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/penalty"
)

// ---- complaints ----

var complaintRows = stateTable[complaint.State]{name: "complaints", label: "投诉 complaint", kind: "complaint",
	fixed:  []string{"type", "order_id", "complainant_role", "complainant_id", "respondent_role", "respondent_id", "flagged"},
	moving: []string{"status", "senior", "priority", "outcome", "decided_at"},
	cols: func(st complaint.State) stateCols {
		var decided any
		d := st.Decision
		if st.FinalDecision != nil {
			d = st.FinalDecision
		}
		if d != nil {
			decided = micros(d.At)
		}
		return stateCols{id: st.ID, version: st.Version, created: st.CreatedAt, updated: st.UpdatedAt,
			fixed:  []any{st.Type, st.OrderID, string(st.ComplainantRole), st.ComplainantID, string(st.RespondentRole), st.RespondentID, boolInt(st.Flag != nil)},
			moving: []any{string(st.Status), boolInt(st.Senior), st.Priority, st.Outcome(), decided}}
	},
	changed: "投诉已被并发修改 / the complaint changed concurrently",
}

// GetComplaint loads a complaint in the transaction; with ForUpdate also
// locks its row until the transaction ends; the Store's reads outside
// one. Errors: NotFound.
func (t *Tx) GetComplaint(ctx context.Context, id string, lock ...Lock) (complaint.State, error) {
	return complaintRows.get(ctx, t.queryRow, id, t.lockClause(lock))
}

// saveComplaint inserts (prevVersion 0) or updates a complaint whose stored
// version is prevVersion. Errors: Conflict with ErrStale on a concurrent write.
func (t *Tx) saveComplaint(ctx context.Context, st complaint.State, prevVersion int64) error {
	return complaintRows.save(ctx, t, st, prevVersion)
}

// ComplaintFilter selects complaints.
type ComplaintFilter struct {
	PartyRole string // with PartyID: complaints the party filed or received
	PartyID   string
	Status    string
	Type      string
	Senior    *bool
	Queue     bool // agents' queue order: priority, then oldest first
	After     string
	Offset    int
	Limit     int
}

// GetComplaint loads one outside a transaction (see Tx.GetComplaint).
func (s *Store) GetComplaint(ctx context.Context, id string) (complaint.State, error) {
	return complaintRows.get(ctx, s.queryRow, id, "")
}

// ListComplaints lists complaints by id, or in queue order.
func (s *Store) ListComplaints(ctx context.Context, f ComplaintFilter) ([]complaint.State, error) {
	w := where{q: `SELECT body FROM complaints WHERE 1 = 1`}
	if f.PartyID != "" {
		w.and(`((complainant_role = ? AND complainant_id = ?) OR (respondent_role = ? AND respondent_id = ?))`, f.PartyRole, f.PartyID, f.PartyRole, f.PartyID)
	}
	w.eq("status", f.Status)
	w.eq("type", f.Type)
	if f.Senior != nil {
		w.and(`senior = ?`, boolInt(*f.Senior))
	}
	q, args := w.queuePage(f.Queue, `priority DESC, created_at, id`, f.After, f.Offset, f.Limit)
	return bodies[complaint.State](s.query(ctx, q, args...))
}

// OrderComplaints lists an order's complaints in the transaction, oldest
// first.
func (t *Tx) OrderComplaints(ctx context.Context, orderID string) ([]complaint.State, error) {
	return bodies[complaint.State](t.query(ctx, `SELECT body FROM complaints WHERE order_id = ? ORDER BY id`, orderID))
}

// ComplainantRecord counts a party's complaints decided since a time and
// those of them rejected (rejected or malicious).
func (t *Tx) ComplainantRecord(ctx context.Context, role, id string, since time.Time) (decided, rejected int, err error) {
	err = t.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0) FROM complaints WHERE complainant_role = ? AND complainant_id = ? AND decided_at >= ? AND outcome <> ''`,
		role, id, micros(since)).Scan(&decided, &rejected)
	return
}

// ComplaintCounts counts a party's complaints: filed, upheld and rejected
// as complainant, received and upheld against it as respondent.
type ComplaintCounts struct {
	Filed            int `json:"filed"`
	FiledUpheld      int `json:"filed_upheld"`
	FiledRejected    int `json:"filed_rejected"`
	Received         int `json:"received"`
	ReceivedUpheld   int `json:"received_upheld"`
	ReceivedRejected int `json:"received_rejected"`
}

// PartyComplaintCounts returns a party's complaint counts.
func (s *Store) PartyComplaintCounts(ctx context.Context, role, id string) (ComplaintCounts, error) {
	var c ComplaintCounts
	q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'upheld' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0) FROM complaints WHERE %s_role = ? AND %s_id = ?`
	if err := s.queryRow(ctx, fmt.Sprintf(q, "complainant", "complainant"), role, id).Scan(&c.Filed, &c.FiledUpheld, &c.FiledRejected); err != nil {
		return c, err
	}
	err := s.queryRow(ctx, fmt.Sprintf(q, "respondent", "respondent"), role, id).Scan(&c.Received, &c.ReceivedUpheld, &c.ReceivedRejected)
	return c, err
}

// OrdersWithTracking lists the orders that carry a tracking number.
func (t *Tx) OrdersWithTracking(ctx context.Context, trackingNo string) ([]string, error) {
	expr := `json_extract(body, '$.tracking_no')`
	if t.d == Postgres {
		expr = `(body->>'tracking_no')`
	}
	rows, err := t.query(ctx, `SELECT id FROM orders WHERE `+expr+` = ? ORDER BY id LIMIT 50`, trackingNo)
	return collect(rows, err, func(r *sql.Rows, id *string) error { return r.Scan(id) })
}

// ---- violations and sanctions ----

// LockParty locks a party's standing row until the transaction ends, so
// that commands recording violations of the party run one after another
// and each sums the points of every earlier one.
func (t *Tx) LockParty(ctx context.Context, role, id string) error {
	if _, err := t.exec(ctx, `INSERT INTO party_standing (party_role, party_id, violations) VALUES (?, ?, 0) ON CONFLICT DO NOTHING`, role, id); err != nil {
		return err
	}
	var n int64
	return t.queryRow(ctx, `SELECT violations FROM party_standing WHERE party_role = ? AND party_id = ?`+t.d.forUpdate(), role, id).Scan(&n)
}

// ErrViolationExists: the complaint already recorded its violation.
var ErrViolationExists = errors.New("store: the complaint already recorded a violation")

// InsertViolation records a violation. Errors: ErrViolationExists when the
// complaint already has one.
func (t *Tx) InsertViolation(ctx context.Context, v penalty.Violation) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO violations (id, party_role, party_id, type, class, points, year, at, complaint_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.PartyRole, v.PartyID, v.Type, v.Class, v.Points, v.Year, micros(v.At), v.ComplaintID, string(body), micros(v.CreatedAt))
	if isUnique(err) {
		return ErrViolationExists
	}
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE party_standing SET violations = violations + 1 WHERE party_role = ? AND party_id = ?`, v.PartyRole, v.PartyID)
	return err
}

var violationRows = stateTable[penalty.Violation]{name: "violations", label: "违规记录 violation", kind: "violation"}

// GetViolation loads a violation in the transaction (ForUpdate: locked).
// Errors: NotFound.
func (t *Tx) GetViolation(ctx context.Context, id string, lock ...Lock) (penalty.Violation, error) {
	return violationRows.get(ctx, t.queryRow, id, t.lockClause(lock))
}

// GetViolation loads a violation. Errors: NotFound.
func (s *Store) GetViolation(ctx context.Context, id string) (penalty.Violation, error) {
	return violationRows.get(ctx, s.queryRow, id, "")
}

// saveViolation updates a violation whose stored version is prevVersion.
// Errors: Conflict with ErrStale on a concurrent write.
func (t *Tx) saveViolation(ctx context.Context, v penalty.Violation, prevVersion int64) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.execOne(ctx, `UPDATE violations SET body = ?, version = ? WHERE id = ? AND version = ?`,
		expectOneCheck("违规记录已被并发修改 / the violation changed concurrently"), string(body), v.Version, v.ID, prevVersion)
}

// PartyViolations lists a party's violations, oldest first.
func (t *Tx) PartyViolations(ctx context.Context, role, id string) ([]penalty.Violation, error) {
	return scanViolations(t.query(ctx, `SELECT body FROM violations WHERE party_role = ? AND party_id = ? ORDER BY at, id`, role, id))
}

// PartyViolations lists a party's violations, oldest first.
func (s *Store) PartyViolations(ctx context.Context, role, id string) ([]penalty.Violation, error) {
	return scanViolations(s.query(ctx, `SELECT body FROM violations WHERE party_role = ? AND party_id = ? ORDER BY at, id`, role, id))
}

func scanViolations(rows *sql.Rows, err error) ([]penalty.Violation, error) {
	return orEmpty(bodies[penalty.Violation](rows, err))
}

// InsertSanction inserts a new sanction unless the party already has the
// one of this threshold and year (or of this complaint): it reports whether
// the row was inserted.
func (t *Tx) InsertSanction(ctx context.Context, s penalty.Sanction) (bool, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return false, err
	}
	var end any
	if s.EndAt != nil {
		end = micros(*s.EndAt)
	}
	res, err := t.exec(ctx, `INSERT INTO sanctions (id, party_role, party_id, kind, class, threshold, year, source, complaint_id, status, start_at, end_at, body, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.ID, s.PartyRole, s.PartyID, s.Kind, s.Class, s.Threshold, s.Year, s.Source, s.ComplaintID, s.Status, micros(s.StartAt), end, string(body), s.Version, micros(s.CreatedAt), micros(s.UpdatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// saveSanction updates a sanction whose stored version is prevVersion.
// Errors: Conflict with ErrStale on a concurrent write.
func (t *Tx) saveSanction(ctx context.Context, s penalty.Sanction, prevVersion int64) error {
	return sanctionRows.save(ctx, t, s, prevVersion)
}

var sanctionRows = stateTable[penalty.Sanction]{name: "sanctions", label: "处罚 sanction", kind: "sanction",
	moving: []string{"status"},
	cols: func(s penalty.Sanction) stateCols {
		return stateCols{id: s.ID, version: s.Version, created: s.CreatedAt, updated: s.UpdatedAt, moving: []any{s.Status}}
	},
	changed: "处罚已被并发修改 / the sanction changed concurrently",
}

// GetSanctionForUpdate loads a sanction and locks its row. Errors: NotFound.
func (t *Tx) GetSanctionForUpdate(ctx context.Context, id string) (penalty.Sanction, error) {
	return sanctionRows.get(ctx, t.queryRow, id, t.d.forUpdate())
}

// GetSanction loads a sanction. Errors: NotFound.
func (s *Store) GetSanction(ctx context.Context, id string) (penalty.Sanction, error) {
	return sanctionRows.get(ctx, s.queryRow, id, "")
}

// PartySanctions lists a party's sanctions, oldest first.
func (s *Store) PartySanctions(ctx context.Context, role, id string) ([]penalty.Sanction, error) {
	return orEmpty(bodies[penalty.Sanction](s.query(ctx, `SELECT body FROM sanctions WHERE party_role = ? AND party_id = ? ORDER BY start_at, id`, role, id)))
}

// CountSanctions counts a party's sanctions of a class, year and threshold
// (for tests and reports).
func (s *Store) CountSanctions(ctx context.Context, role, id, class string, year int, threshold int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM sanctions WHERE party_role = ? AND party_id = ? AND class = ? AND year = ? AND threshold = ? AND source = 'points'`,
		role, id, class, year, threshold).Scan(&n)
	return n, err
}

// ---- rule book versions ----

// PolicyChange is one rule book version set through the API.
type PolicyChange struct {
	ID         string          `json:"id"`
	Version    string          `json:"version"`
	Digest     string          `json:"digest"`
	PrevDigest string          `json:"prev_digest"`
	Author     string          `json:"author"`
	Diff       json.RawMessage `json:"diff"`
	CreatedAt  time.Time       `json:"created_at"`
	Body       []byte          `json:"-"`
}

// insertPolicyChange records a new rule book version, its author and diff,
// and the book itself in policy_versions. Errors: Conflict when the version
// name is taken.
func (t *Tx) insertPolicyChange(ctx context.Context, c PolicyChange) error {
	_, err := t.exec(ctx, `INSERT INTO policy_changes (id, version, digest, prev_digest, author, diff, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Version, c.Digest, c.PrevDigest, c.Author, string(c.Diff), string(c.Body), micros(c.CreatedAt))
	if isUnique(err) {
		return &fault.Error{Code: fault.Conflict, Field: "version", Message: fmt.Sprintf("规则书版本 %s 已存在 / rule book version %s already exists", c.Version, c.Version)}
	}
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO policy_versions (digest, version, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.Digest, c.Version, string(c.Body), micros(c.CreatedAt))
	return err
}

// LatestPolicyChange returns the newest rule book version set through the
// API, if any.
func (s *Store) LatestPolicyChange(ctx context.Context) (PolicyChange, bool, error) {
	var c PolicyChange
	var diff, body string
	var at int64
	err := s.queryRow(ctx, `SELECT id, version, digest, prev_digest, author, diff, body, created_at FROM policy_changes ORDER BY created_at DESC, id DESC LIMIT 1`).
		Scan(&c.ID, &c.Version, &c.Digest, &c.PrevDigest, &c.Author, &diff, &body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Diff, c.Body, c.CreatedAt = json.RawMessage(diff), []byte(body), fromMicros(at)
	return c, true, nil
}

// PolicyVersionBody returns a stored rule book by version name.
func (s *Store) PolicyVersionBody(ctx context.Context, version string) ([]byte, error) {
	var body string
	err := s.queryRow(ctx, `SELECT body FROM policy_versions WHERE version = ? ORDER BY created_at DESC LIMIT 1`, version).Scan(&body)
	if err != nil {
		return nil, mapNoRows(err, "规则书版本 policy version", version)
	}
	return []byte(body), nil
}

// PartyHasOrders reports whether a buyer or seller has any order.
func (s *Store) PartyHasOrders(ctx context.Context, role, id string) (bool, error) {
	col := "buyer_id"
	if role == "seller" {
		col = "seller_id"
	}
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM orders WHERE `+col+` = ? LIMIT 1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
