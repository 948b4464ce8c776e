package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds the people who sign in to the web pages: their accounts,
// sign-in (with its rate limit), sessions, and what of a party's personal
// data staff and counterparties may see (PIPL: a full phone number or
// address is shown only through RevealContact, which logs it).

// WebRoles are the roles of people who sign in to the pages.
var WebRoles = []actor.Role{actor.Buyer, actor.Seller, actor.Agent, actor.Senior, actor.Admin}

// StaffRoles are the roles of staff accounts, which an admin creates,
// disables, enables, resets and moves between roles (pages and /v1/users).
var StaffRoles = []actor.Role{actor.Agent, actor.Senior, actor.Admin}

const bcryptCost = 11

// The sign-in throttle (SignIn). Failures are counted within SignInWindow
// per login across every address and per address across every login
// (password spraying). Past the free failures, each further try must wait
// an exponentially growing time after the latest failure — 2 s, 4 s, 8 s …
// up to the cap — and a try refused for waiting is not counted, so an
// attacker cannot lock an account out: it opens again at most the cap after
// the attacker's last guess.
const (
	SignInWindow       = time.Hour
	SignInFreePerLogin = 5
	SignInMaxWaitLogin = 5 * time.Minute
	SignInFreePerAddr  = 20
	SignInMaxWaitAddr  = 15 * time.Minute
)

// Sign-in refusals (SignIn).
var (
	// ErrSignInRefused: no such login, or a wrong password.
	ErrSignInRefused = errors.New("service: wrong login or password")
	// ErrUserDisabled: the password was right but the account is disabled.
	ErrUserDisabled = errors.New("service: the account is disabled")
)

// ThrottledError: too many failed sign-ins of the login or from the
// address; try again after Wait.
type ThrottledError struct {
	Wait    time.Duration
	PerAddr bool // the address's count, not the login's
}

func (e *ThrottledError) Error() string {
	return "service: too many failed sign-ins, retry in " + e.Wait.String()
}

// backoff is the wait after the latest failure once n failures are
// counted: none within free, then 2 s doubling per failure, at most max.
func backoff(n, free int, max time.Duration) time.Duration {
	if n < free {
		return 0
	}
	if n-free >= 20 {
		return max
	}
	return min(time.Duration(2<<(n-free))*time.Second, max)
}

// NewWebUser is a person to create.
type NewWebUser struct {
	Login       string
	Password    string
	Role        actor.Role // buyer, seller, agent, senior_agent, admin
	PartyID     string     // buyers and sellers: their party id in orders
	DisplayName string
	Phone       string
	Address     string
}

// CreateWebUser adds a person who signs in (set-up and the demo: no
// caller, no audit row), with a bcrypt-hashed password. Errors: Invalid
// (role, party, login, short password), Conflict (login taken).
func (s *Service) CreateWebUser(ctx context.Context, u NewWebUser) (store.WebUser, error) {
	wu, err := s.newWebUser(u)
	if err != nil {
		return wu, err
	}
	return wu, s.st.CreateWebUser(ctx, wu, nil)
}

// newWebUser validates a user to create and hashes its password.
func (s *Service) newWebUser(u NewWebUser) (store.WebUser, error) {
	if !slices.Contains(WebRoles, actor.Role(u.Role)) {
		return store.WebUser{}, fault.Field("role", "角色须为 buyer / seller / agent / senior_agent / admin / role must be buyer, seller, agent, senior_agent or admin")
	}
	if (actor.Role(u.Role) == actor.Buyer || actor.Role(u.Role) == actor.Seller) != (u.PartyID != "") || (u.PartyID != "" && !ValidID(u.PartyID)) {
		return store.WebUser{}, fault.Field("party_id", "买家/卖家须绑定参与方ID，其他角色不绑定 / buyers and sellers need a party id, other roles none")
	}
	if !ValidID(u.Login) {
		return store.WebUser{}, fault.Field("login", "登录名须为1–64位字母、数字或 _.:- / the login is 1–64 letters, digits or _.:-")
	}
	hash, err := hashPassword(u.Login, u.Password)
	if err != nil {
		return store.WebUser{}, err
	}
	wu := store.WebUser{ID: newID(), Login: u.Login, PasswordHash: string(hash), Role: string(u.Role), PartyID: u.PartyID,
		DisplayName: u.DisplayName, Phone: u.Phone, Address: u.Address, CreatedAt: s.clock.Now()}
	if wu.DisplayName == "" {
		wu.DisplayName = u.Login
	}
	return wu, nil
}

