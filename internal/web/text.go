package web

import (
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/aftersale"
)

// Text helpers of the pages: recorded text (event reasons, notes) is often
// "中文 / English"; a page shows the part in its language, and the timeline
// a short line with the rest behind a disclosure.
func init() {
	funcs["langText"] = pickLang
	funcs["runes"] = utf8.RuneCountInString
	funcs["shorten"] = shorten
	funcs["rstatusKey"] = rstatusKey
}

// rstatusKey is the message key of a request's status: a completed
// exchange is 换货完成, not 退款成功 (no money moved).
func rstatusKey(t aftersale.Type, st aftersale.Status) string {
	if t == aftersale.Exchange && st == aftersale.Success {
		return "rstatus.exchange.SUCCESS"
	}
	return "rstatus." + string(st)
}

// shorten cuts s to at most n runes, ending in "…" when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
