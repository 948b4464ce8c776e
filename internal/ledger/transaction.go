package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/money"
)

// TxKind says which money movement a transaction is.
type TxKind string

// The transaction kinds. Each allows a fixed set of account kinds to be
// debited (negative lines) and credited (positive lines); see Shape.
const (
	TxPaymentEscrow           TxKind = "payment_escrow"            // External(payin) → Escrow(order)
	TxReleaseToSeller         TxKind = "release_to_seller"         // Escrow(order) → SellerAvailable
	TxRefund                  TxKind = "refund"                    // Escrow(order) [, SellerAvailable [, SellerDeposit]] → BuyerPayout
	TxCompensationFromDeposit TxKind = "compensation_from_deposit" // SellerDeposit → BuyerPayout (art. 86)
	TxAdvanceFromFund         TxKind = "advance_from_fund"         // GuaranteeFund → BuyerPayout (SPEC §5.1)
	TxFreeze                  TxKind = "freeze"                    // Escrow(order) → Frozen(order) (SPEC §5.1)
	TxUnfreeze                TxKind = "unfreeze"                  // Frozen(order) → Escrow(order)
	TxRepayFund               TxKind = "repay_fund"                // Frozen(order), SellerDeposit → GuaranteeFund (SPEC §5.2)
	TxRecordReceivable        TxKind = "record_receivable"         // External(seller_debt) → FundReceivable (art. 87)
	TxRepayReceivable         TxKind = "repay_receivable"          // seller's money → GuaranteeFund, FundReceivable → External(seller_debt)
	TxReverseAdvance          TxKind = "reverse_advance"           // BuyerPayout → SellerAvailable (SPEC §5.2b, 调帐)
	TxDepositTopUp            TxKind = "deposit_top_up"            // External → SellerDeposit
	TxFundTopUp               TxKind = "fund_top_up"               // External → GuaranteeFund
	TxWithdrawal              TxKind = "withdrawal"                // SellerAvailable, BuyerPayout, SellerDeposit → External
	// TxFundRestitution: the guarantee fund makes a seller whole for money
	// an executed judgment took and the appeal decision gave back (GuaranteeFund
	// → SellerAvailable, SellerDeposit): the platform bears its own error
	// (ours-appeal-overturn); the fund's loss is counted in fund_whole.
	TxFundRestitution TxKind = "fund_restitution"
	// Protection services (issue 13).
	TxDepositFreeze    TxKind = "deposit_freeze"    // SellerDeposit → DepositFrozen: the amount in dispute, per open case
	TxDepositRelease   TxKind = "deposit_release"   // DepositFrozen → SellerDeposit: the case closed or is executed
	TxFundCompensation TxKind = "fund_compensation" // GuaranteeFund → BuyerPayout: the fund advances compensation the deposit lacks (假一赔十)
	TxInsurancePremium TxKind = "insurance_premium" // External(insurance_premium) → Insurer: 运费险 premium at payment
	TxInsuranceClaim   TxKind = "insurance_claim"   // Insurer → BuyerPayout: the insured return postage
	// TxWriteOffReceivable: a receivable the seller no longer owes (the
	// appeal decision overturned the judgment behind it) is cancelled,
	// FundReceivable → External(seller_debt); the fund's loss is counted in
	// fund_whole like a restitution (ours-appeal-overturn).
	TxWriteOffReceivable TxKind = "write_off_receivable"
)

// Limits on a transaction.
const (
	MaxLines  = 16              // postings per transaction
	MaxAmount = money.Fen(1e15) // |amount| of one posting (¥10¹³); MaxLines × MaxAmount fits in int64
	MaxIDLen  = 128             // transaction id, order id, ref, rule id
	maxRules  = 32              // rule ids per transaction
)

// Shape is what a transaction kind may do.
type Shape struct {
	From  []AccountKind // kinds that may be debited
	To    []AccountKind // kinds that may be credited
	Order bool          // the transaction must name its order
	// SellerDebt: the kind must touch External(SourceSellerDebt) (and only
	// these kinds may).
	SellerDebt bool
}