// SignIn checks a login's password from an address (the client address:
// the pages resolve trusted proxies) and returns the user. Failed attempts
// are counted per login and per address (the throttle); a successful one
// forgets the login's failures. Errors: *ThrottledError (waiting: the try
// was not checked nor counted), ErrSignInRefused (no such login or a wrong
// password: both cost the same bcrypt work), ErrUserDisabled; anything
// else is a storage failure.
func (s *Service) SignIn(ctx context.Context, login, password, ip string) (store.WebUser, error) {
	now := s.now(ctx)
	th, err := s.st.SignInThrottle(ctx, login, ip, now.Add(-SignInWindow))
	if err != nil {
		return store.WebUser{}, err
	}
	if w := th.LoginLast.Add(backoff(th.LoginFailures, SignInFreePerLogin, SignInMaxWaitLogin)).Sub(now); w > 0 {
		s.log.Warn("web: sign-in throttled (login)", "login", login, "ip", ip, "failures", th.LoginFailures, "wait", w)
		return store.WebUser{}, &ThrottledError{Wait: w}
	}
	if w := th.IPLast.Add(backoff(th.IPFailures, SignInFreePerAddr, SignInMaxWaitAddr)).Sub(now); w > 0 {
		s.log.Warn("web: sign-in throttled (address)", "login", login, "ip", ip, "failures", th.IPFailures, "wait", w)
		return store.WebUser{}, &ThrottledError{Wait: w, PerAddr: true}
	}
	u, err := s.st.WebUserByLogin(ctx, login)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return u, err
	}
	if !checkPassword(u, err == nil, password) {
		s.log.Info("web: sign-in refused", "login", login, "ip", ip)
		if err := s.st.RecordSignInFailure(ctx, login, ip, now, now.Add(-SignInWindow)); err != nil {
			return store.WebUser{}, err
		}
		return store.WebUser{}, ErrSignInRefused
	}
	if u.DisabledAt != nil {
		s.log.Info("web: sign-in of a disabled user", "login", login)
		return u, ErrUserDisabled
	}
	return u, s.st.ClearSignInFailures(ctx, login)
}

