package web

// Messages of refused forms, complaint evidence, appeal results and the
// case and request controls (issue 15). Added to the one catalog at start.
func init() {
	for k, m := range formMessages {
		if _, dup := catalogEntries[k]; dup {
			panic("web: message " + k + " is defined twice")
		}
		catalogEntries[k] = m
	}
}

var formMessages = map[string]msg{
	"form.refused": {"未能提交：", "Not submitted:"},

	"complaint.asks":          {"此类投诉需要的证据：", "Evidence this complaint needs:"},
	"complaint.asks_required": {"必须上传", "required"},
	"complaint.asks_none":     {"无特定要求，可附上相关截图。", "Nothing specific: attach what shows it."},
	"complaint.drafts":        {"已上传的证据（随投诉提交）", "Evidence already uploaded (filed with the complaint)"},
	"complaint.files":         {"证据文件（可多选）", "Evidence files (several allowed)"},
	"complaint.files_hint":    {"最多 %d 个文件，每个不超过 %s：图片、MP4 视频、PDF 或聊天记录（JSON）。", "Up to %d files of at most %s each: images, MP4 video, PDF or a chat log (JSON)."},
	"done.complaint.filed":    {"投诉已提交", "Complaint filed"},

	"case.final_overturned":    {"终局判定（申诉改判）", "Final judgment (overturned on appeal)"},
	"case.final_upheld":        {"终局判定（申诉后维持原判）", "Final judgment (upheld on appeal)"},
	"case.first_judgment":      {"原判定", "First judgment"},
	"case.overturned":          {"已被改判", "overturned"},
	"case.appeal":              {"申诉", "Appeal"},
	"case.appeal_by":           {"申诉方", "Appealed by"},
	"judge.compensation":       {"赔偿金（保证金）", "Compensation (deposit)"},
	"revision.changed":         {"改判内容", "What changed"},
	"revision.money":           {"资金变动", "Money moved"},
	"revision.refund":          {"向买家追加退款", "Further refund to the buyer"},
	"revision.compensation":    {"从卖家保证金追加赔偿", "Further compensation from the seller's deposit"},
	"revision.restitution":     {"先行赔付基金向卖家补足", "Paid back to the seller by the guarantee fund"},
	"revision.recovery_claim":  {"平台对买家的追偿主张（不强制扣回）", "The platform's claim against the buyer (not taken back by force)"},
	"revision.pledge_returned": {"退还卖家的假一赔十赔付", "Counterfeit pledge given back to the seller"},
	"revision.shortfall":       {"未能支付的缺口", "Could not be paid (shortfall)"},
	"revision.goods_returned":  {"商品已退回卖家，交易已还原，无需补足", "The goods went back to the seller: nothing owed"},
	"revision.no_money":        {"无资金变动", "No money moved"},
	"revision.rule":            {"改判执行规则", "How an overturn is executed"},

	"case.reassign_to": {"改派给", "Reassign to"}, "act.reassign": {"改派", "Reassign"}, "done.reassign": {"已改派", "Reassigned"},
	"suspend.legal_note":       {"一方已向法院、公安机关或仲裁机构提起程序时中止处理（第八十二条）；受理凭证期限由系统按工作日计算。", "Suspend when a party went to a court, the police or arbitration (art. 82); the voucher deadline is computed in working days."},
	"suspend.negotiation_note": {"双方都申请后，案件中止，双方自行协商（第八十二条）。", "Once both parties ask, the case is suspended for them to negotiate (art. 82)."},
	"suspend.party":            {"提起程序的一方", "The party that went"},
	"suspend.forum":            {"受理机关", "Where"},
	"forum.court":              {"法院", "Court"}, "forum.police": {"公安机关", "Police"}, "forum.arbitration": {"仲裁机构", "Arbitration"},
	"suspend.reason": {"中止理由", "Why"},
	"act.suspend":    {"申请中止", "Suspend"}, "done.suspend": {"已申请中止", "Suspension asked"},
	"suspend.voucher":    {"司法机关的受理凭证", "The acceptance voucher"},
	"act.record_voucher": {"记录受理凭证", "Record the voucher"},
	"resume.reason":      {"恢复理由", "Why it resumes"},
	"act.resume":         {"恢复处理", "Resume"}, "done.resume": {"已恢复处理", "Resumed"},

	"confirm.withdraw":       {"确定撤销平台介入？撤销后不能再次申请。", "Withdraw the intervention? It cannot be asked for again."},
	"confirm.judge":          {"确定提交判定？提交后立即执行资金划转。", "Submit the judgment? The money moves at once."},
	"confirm.agree":          {"确定同意买家的申请？", "Agree to the buyer's request?"},
	"confirm.accept-offer":   {"确定接受卖家的协商方案？", "Accept the seller's offer?"},
	"confirm.confirm-return": {"确认已收到退货？确认后立即退款给买家。", "Confirm the return arrived? The buyer is refunded at once."},

	"rstatus.exchange.SUCCESS": {"换货完成", "Exchanged"},
	"act.modify":               {"修改申请", "Modify the request"},
	"actor.parties":            {"买卖双方", "both parties"},
	"actor.either_party":       {"买家或卖家（如需申诉）", "either party, to appeal"},

	"ev.aftersale.judgment_revised":        {"申诉改判执行", "Judgment revised on appeal"},
	"ev.dispute.legal_acceptance_recorded": {"记录司法受理凭证", "Legal acceptance recorded"},
}