var shapes = map[TxKind]Shape{
	TxPaymentEscrow:           {From: []AccountKind{KindExternal}, To: []AccountKind{KindEscrow}, Order: true},
	TxReleaseToSeller:         {From: []AccountKind{KindEscrow}, To: []AccountKind{KindSellerAvailable}, Order: true},
	TxRefund:                  {From: []AccountKind{KindEscrow, KindSellerAvailable, KindSellerDeposit}, To: []AccountKind{KindBuyerPayout}, Order: true},
	TxCompensationFromDeposit: {From: []AccountKind{KindSellerDeposit}, To: []AccountKind{KindBuyerPayout}},
	TxAdvanceFromFund:         {From: []AccountKind{KindGuaranteeFund}, To: []AccountKind{KindBuyerPayout}, Order: true},
	TxFreeze:                  {From: []AccountKind{KindEscrow}, To: []AccountKind{KindFrozen}, Order: true},
	TxUnfreeze:                {From: []AccountKind{KindFrozen}, To: []AccountKind{KindEscrow}, Order: true},
	TxRepayFund:               {From: []AccountKind{KindFrozen, KindSellerDeposit}, To: []AccountKind{KindGuaranteeFund}, Order: true},
	TxRecordReceivable:        {From: []AccountKind{KindExternal}, To: []AccountKind{KindFundReceivable}, Order: true, SellerDebt: true},
	TxRepayReceivable: {From: []AccountKind{KindSellerAvailable, KindSellerDeposit, KindExternal, KindFundReceivable},
		To: []AccountKind{KindGuaranteeFund, KindExternal}, SellerDebt: true},
	TxReverseAdvance:     {From: []AccountKind{KindBuyerPayout}, To: []AccountKind{KindSellerAvailable}, Order: true},
	TxDepositTopUp:       {From: []AccountKind{KindExternal}, To: []AccountKind{KindSellerDeposit}},
	TxFundTopUp:          {From: []AccountKind{KindExternal}, To: []AccountKind{KindGuaranteeFund}},
	TxWithdrawal:         {From: []AccountKind{KindSellerAvailable, KindBuyerPayout, KindSellerDeposit}, To: []AccountKind{KindExternal}},
	TxFundRestitution:    {From: []AccountKind{KindGuaranteeFund}, To: []AccountKind{KindSellerAvailable, KindSellerDeposit}, Order: true},
	TxDepositFreeze:      {From: []AccountKind{KindSellerDeposit}, To: []AccountKind{KindDepositFrozen}},
	TxDepositRelease:     {From: []AccountKind{KindDepositFrozen}, To: []AccountKind{KindSellerDeposit}},
	TxFundCompensation:   {From: []AccountKind{KindGuaranteeFund}, To: []AccountKind{KindBuyerPayout}, Order: true},
	TxInsurancePremium:   {From: []AccountKind{KindExternal}, To: []AccountKind{KindInsurer}, Order: true},
	TxInsuranceClaim:     {From: []AccountKind{KindInsurer}, To: []AccountKind{KindBuyerPayout}, Order: true},
	TxWriteOffReceivable: {From: []AccountKind{KindFundReceivable}, To: []AccountKind{KindExternal}, Order: true, SellerDebt: true},
}

// ShapeOf returns the shape of a kind and whether the kind is known.
func ShapeOf(k TxKind) (Shape, bool) {
	s, ok := shapes[k]
	return s, ok
}

