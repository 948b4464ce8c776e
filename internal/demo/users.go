package demo

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/web"
)

// User is a web sign-in created for the demo (the password is shown once).
type User struct {
	Login    string
	Password string
	Role     actor.Role
	Party    string
	Name     string
}

// users creates a web user for each role: two buyers (to see that one
// cannot open the other's cases), a seller, an agent, a senior agent and
// an admin. Like the rest of the fill, the passwords are deterministic for
// a seed (derived from it with SHA-256): a demo database is for trying the
// pages locally, never for exposing to others.
func (f *filler) users(sum *Summary) error {
	names := []string{"张晓雨", "李明"}
	phones := []string{"13812345678", "13987654321"}
	addrs := []string{"浙江省杭州市西湖区文三路 100 号 5 幢 301", "上海市浦东新区张江路 88 弄 6 号 1202"}
	specs := []web.NewUser{
		{Login: "buyer", Role: actor.Buyer, PartyID: f.buyers[0].ID, DisplayName: names[0], Phone: phones[0], Address: addrs[0]},
		{Login: "buyer2", Role: actor.Buyer, PartyID: f.buyers[1].ID, DisplayName: names[1], Phone: phones[1], Address: addrs[1]},
		{Login: "seller", Role: actor.Seller, PartyID: f.shops[0].ID, DisplayName: f.shops[0].Name, Phone: "057188886666", Address: "浙江省杭州市余杭区仓前街道 1 号 云裳退货仓"},
		{Login: "agent", Role: actor.Agent, DisplayName: "客服小二 阿青"},
		{Login: "senior", Role: actor.Senior, DisplayName: "高级专员 老周"},
		{Login: "admin", Role: actor.Admin, DisplayName: "管理员"},
	}
	for _, u := range specs {
		h := sha256.Sum256([]byte(fmt.Sprintf("weiquan-demo-user:%d:%s", sum.Seed, u.Login)))
		u.Password = "wq-" + base64.RawURLEncoding.EncodeToString(h[:9])
		if _, err := web.CreateUser(f.ctx, f.svc, u); err != nil {
			return fmt.Errorf("demo: web user %s: %w", u.Login, err)
		}
		sum.Users = append(sum.Users, User{Login: u.Login, Password: u.Password, Role: u.Role, Party: u.PartyID, Name: u.DisplayName})
	}
	return nil
}

// printUsers writes the demo's sign-ins.
func (s Summary) printUsers(w io.Writer) {
	if len(s.Users) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== 网页登录 / web sign-in（http://%s/login，密码只显示这一次 / passwords shown only once）==\n", addrOr(s.Addr))
	for _, u := range s.Users {
		fmt.Fprintf(w, "  %-8s %-16s %-13s %-16s %s\n", u.Login, u.Password, u.Role, u.Party, u.Name)
	}
}

func addrOr(a string) string {
	if a == "" {
		return "127.0.0.1:8080"
	}
	return a
}