// checkPassword verifies a login; a missing user costs the same bcrypt work.
func checkPassword(u store.WebUser, found bool, password string) bool {
	hash := []byte(u.PasswordHash)
	if !found {
		hash = dummyHash
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return found && err == nil
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("weiquan-dummy-password"), bcryptCost)

// isStaff: agents, senior agents and admins.
func isStaff(c Caller) bool {
	return c.Role == actor.Agent || c.Role == actor.Senior || c.Role == actor.Admin
}

func staffOnly(c Caller) error {
	if !isStaff(c) {
		return forbidden("只有客服、高级专员或管理员可以查看 / only agents, senior agents and admins may see this")
	}
	return nil
}

// PartyCard is a buyer or seller as staff see them on a case: the name
// and masked contact details (the full ones only through RevealContact).
type PartyCard struct {
	Side, PartyID, Name     string
	PhoneMasked, AddrMasked string
	HasUser                 bool // the party signs in to the pages
	// History is the party's record as the workbench shows it (past
	// requests, cases, complaints both ways, this year's points, the
	// abuse flag).
	History PartyHistory
}

// CaseParty is the card of a party (role buyer or seller) for staff. A
// party without a web user is named as the marketplace names it on its
// latest order (buyer_nick / seller_nick), else by its id; the card
// carries the party's history as the workbench shows it. Errors: Forbidden
// (not staff), a storage error reading the history; a failed name lookup
// leaves the card as for a party without a user.
func (s *Service) CaseParty(ctx context.Context, c Caller, role, partyID string) (PartyCard, error) {
	if err := staffOnly(c); err != nil {
		return PartyCard{}, err
	}
	p := PartyCard{Side: role, PartyID: partyID}
	if u, err := s.st.WebUserByParty(ctx, role, partyID); err == nil {
		p.Name, p.PhoneMasked, p.AddrMasked, p.HasUser = u.DisplayName, MaskPhone(u.Phone), MaskAddress(u.Address), true
	} else {
		p.Name = s.partyName(ctx, role, partyID)
	}
	h, err := s.partyHistories(ctx, role, []string{partyID}, s.clock.Now())
	if err != nil {
		return p, err
	}
	p.History = h[partyID]
	return p, nil
}

// partyName is a party's name (its web user's, else the marketplace's on
// its latest order), or its id; unmasked: callers mask.
func (s *Service) partyName(ctx context.Context, role, partyID string) string {
	if m, err := s.st.PartyDisplayNames(ctx, role, []string{partyID}); err == nil && m[partyID] != "" {
		return m[partyID]
	}
	return partyID
}

// Counterparty is the other side of an order as a party may see it: a
// buyer sees the shop's name; a seller sees the buyer's masked name only.
// Errors: those of GetOrder (NotFound for an order the caller may not see).
func (s *Service) Counterparty(ctx context.Context, c Caller, o order.Order) (string, error) {
	if !CanSeeOrder(c, o) {
		return "", fault.New(fault.NotFound, "订单 order %s 不存在 / order %s not found", o.ID, o.ID)
	}
	if c.Role == actor.Buyer {
		return s.partyName(ctx, string(actor.Seller), o.SellerID), nil
	}
	return MaskName(s.partyName(ctx, string(actor.Buyer), o.BuyerID)), nil
}

// MaxPurposeRunes bounds the purpose a reveal states.
const MaxPurposeRunes = 200

// RevealContact shows a party's phone number or address to the staff
// member who needs it for a case, and logs who saw what, when and why
// (个人信息保护法 art. 6: a stated purpose, the least intrusive way; art.
// 51(4): access limited to those whose work needs it, and recorded). Only
// the agent holding an open case (its assignee) may reveal, and on appeal
// (APPEALED) the senior tier; everyone else, admins included, is refused.
// side is buyer or seller, field phone or address, purpose why (non-empty,
// at most MaxPurposeRunes characters); viewerID is the signed-in user's id.
// The check and the log row are one transaction. Errors: Forbidden (not
// the case's holder), NotFound (no such case or no user for the party),
// Invalid (side, field, purpose).
func (s *Service) RevealContact(ctx context.Context, c Caller, viewerID, caseID, side, field, purpose string) (string, error) {
	if err := staffOnly(c); err != nil {
		return "", err
	}
	if actor.Role(side) != actor.Buyer && actor.Role(side) != actor.Seller {
		return "", fault.Field("party", "须为 buyer 或 seller / party is buyer or seller")
	}
	if field != "phone" && field != "address" {
		return "", fault.Field("field", "须为 phone 或 address / field is phone or address")
	}
	purpose = strings.TrimSpace(purpose)
	switch {
	case purpose == "":
		return "", &fault.Error{Code: fault.Unprocessable, Field: "purpose", Message: "须说明查看目的 / state the purpose of seeing this personal data (PIPL art. 6)"}
	case utf8.RuneCountInString(purpose) > MaxPurposeRunes:
		return "", &fault.Error{Code: fault.Unprocessable, Field: "purpose", Message: fmt.Sprintf("查看目的最多 %d 个字符 / the purpose is at most %d characters", MaxPurposeRunes, MaxPurposeRunes)}
	}
	var value, login string
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		d, err := tx.GetDispute(ctx, caseID)
		if err != nil {
			if fault.Is(err, fault.NotFound) {
				return notFoundDispute(caseID)
			}
			return err
		}
		if err := mayReveal(c, d); err != nil {
			return err
		}
		pid := d.BuyerID
		if actor.Role(side) == actor.Seller {
			pid = d.SellerID
		}
		u, err := tx.WebUserByParty(ctx, side, pid)
		if err != nil {
			return err
		}
		value, login = u.Phone, u.Login
		if field == "address" {
			value = u.Address
		}
		cm.PIIReveals = append(cm.PIIReveals, store.PIIReveal{ID: newID(), ViewerID: viewerID, ViewerRole: string(c.Role),
			SubjectID: u.ID, Field: field, CaseID: d.ID, At: s.now(ctx), Purpose: purpose})
		return nil
	})
	if err != nil {
		return "", err
	}
	s.log.Info("web: personal data revealed", "viewer", c.Via, "subject", login, "field", field, "case", caseID)
	return value, nil
}

