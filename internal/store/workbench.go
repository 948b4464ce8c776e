package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/penalty"
)

// WorkbenchFilter selects cases for the agents' workbench. Every field is
// optional; the service validates them before the query.
type WorkbenchFilter struct {
	Statuses []string // any of these statuses; none: any status
	Reason   string   // the after-sales reason code
	MinClaim int64    // claim ≥ MinClaim (fen); 0: no bound
	MaxClaim int64    // claim ≤ MaxClaim (fen); 0: no bound
	Premium  *bool
	Assignee string // exactly this assignee
	// Unassigned: cases nobody holds.
	Unassigned bool
	// SLABefore / SLAAfter bound the review SLA due time (SLABefore
	// exclusive); either set keeps only cases in review (the SLA runs
	// there alone). NoSLA: only cases without a running SLA.
	SLABefore, SLAAfter *time.Time
	NoSLA               bool
	// Text is searched, case-insensitively as a substring, in the field In
	// names: "order" (order id), "buyer" / "seller" (party id or display
	// name), "tracking" (the order's or the return's tracking number),
	// "text" (the request's description and the case id); "" or "all": any
	// of them.
	Text  string
	In    string
	Limit int // at most this many, in queue order; default 500
}

// WorkbenchCase is a case with what the workbench shows and searches
// beside it: the tracking numbers, and how often the order came back
// (after-sales requests and complaints on the same order).
type WorkbenchCase struct {
	Case             dispute.State
	TrackingNo       string // the order's shipment
	ReturnTrackingNo string // the buyer's return, if any
	Description      string // the buyer's description of the request
	OrderRequests    int    // after-sales requests on the order, this one included
	OrderComplaints  int    // complaints on the order
}

// jsonPath is the dialect's text expression for a field of a JSON body
// column, path naming nested keys (the body may be TEXT or JSONB on
// PostgreSQL: it is cast).
func (d Dialect) jsonPath(col string, path ...string) string {
	if d == Postgres {
		return "(" + col + "::jsonb #>> '{" + strings.Join(path, ",") + "}')"
	}
	return "json_extract(" + col + ", '$." + strings.Join(path, ".") + "')"
}

