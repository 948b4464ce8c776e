package ledger

import (
	"fmt"
	"maps"
	"slices"

	"github.com/weiquan/weiquan/internal/money"
)

// Balances maps accounts to their balances in fen; a missing account has
// balance 0.
type Balances map[Account]money.Fen

// Sum returns the sum of all balances (0 in a consistent ledger).
func (b Balances) Sum() money.Fen {
	var s money.Fen
	for _, v := range b {
		s += v
	}
	return s
}

// Accounts returns the accounts with a balance entry, sorted.
func (b Balances) Accounts() []Account {
	out := slices.Collect(maps.Keys(b))
	slices.SortFunc(out, Account.Compare)
	return out
}

// Headroom is how much can leave the account without going below its floor:
// balance − floor, never negative; MaxAmount for an unbounded account.
func (b Balances) Headroom(a Account) money.Fen {
	floor, bounded := a.Floor()
	if !bounded {
		return MaxAmount
	}
	return max(b[a]-floor, 0)
}

// InsufficientError refuses a transaction that would take an account below
// its floor. Per art. 87 (taobao-dispute-87) an insufficient balance is
// recorded and surfaced, never papered over.
type InsufficientError struct {
	TxID    string
	Line    int
	Account Account
	Balance money.Fen // before the transaction
	Amount  money.Fen // the line
	Floor   money.Fen
}

// Shortfall is how much is missing.
func (e *InsufficientError) Shortfall() money.Fen { return e.Floor - (e.Balance + e.Amount) }

func (e *InsufficientError) Error() string {
	return fmt.Sprintf("ledger: transaction %s line %d: %s has %d fen, needs %d: short by %d fen (taobao-dispute-87)",
		e.TxID, e.Line, e.Account, int64(e.Balance), int64(-e.Amount+e.Floor), int64(e.Shortfall()))
}

// Violation describes the error as a floor violation (for the checker).
func (e *InsufficientError) Violation() *Violation {
	return &Violation{TxID: e.TxID, Line: e.Line, Account: e.Account.String(), Amount: e.Amount, Invariant: InvFloor,
		Detail: fmt.Sprintf("balance %d + %d = %d is below the floor %d (short by %d fen)",
			int64(e.Balance), int64(e.Amount), int64(e.Balance+e.Amount), int64(e.Floor), int64(e.Shortfall()))}
}

// Apply validates tx and returns the balances after it, leaving b
// unchanged. It refuses (with *InsufficientError, for the first line in
// order) a transaction that would take an account below its floor, and
// (with *Violation) an invalid one.
func Apply(b Balances, tx Transaction) (Balances, error) {
	if err := CheckFloors(b, tx); err != nil {
		return nil, err
	}
	out := maps.Clone(b)
	if out == nil {
		out = Balances{}
	}
	for _, p := range tx.Postings {
		out[p.Account] += p.Amount
	}
	return out, nil
}

// CheckFloors validates tx and checks that applying it to b keeps every
// account at or above its floor, without applying it.
func CheckFloors(b Balances, tx Transaction) error {
	if err := Validate(tx); err != nil {
		return err
	}
	for i, p := range tx.Postings {
		floor, bounded := p.Account.Floor()
		if bounded && p.Amount < 0 && b[p.Account]+p.Amount < floor {
			return &InsufficientError{TxID: tx.ID, Line: i + 1, Account: p.Account, Balance: b[p.Account], Amount: p.Amount, Floor: floor}
		}
	}
	return nil
}

// Replay applies transactions in order from empty balances.
func Replay(txs []Transaction) (Balances, error) {
	b := Balances{}
	for _, tx := range txs {
		if err := CheckFloors(b, tx); err != nil {
			return b, err
		}
		for _, p := range tx.Postings {
			b[p.Account] += p.Amount
		}
	}
	return b, nil
}

// Cover splits a requested payment into what the available money pays and
// the shortfall to record (art. 87): paid = min(requested, available),
// shortfall = requested − paid. Negative inputs count as 0.
func Cover(requested, available money.Fen) (paid, shortfall money.Fen) {
	requested, available = max(requested, 0), max(available, 0)
	paid = min(requested, available)
	return paid, requested - paid
}
