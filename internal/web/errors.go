package web

import (
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
)

func badAmount(field string) error {
	return fault.Field(field, "金额格式无效，请填写元，如 12.50 / invalid amount: give yuan, e.g. 12.50")
}

func forbiddenErr() error {
	return fault.New(fault.Forbidden, "您不能执行此操作 / you may not do this")
}

// inField names the form's field in a refusal of what that one field
// carries (a rule book, a calendar file): a problem the service gave
// inside it (a JSON path) keeps the path in its message.
func inField(err error, name string) error {
	fe, ok := fault.As(err)
	if !ok || fe.Field == name {
		return err
	}
	out := *fe
	if fe.Field != "" {
		zh, en, both := strings.Cut(fe.Message, " / ")
		if both {
			out.Message = fe.Field + "：" + zh + " / " + fe.Field + ": " + en
		} else {
			out.Message = fe.Field + "：" + fe.Message
		}
	}
	out.Field = name
	return &out
}