// Kinds returns the known transaction kinds, sorted.
func Kinds() []TxKind {
	out := make([]TxKind, 0, len(shapes))
	for k := range shapes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Posting is one line of a transaction: an account and a signed amount in
// fen (negative: money leaves the account; positive: money arrives).
type Posting struct {
	Account Account   `json:"account"`
	Amount  money.Fen `json:"amount"`
}

// Transaction is one balanced money movement. Postings are numbered from 1
// in slice order (the "line").
type Transaction struct {
	ID       string    `json:"id"`                 // unique; posting the same id again is a no-op
	Kind     TxKind    `json:"kind"`               //
	OrderID  string    `json:"order_id,omitempty"` // the order whose money moves
	Ref      string    `json:"ref,omitempty"`      // the after-sales request, case or complaint behind it
	RuleIDs  []string  `json:"rule_ids"`           // the rules applied, e.g. taobao-dispute-86
	At       time.Time `json:"at"`                 // when it happened (UTC)
	Postings []Posting `json:"postings"`           // ≥ 2 lines summing to zero
}

// Invariant names a rule the ledger keeps.
type Invariant string

// The invariants. Validate checks header … order_scope; Apply adds floor;
// the store and the checker add the rest.
const (
	InvHeader           Invariant = "header"               // id, kind, time, order id present and well formed
	InvLines            Invariant = "lines"                // 2 … MaxLines postings
	InvAccount          Invariant = "account"              // a known account with a valid owner
	InvNonZero          Invariant = "nonzero"              // no zero line
	InvAmountRange      Invariant = "amount_range"         // |amount| ≤ MaxAmount
	InvDistinct         Invariant = "distinct_accounts"    // one line per account
	InvBalanced         Invariant = "balanced"             // lines sum to zero
	InvShape            Invariant = "shape"                // the kind allows this account on this side
	InvOrderScope       Invariant = "order_scope"          // escrow and frozen accounts belong to the transaction's order
	InvFloor            Invariant = "floor"                // no account below its floor, at any point
	InvRunningBalance   Invariant = "running_balance"      // the stored balance after each line follows from the amounts
	InvDigest           Invariant = "digest"               // the stored content matches the digest taken when posted
	InvSequence         Invariant = "sequence"             // postings belong to their transaction, in order
	InvBalanceTable     Invariant = "balance_table"        // the balances table equals the sum of postings
	InvSumZero          Invariant = "sum_zero"             // all balances sum to zero
	InvReceivableMirror Invariant = "receivable_mirror"    // External(seller_debt) = −Σ FundReceivable
	InvReconcile        Invariant = "order_reconciliation" // paid = released + refunded + recovered + escrow + frozen
	InvRefundCap        Invariant = "refund_cap"           // a buyer never gets back more than was paid (ours-refund-cap)
	InvFundRecovery     Invariant = "fund_recovery"        // the fund never recovers more than it advanced on an order
	InvFundWhole        Invariant = "fund_whole"           // fund + receivables + open advances + restitutions = capital
)

// Violation is a broken invariant, naming the transaction and, when one
// line is to blame, the line (1-based; 0 for the whole transaction).
type Violation struct {
	TxID      string      `json:"tx_id,omitempty"`
	Seq       int64       `json:"seq,omitempty"` // posting order, when known (store)
	Line      int         `json:"line,omitempty"`
	Account   string      `json:"account,omitempty"`
	Amount    money.Fen   `json:"amount,omitempty"`
	OrderID   string      `json:"order_id,omitempty"`
	Invariant Invariant   `json:"invariant"`
	Detail    string      `json:"detail"`
	Also      []Invariant `json:"also,omitempty"` // other invariants the same transaction breaks
}

func (v *Violation) Error() string {
	var b strings.Builder
	b.WriteString("ledger: ")
	if v.TxID != "" {
		fmt.Fprintf(&b, "transaction %s", v.TxID)
		if v.Seq != 0 {
			fmt.Fprintf(&b, " (seq %d)", v.Seq)
		}
		if v.Line != 0 {
			fmt.Fprintf(&b, " line %d", v.Line)
		}
		if v.Account != "" {
			fmt.Fprintf(&b, " account %s amount %d", v.Account, int64(v.Amount))
		}
		b.WriteString(": ")
	} else if v.OrderID != "" {
		fmt.Fprintf(&b, "order %s: ", v.OrderID)
	} else if v.Account != "" {
		fmt.Fprintf(&b, "account %s: ", v.Account)
	}
	fmt.Fprintf(&b, "%s: %s", v.Invariant, v.Detail)
	if len(v.Also) > 0 {
		b.WriteString(" (also: ")
		for i, a := range v.Also {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(a))
		}
		b.WriteString(")")
	}
	return b.String()
}

