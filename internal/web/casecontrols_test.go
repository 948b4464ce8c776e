package web

import (
	"slices"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/service"
)

// The case page shows a control exactly for the allowed actions this user
// can take: staff never get the parties' 撤销介入, the holder gets the
// agent's, the senior tier reassigns, parties suspend and resume.
func TestCaseControls(t *testing.T) {
	agent := service.Caller{Role: actor.Agent, Via: "web:agent"}
	senior := service.Caller{Role: actor.Senior, Via: "web:senior"}
	buyer := service.Caller{Role: actor.Buyer, PartyID: "b1"}
	seller := service.Caller{Role: actor.Seller, PartyID: "s1"}
	review := dispute.State{Status: dispute.Review, Assignee: "web:agent"}
	evidence := dispute.State{Status: dispute.Evidence, Windows: []dispute.Window{{Party: dispute.Buyer}, {Party: dispute.Seller, Closed: true}}}
	legal := dispute.State{Status: dispute.Suspended, Suspension: &dispute.Suspension{Ground: dispute.GroundLegal}}
	for _, c := range []struct {
		name string
		s    dispute.State
		who  service.Caller
		want []string
	}{
		{"holder in review", review, agent, []string{"release", "extend", "judge", "advance", "suspend", "assess-evidence"}},
		{"senior, not holding", review, senior, []string{"reassign", "suspend"}},
		{"buyer in review", review, buyer, []string{"suspend", "withdraw"}},
		{"seller in evidence, window closed", evidence, seller, []string{"suspend"}},
		{"buyer in evidence", evidence, buyer, []string{"done-evidence", "suspend", "withdraw"}},
		{"unclaimed appeal, agent", dispute.State{Status: dispute.Appealed}, agent, nil},
		{"unclaimed appeal, senior", dispute.State{Status: dispute.Appealed}, senior, []string{"claim", "reassign"}},
		{"legal suspension, agent", legal, agent, []string{"suspend", "resume"}},
		{"legal suspension, buyer", legal, buyer, []string{"withdraw"}},
	} {
		got := caseControls(c.s, c.who)
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: controls %v, want %v", c.name, got, want)
		}
		for _, a := range got {
			if !slices.Contains(actor.Strings(dispute.Allowed(c.s)), a) {
				t.Errorf("%s: %s shown but not allowed", c.name, a)
			}
		}
	}
}