// mayReveal: the caller holds the open case d (its assignee), or d is on
// appeal and the caller is of the senior tier (PIPL art. 51(4)).
func mayReveal(c Caller, d dispute.State) error {
	switch {
	case d.Status == dispute.Appealed && c.Role == actor.Senior:
		return nil
	case d.Status.Open() && d.Assignee != "" && d.Assignee == keyOf(c) && (c.Role == actor.Agent || c.Role == actor.Senior):
		return nil
	case d.Status == dispute.Appealed:
		return &fault.Error{Code: fault.Forbidden, Status: string(d.Status),
			Message: "申诉复核中的案件只有高级专员可以查看当事人个人信息 / on appeal only the senior tier may see a party's personal data (PIPL art. 51)"}
	case !d.Status.Open():
		return &fault.Error{Code: fault.Forbidden, Status: string(d.Status),
			Message: "案件已结束，不能查看当事人个人信息 / the case is closed: a party's personal data is no longer needed (PIPL art. 6)"}
	}
	return &fault.Error{Code: fault.Forbidden, Status: string(d.Status),
		Message: "只有处理此案件的客服可以查看当事人个人信息，请先认领 / only the agent holding the case may see a party's personal data: claim it first (PIPL art. 51)"}
}

// PIIReveals lists who saw which personal data of a case, oldest first.
// Errors: Forbidden (not staff).
func (s *Service) PIIReveals(ctx context.Context, c Caller, caseID string) ([]store.PIIReveal, error) {
	if err := staffOnly(c); err != nil {
		return nil, err
	}
	return s.st.PIIReveals(ctx, caseID)
}

// PIIRevealLog is the reveal log for admins (PIPL art. 51, 54: the
// processor reviews access to personal data), newest first, at most limit
// rows (1–1000; default 200). Errors: Forbidden (not an admin).
func (s *Service) PIIRevealLog(ctx context.Context, c Caller, limit int) ([]store.PIIReveal, error) {
	if c.Role != actor.Admin {
		return nil, forbidden("只有管理员可以查看个人信息查看记录 / only admins see the personal-data reveal log")
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return s.st.RecentPIIReveals(ctx, limit)
}

// StaffNames maps the ids the service records for staff — "web:<login>"
// for a signed-in user, "key:<id>" for an API key — to the user's display
// name or the key's label. A lookup failure leaves the ids out: names are
// a courtesy, not a fact of the case.
func (s *Service) StaffNames(ctx context.Context) map[string]string {
	n := map[string]string{}
	if users, err := s.st.ListWebUsers(ctx, 1000); err == nil {
		for _, u := range users {
			if r := actor.Role(u.Role); r != actor.Buyer && r != actor.Seller && u.DisplayName != "" {
				n["web:"+u.Login] = u.DisplayName
			}
		}
	}
	if keys, err := s.st.ListAPIKeys(ctx); err == nil {
		for _, k := range keys {
			if k.Name != "" {
				n["key:"+k.ID] = k.Name
			}
		}
	}
	return n
}

// MaskPhone keeps the first 3 and last 4 digits: 138****1234.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskAddress keeps the first 6 characters (province and city).
func MaskAddress(a string) string {
	n := utf8.RuneCountInString(a)
	if n <= 6 {
		return strings.Repeat("*", n)
	}
	r := []rune(a)
	return string(r[:6]) + "****"
}

// MaskName keeps the first character: 张**.
func MaskName(a string) string {
	r := []rune(a)
	if len(r) <= 1 {
		return "*"
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}
