package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Problem is an RFC 9457 problem answered by the server (any non-2xx
// answer). Use errors.As to reach it.
type Problem struct {
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Status         int            `json:"status"`
	Detail         string         `json:"detail"`
	Instance       string         `json:"instance,omitempty"`
	Code           string         `json:"code"`
	Errors         []ProblemField `json:"errors,omitempty"`
	CurrentStatus  string         `json:"current_status,omitempty"`
	AllowedActions []string       `json:"allowed_actions,omitempty"`
	RuleID         string         `json:"rule_id,omitempty"`
	RequestID      string         `json:"request_id,omitempty"`
	// RetryAfter is the Retry-After header of a 429 or 503, if any.
	RetryAfter string `json:"-"`
}

// ProblemField names a field of the request and what is wrong with it.
type ProblemField struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "weiquan: %d %s", p.Status, p.Code)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	for _, f := range p.Errors {
		fmt.Fprintf(&b, " [%s: %s]", f.Field, f.Reason)
	}
	return b.String()
}

// Field returns the reason given for a field, if the problem names it.
func (p *Problem) Field(name string) (string, bool) {
	for _, f := range p.Errors {
		if f.Field == name {
			return f.Reason, true
		}
	}
	return "", false
}

func problemFrom(status int, h http.Header, body []byte) *Problem {
	p := &Problem{}
	if json.Unmarshal(body, p) != nil || p.Status == 0 {
		p = &Problem{Status: status, Title: http.StatusText(status), Detail: strings.TrimSpace(string(body))}
	}
	p.RetryAfter = h.Get("Retry-After")
	return p
}