func (t Transaction) violation(line int, inv Invariant, format string, args ...any) *Violation {
	v := &Violation{TxID: t.ID, Line: line, OrderID: t.OrderID, Invariant: inv, Detail: fmt.Sprintf(format, args...)}
	if line > 0 && line <= len(t.Postings) {
		p := t.Postings[line-1]
		v.Account, v.Amount = p.Account.String(), p.Amount
	}
	return v
}

func validText(s string) bool {
	if len(s) > MaxIDLen {
		return false
	}
	for _, r := range s {
		if badRune(r) {
			return false
		}
	}
	return true
}

func badRune(r rune) bool { return r < 0x20 || r == 0x7f || r == 0xfffd }

// Validate checks a transaction on its own: a known kind, an id and a time;
// 2 … MaxLines postings on valid, distinct accounts; no zero line; every
// |amount| ≤ MaxAmount (amounts are whole fen by type); the lines sum to
// zero; every debited and credited account kind is allowed by the kind's
// Shape; escrow and frozen accounts belong to the transaction's order; only
// receivable transactions touch External(seller_debt). The error is a
// *Violation naming the first problem.
func Validate(t Transaction) error {
	if v := validate(t); v != nil {
		return v
	}
	return nil
}

func validate(t Transaction) *Violation {
	if t.ID == "" || !validText(t.ID) {
		return t.violation(0, InvHeader, "transaction id must be 1–%d printable bytes", MaxIDLen)
	}
	sh, ok := shapes[t.Kind]
	if !ok {
		return t.violation(0, InvHeader, "unknown transaction kind %q", t.Kind)
	}
	if t.At.IsZero() {
		return t.violation(0, InvHeader, "transaction time is missing")
	}
	if !validText(t.OrderID) || !validText(t.Ref) {
		return t.violation(0, InvHeader, "order id and ref must be at most %d printable bytes", MaxIDLen)
	}
	if sh.Order && t.OrderID == "" {
		return t.violation(0, InvHeader, "a %s transaction must name its order", t.Kind)
	}
	if len(t.RuleIDs) > maxRules {
		return t.violation(0, InvHeader, "more than %d rule ids", maxRules)
	}
	for _, r := range t.RuleIDs {
		if r == "" || !validText(r) {
			return t.violation(0, InvHeader, "rule ids must be 1–%d printable bytes", MaxIDLen)
		}
	}
	if n := len(t.Postings); n < 2 || n > MaxLines {
		return t.violation(0, InvLines, "%d postings; a transaction has 2–%d", n, MaxLines)
	}
	seen := make(map[Account]int, len(t.Postings))
	var sum money.Fen
	for i, p := range t.Postings {
		line := i + 1
		if err := p.Account.Validate(); err != nil {
			return t.violation(line, InvAccount, "%v", err)
		}
		if p.Amount == 0 {
			return t.violation(line, InvNonZero, "zero amount")
		}
		if p.Amount > MaxAmount || p.Amount < -MaxAmount {
			return t.violation(line, InvAmountRange, "|amount| exceeds %d fen", int64(MaxAmount))
		}
		if prev, dup := seen[p.Account]; dup {
			return t.violation(line, InvDistinct, "account %s already on line %d", p.Account, prev)
		}
		seen[p.Account] = line
		sum += p.Amount
	}
	if sum != 0 {
		return t.violation(0, InvBalanced, "postings sum to %d fen, not 0", int64(sum))
	}
	for i, p := range t.Postings {
		line := i + 1
		side := sh.To
		if p.Amount < 0 {
			side = sh.From
		}
		if !slices.Contains(side, p.Account.Kind()) {
			dir := "credit"
			if p.Amount < 0 {
				dir = "debit"
			}
			return t.violation(line, InvShape, "a %s transaction may not %s a %s account", t.Kind, dir, p.Account.Kind())
		}
		if k := p.Account.Kind(); (k == KindEscrow || k == KindFrozen) && p.Account.Owner() != t.OrderID {
			return t.violation(line, InvOrderScope, "%s belongs to order %s, not to the transaction's order %q", p.Account, p.Account.Owner(), t.OrderID)
		}
		debt := p.Account == External(SourceSellerDebt)
		if debt && !sh.SellerDebt {
			return t.violation(line, InvShape, "only receivable transactions may touch %s", p.Account)
		}
	}
	if t.Kind == TxDepositFreeze || t.Kind == TxDepositRelease {
		if o0, o1 := t.Postings[0].Account.Owner(), t.Postings[len(t.Postings)-1].Account.Owner(); len(t.Postings) != 2 || o0 != o1 {
			return t.violation(0, InvShape, "a %s moves one seller's deposit within itself", t.Kind)
		}
	}
	if sh.SellerDebt {
		if v := validateReceivable(t); v != nil {
			return v
		}
	}
	return nil
}

