package web

import "github.com/weiquan/weiquan/internal/fault"

func badAmount(field string) error {
	return fault.Field(field, "金额格式无效，请填写元，如 12.50 / invalid amount: give yuan, e.g. 12.50")
}

func forbiddenErr() error {
	return fault.New(fault.Forbidden, "您不能执行此操作 / you may not do this")
}
