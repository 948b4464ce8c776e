package web

// workbenchMessages are the workbench's catalog entries (kept apart from
// messages.go so that pages developed side by side merge cleanly).
var workbenchMessages = map[string]msg{
	"wb.views": {"视图", "Views"}, "wb.view.open": {"全部进行中", "All open"}, "wb.view.mine": {"我的案件", "My cases"},
	"wb.view.unassigned": {"待认领", "Unassigned"}, "wb.view.near": {"即将超时", "Near breach"}, "wb.view.breached": {"已超时", "Breached"},
	"wb.view.appeals": {"申诉复核", "Appeals"},
	"wb.search":       {"搜索案件", "Search cases"}, "wb.search.submit": {"搜索", "Search"},
	"wb.search.placeholder": {"订单号、买家、卖家、运单号或描述", "Order id, buyer, seller, tracking no. or description"},
	"wb.in":                 {"搜索范围", "Search in"}, "wb.in.all": {"全部字段", "All fields"}, "wb.in.order": {"订单号", "Order id"},
	"wb.in.buyer": {"买家", "Buyer"}, "wb.in.seller": {"卖家", "Seller"}, "wb.in.tracking": {"运单号", "Tracking no."}, "wb.in.text": {"描述文字", "Description"},
	"wb.filters": {"筛选", "Filters"}, "wb.any": {"不限", "Any"}, "wb.yes": {"是", "Yes"}, "wb.no": {"否", "No"},
	"wb.stage.open": {"进行中（举证、审核、申诉、中止）", "Open (evidence, review, appeal, suspended)"}, "wb.stage.all": {"全部阶段", "Every stage"},
	"wb.min": {"最低金额（元）", "Minimum amount (¥)"}, "wb.max": {"最高金额（元）", "Maximum amount (¥)"},
	"wb.slaf.breached": {"已超时", "Breached"}, "wb.slaf.near": {"24小时内到期", "Due within 24 h"}, "wb.slaf.ok": {"24小时后到期", "Due later than 24 h"},
	"wb.slaf.none":   {"无审核时限", "No review SLA"},
	"wb.assignee.me": {"我", "Me"}, "wb.assignee.none": {"无人认领", "Nobody"},
	"wb.sort": {"排序", "Sort"}, "wb.sort.priority": {"优先级", "Priority"}, "wb.sort.sla": {"时限最近", "SLA due first"},
	"wb.sort.amount": {"金额最高", "Largest amount"}, "wb.sort.newest": {"最新", "Newest"}, "wb.sort.oldest": {"最早", "Oldest"},
	"wb.reset": {"清除搜索与筛选", "Clear the search and filters"},
	"wb.cases": {"介入案件", "Intervention cases"}, "wb.truncated": {"匹配的案件较多，只显示前一部分，请缩小搜索范围。", "Many cases match: only the first are shown; narrow the search."},
	"wb.bulk": {"批量操作", "Bulk actions"}, "wb.selected": {"已选", "Selected"},
	"wb.bulk.claim": {"认领所选", "Claim selected"}, "wb.bulk.release": {"放回所选", "Release selected"},
	"wb.bulk.to": {"改派给", "Reassign to"}, "wb.bulk.reassign": {"改派所选", "Reassign selected"}, "wb.bulk.reason": {"原因（可选）", "Reason (optional)"},
	"wb.select_all": {"全选本页案件", "Select every case on the page"}, "wb.select": {"选择", "Select"},
	"wb.priority": {"优先级", "Priority"}, "wb.priority.why": {"构成", "breakdown"},
	"wb.priority.legend": {"优先级怎么算", "How priority is computed"},
	"wb.priority.formula": {"优先级 = 时限（已超时 40，4小时内 30，24小时内 20，72小时内 10；投诉按等待时长：72小时以上 30，24小时以上 20，4小时以上 10）+ 金额（每100元 1分，最多 15）+ 超级会员 15 + 大额（达到高级专员处理金额）10 + 重复联系（同一订单此前每次售后或投诉 5，最多 15）− 投诉人被标记为滥用投诉 20。分数越高越先处理。",
		"Priority = SLA (breached 40, within 4 h 30, within 24 h 20, within 72 h 10; complaints by time waiting: 72 h or more 30, 24 h 20, 4 h 10) + amount (1 per ¥100, at most 15) + premium member 15 + large value (reaches the senior-tier amount) 10 + repeat contact (5 per earlier request or complaint on the same order, at most 15) − 20 when the complainant is flagged for abusive complaints. Higher first."},
	"wb.prio.sla_breached": {"已超时", "SLA breached"}, "wb.prio.sla_4h": {"4小时内到期", "due within 4 h"}, "wb.prio.sla_24h": {"24小时内到期", "due within 24 h"},
	"wb.prio.sla_72h": {"72小时内到期", "due within 72 h"}, "wb.prio.waiting_72h": {"已等待72小时以上", "waiting 72 h or more"},
	"wb.prio.waiting_24h": {"已等待24小时以上", "waiting 24 h or more"}, "wb.prio.waiting_4h": {"已等待4小时以上", "waiting 4 h or more"},
	"wb.prio.amount": {"金额", "amount"}, "wb.prio.premium": {"超级会员", "premium member"}, "wb.prio.large_value": {"大额", "large value"},
	"wb.prio.repeat": {"重复联系", "repeat contact"}, "wb.prio.flagged": {"滥用投诉标记", "flagged complainant"},
	"wb.sla.ok": {"正常", "On time"}, "wb.sla.near": {"即将超时", "Near breach"}, "wb.sla.breached": {"已超时", "Breached"},
	"wb.tracking": {"运单", "Shipment"}, "wb.return_tracking": {"退货运单", "Return"},
	"wb.hist.requests": {"售后", "requests"}, "wb.hist.cases": {"介入", "cases"}, "wb.hist.complaints": {"投诉 发起/被诉", "complaints filed/received"},
	"wb.hist.points": {"本年扣分", "points this year"}, "wb.hist.abuse": {"滥用投诉标记", "abuse flag"},
	"wb.respondent": {"被投诉方", "Respondent"},
	"wb.keys.open":  {"键盘快捷键（?）", "Keyboard shortcuts (?)"}, "wb.keys.title": {"键盘快捷键", "Keyboard shortcuts"},
	"wb.keys.jk": {"下一个 / 上一个案件", "next / previous case"}, "wb.keys.x": {"勾选或取消当前案件", "check or uncheck the current case"},
	"wb.keys.c": {"认领当前案件", "claim the current case"}, "wb.keys.o": {"打开当前案件", "open the current case"},
	"wb.keys.slash": {"搜索", "search"}, "wb.keys.help": {"显示本帮助", "show this help"}, "wb.keys.esc": {"关闭帮助或离开搜索框", "close the help or leave the search box"},
	"wb.keys.close": {"关闭", "Close"},
	"wb.done.claim": {"已认领", "Claimed"}, "wb.done.release": {"已放回队列", "Released"}, "wb.done.reassign": {"已改派", "Reassigned"},
}

func init() {
	for k, v := range workbenchMessages {
		catalogEntries[k] = v
	}
}
