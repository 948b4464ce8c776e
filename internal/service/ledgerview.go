package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds the ledger as callers see it: accounts (with who may see
// which), an order's postings and reconciliation, and the balances the
// pages show.

// canSeeAccount: staff and the integration see every account; a seller
// its own seller accounts; a buyer its own payouts; an order's accounts
// whoever sees the order.
func (s *Service) canSeeAccount(ctx context.Context, c Caller, acct ledger.Account) bool {
	switch c.Role {
	case actor.Agent, actor.Senior, actor.Admin, actor.Integration:
		return true
	}
	switch acct.Kind() {
	case ledger.KindSellerAvailable, ledger.KindSellerDeposit, ledger.KindFundReceivable, ledger.KindDepositFrozen:
		return c.Role == actor.Seller && acct.Owner() == c.PartyID
	case ledger.KindBuyerPayout:
		return c.Role == actor.Buyer && acct.Owner() == c.PartyID
	case ledger.KindEscrow, ledger.KindFrozen:
		_, err := s.GetOrder(ctx, c, acct.Owner())
		return err == nil
	}
	return false
}

func accountNotFound(acct ledger.Account) error {
	return fault.New(fault.NotFound, "账户 %s 不存在 / account %s not found", acct, acct)
}

// VisibleAccount is a ledger account its caller may see (OpenAccount).
type VisibleAccount struct{ acct ledger.Account }

// Account is the account.
func (v VisibleAccount) Account() ledger.Account { return v.acct }

// OpenAccount parses an account id and checks the caller may see it. An id
// that names no possible account is as absent as one the caller may not
// see. Errors: NotFound (field id when the id is malformed, with the
// expected form in the message).
func (s *Service) OpenAccount(ctx context.Context, c Caller, id string) (VisibleAccount, error) {
	acct, err := ledger.ParseAccount(id)
	if err != nil {
		return VisibleAccount{}, &fault.Error{Code: fault.NotFound, Field: "id", Message: "没有这个账户（账户形如 escrow:<订单ID>、seller_deposit:<卖家ID>） / no such account (accounts look like escrow:<order id>, seller_deposit:<seller id>)"}
	}
	if !s.canSeeAccount(ctx, c, acct) {
		return VisibleAccount{}, accountNotFound(acct)
	}
	return VisibleAccount{acct}, nil
}

// AccountPage is an account's balance and a page of its postings.
type AccountPage struct {
	Balance  money.Fen
	Postings []store.AccountEntry // never nil
	Next     string               // the store's opaque cursor of the next page ("" at the end)
}

// AccountPostings is the balance of an account the caller may see and its
// postings after the cursor. Errors: Invalid (cursor).
func (s *Service) AccountPostings(ctx context.Context, v VisibleAccount, cursor string, limit int) (AccountPage, error) {
	bal, err := s.st.AccountBalance(ctx, v.acct)
	if err != nil {
		return AccountPage{}, err
	}
	entries, next, err := s.st.AccountPostings(ctx, v.acct, cursor, limit)
	if entries == nil {
		entries = []store.AccountEntry{}
	}
	return AccountPage{Balance: bal, Postings: entries, Next: next}, err
}

// Balances are the balances of accounts the caller may see (a judgment's
// preview, the dashboard). Errors: NotFound (an account the caller may
// not see).
func (s *Service) Balances(ctx context.Context, c Caller, accts ...ledger.Account) (ledger.Balances, error) {
	b := ledger.Balances{}
	for _, a := range accts {
		if !s.canSeeAccount(ctx, c, a) {
			return nil, accountNotFound(a)
		}
		bal, err := s.st.AccountBalance(ctx, a)
		if err != nil {
			return nil, err
		}
		b[a] = bal
	}
	return b, nil
}

// AccountKindTotal is the total balance of every account of a kind and
// how many accounts have one (the dashboard). Errors: Forbidden (not staff).
func (s *Service) AccountKindTotal(ctx context.Context, c Caller, kind ledger.AccountKind) (money.Fen, int64, error) {
	if err := staffOnly(c); err != nil {
		return 0, 0, err
	}
	return s.st.AccountKindTotal(ctx, string(kind))
}

// OrderPostings lists an order's ledger transactions. Errors: NotFound
// (an order the caller may not see).
func (s *Service) OrderPostings(ctx context.Context, c Caller, orderID string) ([]store.LedgerTxRecord, error) {
	if _, err := s.GetOrder(ctx, c, orderID); err != nil {
		return nil, err
	}
	return s.st.OrderPostings(ctx, orderID)
}

// OrderLedger is an order's money: every transaction and the
// reconciliation paid = released + refunded + recovered + escrow + frozen.
type OrderLedger struct {
	OrderID      string
	Transactions []store.LedgerTxRecord // never nil
	Totals       ledger.OrderTotals
	Balanced     bool
}

// OrderLedger reconciles an order's ledger. Errors: NotFound (an order
// the caller may not see); a stored transaction that does not decode.
func (s *Service) OrderLedger(ctx context.Context, c Caller, orderID string) (OrderLedger, error) {
	o, err := s.GetOrder(ctx, c, orderID)
	if err != nil {
		return OrderLedger{}, err
	}
	txs, err := s.st.OrderPostings(ctx, o.ID)
	if err != nil {
		return OrderLedger{}, err
	}
	lts := make([]ledger.Transaction, 0, len(txs))
	for _, t := range txs {
		lt, err := t.Transaction()
		if err != nil {
			return OrderLedger{}, err
		}
		lts = append(lts, lt)
	}
	totals, rerr := ledger.Reconcile(o.ID, lts)
	if txs == nil {
		txs = []store.LedgerTxRecord{}
	}
	return OrderLedger{OrderID: o.ID, Transactions: txs, Totals: totals, Balanced: rerr == nil}, nil
}
