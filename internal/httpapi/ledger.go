package httpapi

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// AccountView is a ledger account with its balance and postings.
type AccountView struct {
	ID         string               `json:"id"`
	Kind       string               `json:"kind"`
	Owner      string               `json:"owner,omitempty"`
	Balance    money.Fen            `json:"balance"`
	Postings   []store.AccountEntry `json:"postings"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

// canSeeAccount: staff see every account; a seller its own seller
// accounts; a buyer its own payouts; an order's accounts whoever sees the order.
func (a *API) canSeeAccount(r *http.Request, c service.Caller, acct ledger.Account) bool {
	switch c.Role {
	case service.RoleAgent, service.RoleSenior, service.RoleAdmin, service.RoleIntegration:
		return true
	}
	switch acct.Kind() {
	case ledger.KindSellerAvailable, ledger.KindSellerDeposit, ledger.KindFundReceivable:
		return c.Role == service.RoleSeller && acct.Owner() == c.PartyID
	case ledger.KindBuyerPayout:
		return c.Role == service.RoleBuyer && acct.Owner() == c.PartyID
	case ledger.KindEscrow, ledger.KindFrozen:
		_, err := a.svc.GetOrder(r.Context(), c, acct.Owner())
		return err == nil
	}
	return false
}

func (a *API) getAccount(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	// An id that names no possible account is as absent as one the caller
	// may not see: 404, with the expected form in the message.
	acct, err := ledger.ParseAccount(r.PathValue("id"))
	if err != nil {
		return 0, nil, &fault.Error{Code: fault.NotFound, Field: "id", Message: "没有这个账户（账户形如 escrow:<订单ID>、seller_deposit:<卖家ID>） / no such account (accounts look like escrow:<order id>, seller_deposit:<seller id>)"}
	}
	if !a.canSeeAccount(r, c, acct) {
		return 0, nil, fault.New(fault.NotFound, "账户 %s 不存在 / account %s not found", acct, acct)
	}
	cur := r.URL.Query().Get("cursor") // the store's own opaque cursor
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		q := *r.URL
		vals := q.Query()
		vals.Del("cursor")
		q.RawQuery = vals.Encode()
		if _, limit, err = pageParams(&http.Request{URL: &q}); err != nil {
			return 0, nil, err
		}
	}
	bal, err := a.svc.Store().AccountBalance(r.Context(), acct)
	if err != nil {
		return 0, nil, err
	}
	entries, next, err := a.svc.Store().AccountPostings(r.Context(), acct, cur, limit)
	if err != nil {
		return 0, nil, err
	}
	if entries == nil {
		entries = []store.AccountEntry{}
	}
	return http.StatusOK, AccountView{ID: acct.String(), Kind: string(acct.Kind()), Owner: acct.Owner(), Balance: bal, Postings: entries, NextCursor: next}, nil
}

// OrderLedgerView is an order's money: every transaction and the
// reconciliation paid = released + refunded + recovered + escrow + frozen.
type OrderLedgerView struct {
	OrderID      string                 `json:"order_id"`
	Transactions []store.LedgerTxRecord `json:"transactions"`
	Totals       ledger.OrderTotals     `json:"totals"`
	Balanced     bool                   `json:"balanced"`
}

func (a *API) orderLedger(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	o, err := a.svc.GetOrder(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	txs, err := a.svc.Store().OrderPostings(r.Context(), o.ID)
	if err != nil {
		return 0, nil, err
	}
	lts := make([]ledger.Transaction, 0, len(txs))
	for _, t := range txs {
		lt, err := t.Transaction()
		if err != nil {
			return 0, nil, err
		}
		lts = append(lts, lt)
	}
	totals, rerr := ledger.Reconcile(o.ID, lts)
	if txs == nil {
		txs = []store.LedgerTxRecord{}
	}
	return http.StatusOK, OrderLedgerView{OrderID: o.ID, Transactions: txs, Totals: totals, Balanced: rerr == nil}, nil
}

// topUpBody pays money into the guarantee fund or a seller's deposit.
type topUpBody struct {
	Amount    money.Fen `json:"amount"`
	Reference string    `json:"reference"`
}

// topUp: POST /v1/ledger/accounts/{id}/top-up, admins and the integration.
func (a *API) topUp(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	acct, err := ledger.ParseAccount(r.PathValue("id"))
	if err != nil {
		return 0, nil, &fault.Error{Code: fault.NotFound, Field: "id", Message: "没有这个账户（账户形如 guarantee_fund、seller_deposit:<卖家ID>） / no such account (guarantee_fund, seller_deposit:<seller id>)"}
	}
	var b topUpBody
	if err := decode(body, &b); err != nil {
		return 0, nil, err
	}
	t, err := a.svc.TopUp(r.Context(), c, acct, b.Amount, b.Reference)
	return http.StatusOK, t, err
}
