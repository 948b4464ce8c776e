package ledger

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/weiquan/weiquan/internal/money"
)

// AccountKind says what an account holds and who owns it.
type AccountKind string

// The account kinds. Every kind but External and Insurer has a floor of 0.
const (
	KindEscrow          AccountKind = "escrow"           // 担保交易: a paid order's money, per order
	KindFrozen          AccountKind = "frozen"           // disputed escrow frozen while an advance is open, per order
	KindSellerAvailable AccountKind = "seller_available" // a seller's money paid out of escrow, per seller
	KindSellerDeposit   AccountKind = "seller_deposit"   // 保证金, per seller
	KindBuyerPayout     AccountKind = "buyer_payout"     // money paid back to a buyer, per buyer
	KindGuaranteeFund   AccountKind = "guarantee_fund"   // 先行赔付基金, one for the platform
	KindFundReceivable  AccountKind = "fund_receivable"  // what a seller owes the fund (positive when owed), per seller
	KindExternal        AccountKind = "external"         // outside the platform, per source; may go negative
	// KindDepositFrozen: the part of a seller's deposit frozen while its
	// intervention cases are open (protection.deposit_freeze), per seller.
	KindDepositFrozen AccountKind = "deposit_frozen"
	// KindInsurer: an insurer's account with the platform (运费险): premiums
	// in, claims out, per insurer; it may go negative (the insurer owes the
	// claims it was paid beyond the premiums, settled outside the platform).
	KindInsurer AccountKind = "insurer"
)

// owner roles, for messages and validation.
const (
	ownerOrder  = "order"
	ownerSeller = "seller"
	ownerBuyer  = "buyer"
	ownerNone   = ""
	ownerSource = "source"
)

var kindOwner = map[AccountKind]string{
	KindEscrow:          ownerOrder,
	KindFrozen:          ownerOrder,
	KindSellerAvailable: ownerSeller,
	KindSellerDeposit:   ownerSeller,
	KindBuyerPayout:     ownerBuyer,
	KindGuaranteeFund:   ownerNone,
	KindFundReceivable:  ownerSeller,
	KindExternal:        ownerSource,
	KindDepositFrozen:   ownerSeller,
	KindInsurer:         ownerSource,
}

// External sources used by the builders. Any other source name may be used
// for money entering or leaving the platform, except SourceSellerDebt, which
// is reserved for the mirror of fund receivables.
const (
	SourcePayin       = "payin"             // buyers' payments into escrow
	SourceWithdrawal  = "withdrawal"        // money paid out of the platform
	SourceDeposit     = "deposit"           // sellers paying in their deposit
	SourceFundCapital = "fund_capital"      // the platform capitalising the guarantee fund
	SourceSellerDebt  = "seller_debt"       // mirror of FundReceivable: what sellers owe from outside
	SourcePremium     = "insurance_premium" // 运费险 premiums paid in (by the buyer or the marketplace)
)

// MaxOwnerLen bounds an account owner (order, party or source id).
const MaxOwnerLen = 128

// Account names one account: a kind and, except for the guarantee fund, an
// owner (an order, a seller, a buyer or an external source). The zero
// Account is invalid. Build accounts with the constructors below or
// ParseAccount; the text form is "kind:owner" ("guarantee_fund" alone).
type Account struct {
	kind  AccountKind
	owner string
}

// Escrow is the escrow (担保交易) of an order.
func Escrow(orderID string) Account { return Account{KindEscrow, orderID} }

// Frozen is an order's disputed escrow frozen while an advance is open.
func Frozen(orderID string) Account { return Account{KindFrozen, orderID} }

// SellerAvailable is a seller's released money, available for withdrawal.
func SellerAvailable(sellerID string) Account { return Account{KindSellerAvailable, sellerID} }

// SellerDeposit is a seller's deposit (保证金).
func SellerDeposit(sellerID string) Account { return Account{KindSellerDeposit, sellerID} }

// BuyerPayout is the money paid back to a buyer (refunds, compensation,
// advances) and not yet withdrawn.
func BuyerPayout(buyerID string) Account { return Account{KindBuyerPayout, buyerID} }

// GuaranteeFund is the platform's guarantee fund (先行赔付基金).
func GuaranteeFund() Account { return Account{KindGuaranteeFund, ""} }

// FundReceivable is what a seller owes the guarantee fund after an advance
// that neither the frozen escrow nor the deposit could repay (art. 87). It is
// positive when owed; its mirror is External(SourceSellerDebt).
func FundReceivable(sellerID string) Account { return Account{KindFundReceivable, sellerID} }

// DepositFrozen is the part of a seller's deposit frozen for its open
// intervention cases (protection.deposit_freeze).
func DepositFrozen(sellerID string) Account { return Account{KindDepositFrozen, sellerID} }

// Insurer is an insurer's account with the platform (运费险).
func Insurer(insurerID string) Account { return Account{KindInsurer, insurerID} }

// InsurerShipping is the return-shipping insurer (运费险) of the platform.
const InsurerShipping = "return_shipping"

// External is money outside the platform: payments in, withdrawals out. Its
// balance is negative when more came in than went out.
func External(source string) Account { return Account{KindExternal, source} }

// Kind returns the account's kind.
func (a Account) Kind() AccountKind { return a.kind }

// Owner returns the order, party or source the account belongs to ("" for
// the guarantee fund).
func (a Account) Owner() string { return a.owner }

// IsZero reports the zero Account.
func (a Account) IsZero() bool { return a.kind == "" }

// String returns the text form, "kind:owner".
func (a Account) String() string {
	if a.owner == "" {
		return string(a.kind)
	}
	return string(a.kind) + ":" + a.owner
}

// Floor returns the lowest balance the account may have and whether it has
// one: 0 for every kind but External and Insurer, which are unbounded.
func (a Account) Floor() (money.Fen, bool) {
	if a.kind == KindExternal || a.kind == KindInsurer {
		return 0, false
	}
	return 0, true
}

// Validate checks the kind is known and the owner fits it.
func (a Account) Validate() error {
	role, ok := kindOwner[a.kind]
	if !ok {
		return fmt.Errorf("unknown account kind %q", a.kind)
	}
	if role == ownerNone {
		if a.owner != "" {
			return fmt.Errorf("account %s takes no owner", a.kind)
		}
		return nil
	}
	if a.owner == "" {
		return fmt.Errorf("account %s needs a %s id", a.kind, role)
	}
	if len(a.owner) > MaxOwnerLen {
		return fmt.Errorf("account %s: %s id longer than %d bytes", a.kind, role, MaxOwnerLen)
	}
	for _, r := range a.owner {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("account %s: %s id %q has a blank or control character", a.kind, role, a.owner)
		}
	}
	return nil
}

// ParseAccount parses the text form and validates it.
func ParseAccount(s string) (Account, error) {
	kind, owner, _ := strings.Cut(s, ":")
	a := Account{AccountKind(kind), owner}
	if err := a.Validate(); err != nil {
		return Account{}, err
	}
	return a, nil
}

// MarshalText encodes the text form.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes and validates the text form.
func (a *Account) UnmarshalText(b []byte) error {
	p, err := ParseAccount(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// Compare orders accounts by their text form (the order the store locks
// them in).
func (a Account) Compare(b Account) int { return strings.Compare(a.String(), b.String()) }
