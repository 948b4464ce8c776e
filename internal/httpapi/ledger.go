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

func (a *API) getAccount(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	acct, err := a.svc.OpenAccount(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
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
	p, err := a.svc.AccountPostings(r.Context(), acct, cur, limit)
	if err != nil {
		return 0, nil, err
	}
	id := acct.Account()
	return http.StatusOK, AccountView{ID: id.String(), Kind: string(id.Kind()), Owner: id.Owner(), Balance: p.Balance, Postings: p.Postings, NextCursor: p.Next}, nil
}

// OrderLedgerView is an order's money: every transaction and the
// reconciliation paid = released + refunded + recovered + escrow + frozen.
type OrderLedgerView struct {
	OrderID      string                 `json:"order_id"`
	Transactions []store.LedgerTxRecord `json:"transactions"`
	Totals       ledger.OrderTotals     `json:"totals"`
	Balanced     bool                   `json:"balanced"`
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