// validateReceivable: a receivable moves in step with its mirror; repaying
// one also pays the fund the same amount, from the same seller's money or
// from outside.
func validateReceivable(t Transaction) *Violation {
	var recv, mirror, fund money.Fen
	seller := ""
	for i, p := range t.Postings {
		switch {
		case p.Account.Kind() == KindFundReceivable:
			if seller != "" && seller != p.Account.Owner() {
				return t.violation(i+1, InvShape, "one seller per receivable transaction")
			}
			seller = p.Account.Owner()
			recv += p.Amount
		case p.Account == External(SourceSellerDebt):
			mirror += p.Amount
		case p.Account.Kind() == KindGuaranteeFund:
			fund += p.Amount
		}
	}
	if recv == 0 || recv != -mirror {
		return t.violation(0, InvShape, "%s must move %s by the opposite amount (receivable %d, mirror %d)", t.Kind, External(SourceSellerDebt), int64(recv), int64(mirror))
	}
	if t.Kind == TxRepayReceivable {
		if fund != -recv {
			return t.violation(0, InvShape, "repaying %d fen of receivable must pay the fund the same (fund %+d)", int64(-recv), int64(fund))
		}
		for i, p := range t.Postings {
			if k := p.Account.Kind(); (k == KindSellerAvailable || k == KindSellerDeposit) && p.Account.Owner() != seller {
				return t.violation(i+1, InvShape, "a seller repays its own receivable: %s is not seller %s", p.Account, seller)
			}
		}
	}
	return nil
}

// Digest is a hash of the transaction's money content (kind, order, ref and
// postings; not the time or the rule ids). The store keeps it to make
// posting idempotent by id, and the checker recomputes it to find tampering.
func (t Transaction) Digest() string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + ";")) }
	w("weiquan-ledger-v1")
	w(string(t.Kind))
	w(t.OrderID)
	w(t.Ref)
	for _, p := range t.Postings {
		w(p.Account.String())
		w(strconv.FormatInt(int64(p.Amount), 10))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Accounts returns the transaction's accounts, sorted.
func (t Transaction) Accounts() []Account {
	out := make([]Account, len(t.Postings))
	for i, p := range t.Postings {
		out[i] = p.Account
	}
	slices.SortFunc(out, Account.Compare)
	return out
}

// Amount returns the transaction's size: the sum of its positive lines.
func (t Transaction) Amount() money.Fen {
	var s money.Fen
	for _, p := range t.Postings {
		if p.Amount > 0 {
			s += p.Amount
		}
	}
	return s
}

// Line returns the posting on an account and its 1-based line, or 0.
func (t Transaction) Line(a Account) (money.Fen, int) {
	for i, p := range t.Postings {
		if p.Account == a {
			return p.Amount, i + 1
		}
	}
	return 0, 0
}