// likeEscape makes s a LIKE pattern matching s anywhere (with ESCAPE '\').
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// WorkbenchCases lists the cases of the filter in queue order (premium
// first, then the SLA due time, then the amount), with their order's
// tracking numbers and repeat counts.
func (s *Store) WorkbenchCases(ctx context.Context, f WorkbenchFilter) ([]WorkbenchCase, error) {
	d := s.dialect
	retTrack, desc, ordTrack := d.jsonPath("a.body", "return", "tracking_no"), d.jsonPath("a.body", "description"), d.jsonPath("o.body", "tracking_no")
	q := `SELECT d.body, COALESCE(` + ordTrack + `, ''), COALESCE(` + retTrack + `, ''), COALESCE(` + desc + `, ''),
	(SELECT COUNT(*) FROM aftersales x WHERE x.order_id = d.order_id), (SELECT COUNT(*) FROM complaints y WHERE y.order_id = d.order_id)
	FROM disputes d JOIN aftersales a ON a.id = d.aftersale_id LEFT JOIN orders o ON o.id = d.order_id WHERE 1 = 1`
	var args []any
	if len(f.Statuses) > 0 {
		q += ` AND d.status IN (` + marks(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Reason != "" {
		q, args = q+` AND `+d.jsonPath("d.body", "reason")+` = ?`, append(args, f.Reason)
	}
	if f.MinClaim > 0 {
		q, args = q+` AND d.claim >= ?`, append(args, f.MinClaim)
	}
	if f.MaxClaim > 0 {
		q, args = q+` AND d.claim <= ?`, append(args, f.MaxClaim)
	}
	if f.Premium != nil {
		q, args = q+` AND d.premium = ?`, append(args, boolInt(*f.Premium))
	}
	switch {
	case f.Unassigned:
		q += ` AND d.assignee = ''`
	case f.Assignee != "":
		q, args = q+` AND d.assignee = ?`, append(args, f.Assignee)
	}
	if f.NoSLA {
		q += ` AND (d.sla_due_at IS NULL OR d.status <> 'REVIEW')`
	}
	if f.SLABefore != nil || f.SLAAfter != nil {
		q += ` AND d.status = 'REVIEW' AND d.sla_due_at IS NOT NULL`
	}
	if f.SLABefore != nil {
		q, args = q+` AND d.sla_due_at < ?`, append(args, micros(*f.SLABefore))
	}
	if f.SLAAfter != nil {
		q, args = q+` AND d.sla_due_at >= ?`, append(args, micros(*f.SLAAfter))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		p := likeEscape(t)
		like := func(expr string) string { return `LOWER(COALESCE(` + expr + `, '')) LIKE ? ESCAPE '\'` }
		// a party by id, by its web user's name, or by the name the
		// marketplace gave it on this case's order
		party := func(role, col string) string {
			return `(` + like(col) + ` OR EXISTS (SELECT 1 FROM web_users u WHERE u.role = '` + role + `' AND u.party_id = ` + col + ` AND ` + like("u.display_name") + `) OR ` +
				like(d.jsonPath("o.body", role+"_nick")) + `)`
		}
		var parts []string
		add := func(expr string, n int) {
			parts = append(parts, expr)
			for i := 0; i < n; i++ {
				args = append(args, p)
			}
		}
		in := f.In
		if in == "" {
			in = "all"
		}
		if in == "order" || in == "all" {
			add(like("d.order_id"), 1)
		}
		if in == "buyer" || in == "all" {
			add(party("buyer", "d.buyer_id"), 3)
		}
		if in == "seller" || in == "all" {
			add(party("seller", "d.seller_id"), 3)
		}
		if in == "tracking" || in == "all" {
			add(like(ordTrack), 1)
			add(like(retTrack), 1)
		}
		if in == "text" || in == "all" {
			add(like(desc), 1)
			add(like("d.id"), 1)
		}
		if len(parts) == 0 {
			q += ` AND 1 = 0`
		} else {
			q += ` AND (` + strings.Join(parts, ` OR `) + `)`
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	q += ` ORDER BY d.premium DESC, CASE WHEN d.sla_due_at IS NULL THEN 1 ELSE 0 END, d.sla_due_at, d.claim DESC, d.id LIMIT ?`
	args = append(args, limit)
	rows, err := s.query(ctx, q, args...)
	return collect(rows, err, func(r *sql.Rows, w *WorkbenchCase) error {
		var body string
		if err := r.Scan(&body, &w.TrackingNo, &w.ReturnTrackingNo, &w.Description, &w.OrderRequests, &w.OrderComplaints); err != nil {
			return err
		}
		return json.Unmarshal([]byte(body), &w.Case)
	})
}

// PartyActivity is what the workbench shows of a party's history beside a
// case: its after-sales requests, cases, complaints filed and received, the
// complaints it filed that were decided since a time (and of those the
// rejected ones: the abuse flag's input) and its violations.
type PartyActivity struct {
	Requests           int
	Cases              int
	ComplaintsFiled    int
	ComplaintsReceived int
	DecidedSince       int
	RejectedSince      int
	Violations         []penalty.Violation
}

// PartyActivities returns the activity of each party of a role (buyer or
// seller) among ids; a party without any has a zero entry. since bounds the
// decided complaints counted for the abuse flag.
func (s *Store) PartyActivities(ctx context.Context, role string, ids []string, since time.Time) (map[string]*PartyActivity, error) {
	out := make(map[string]*PartyActivity, len(ids))
	var uniq []string
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = &PartyActivity{}
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return out, nil
	}
	col := "buyer_id"
	if role == "seller" {
		col = "seller_id"
	}
	in := ` IN (` + marks(len(uniq)) + `)`
	idArgs := make([]any, len(uniq))
	for i, id := range uniq {
		idArgs[i] = id
	}
	count := func(q string, pre []any, set func(a *PartyActivity, n, m int)) error {
		rows, err := s.query(ctx, q, append(pre, idArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n, m int
			if err := rows.Scan(&id, &n, &m); err != nil {
				return err
			}
			if a := out[id]; a != nil {
				set(a, n, m)
			}
		}
		return rows.Err()
	}
	if err := count(`SELECT `+col+`, COUNT(*), 0 FROM aftersales WHERE `+col+in+` GROUP BY `+col, nil, func(a *PartyActivity, n, _ int) { a.Requests = n }); err != nil {
		return nil, err
	}
	if err := count(`SELECT `+col+`, COUNT(*), 0 FROM disputes WHERE `+col+in+` GROUP BY `+col, nil, func(a *PartyActivity, n, _ int) { a.Cases = n }); err != nil {
		return nil, err
	}
	if err := count(`SELECT complainant_id, COUNT(*), 0 FROM complaints WHERE complainant_role = ? AND complainant_id`+in+` GROUP BY complainant_id`, []any{role},
		func(a *PartyActivity, n, _ int) { a.ComplaintsFiled = n }); err != nil {
		return nil, err
	}
	if err := count(`SELECT respondent_id, COUNT(*), 0 FROM complaints WHERE respondent_role = ? AND respondent_id`+in+` GROUP BY respondent_id`, []any{role},
		func(a *PartyActivity, n, _ int) { a.ComplaintsReceived = n }); err != nil {
		return nil, err
	}
	if err := count(`SELECT complainant_id, COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0) FROM complaints
		WHERE complainant_role = ? AND decided_at >= ? AND outcome <> '' AND complainant_id`+in+` GROUP BY complainant_id`, []any{role, micros(since)},
		func(a *PartyActivity, n, m int) { a.DecidedSince, a.RejectedSince = n, m }); err != nil {
		return nil, err
	}
	vs, err := scanViolations(s.query(ctx, `SELECT body FROM violations WHERE party_role = ? AND party_id`+in+` ORDER BY at, id`, append([]any{role}, idArgs...)...))
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if a := out[v.PartyID]; a != nil {
			a.Violations = append(a.Violations, v)
		}
	}
	return out, nil
}

// PartyDisplayNames maps the parties of a role among ids to their names:
// a web user's display name, else the marketplace's name for the party on
// its latest order (buyer_nick / seller_nick).
func (s *Store) PartyDisplayNames(ctx context.Context, role string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var uniq []any
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT party_id, display_name FROM web_users WHERE role = ? AND party_id IN (`+marks(len(uniq))+`) ORDER BY created_at, id`, append([]any{role}, uniq...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if _, ok := out[id]; !ok && name != "" {
			out[id] = name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range uniq {
		if _, ok := out[id.(string)]; !ok {
			missing = append(missing, id.(string))
		}
	}
	return out, s.partyNicks(ctx, role, missing, out)
}

// partyNicks adds, for parties without a web user, the name the
// marketplace gave on the party's latest order (buyer_nick / seller_nick,
// order.Facts): one indexed probe per party, in compound selects of at
// most 200 (SQLite allows 500).
func (s *Store) partyNicks(ctx context.Context, role string, ids []string, out map[string]string) error {
	col, key := "buyer_id", "buyer_nick"
	if role == "seller" {
		col, key = "seller_id", "seller_nick"
	} else if role != "buyer" {
		return nil
	}
	nick := s.dialect.jsonPath("o.body", key)
	for len(ids) > 0 {
		n := min(len(ids), 200)
		part := make([]string, n)
		args := make([]any, 0, 2*n)
		for i, id := range ids[:n] {
			part[i] = `SELECT ?, (SELECT ` + nick + ` FROM orders o WHERE o.` + col + ` = ? AND COALESCE(` + nick + `, '') <> '' ORDER BY o.id DESC LIMIT 1)`
			args = append(args, id, id)
		}
		ids = ids[n:]
		rows, err := s.query(ctx, strings.Join(part, " UNION ALL "), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var name sql.NullString
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			if name.Valid && name.String != "" {
				out[id] = name.String
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
