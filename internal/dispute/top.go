package dispute

import "github.com/weiquan/weiquan/internal/aftersale"

// TOP cs_status codes (taobao.refund.get, 客服介入状态).
const (
	CSNone         = 1  // 不需客服介入
	CSRequested    = 2  // 需要客服介入
	CSIntervened   = 3  // 客服已经介入
	CSFirstReview  = 4  // 客服初审完成 (the judgment is under appeal)
	CSDone         = 6  // 客服处理完成
	CSWithdrawn    = 7  // 维权撤销
	CSForBuyer     = 8  // 支持买家
	CSForSeller    = 9  // 支持卖家
	CSEvidence     = 10 // 举证中
	CSAppealWindow = 11 // 开放申诉
)

// TOP returns the TOP cs_status and advance_status of an after-sales
// request whose intervention case is c (nil: the request never had one, or
// the case is not visible yet). Through the whole lifecycle: intervention
// requested 2; the case in evidence 10, in review or suspended 3; judged with
// the appeal window open 11; under appeal 4; final 8 when the buyer was
// supported (a refund or a return), 9 when the seller was, 6 otherwise;
// withdrawn 7 (as is a request the buyer cancelled during intervention).
// advance_status is the case's (先行垫付), 0 without one.
func TOP(req aftersale.State, c *State) (cs, advance int) {
	if req.Status == aftersale.Closed && req.ClosedReason == "buyer_cancelled_intervention" {
		cs = CSWithdrawn
	}
	if c == nil {
		if cs == 0 {
			cs = req.CSStatus()
			if req.DisputeID != "" && req.Intervention != nil {
				cs = CSEvidence // opened with the request's event, not stored yet
			}
		}
		return cs, AdvanceNone
	}
	advance = c.AdvanceStatus()
	if cs != 0 {
		return cs, advance
	}
	switch c.Status {
	case Evidence:
		cs = CSEvidence
	case Review, Suspended:
		cs = CSIntervened
	case Judged:
		cs = CSAppealWindow
	case Appealed:
		cs = CSFirstReview
	case Final:
		j := c.Final
		if j == nil {
			j = c.Judgment
		}
		cs = CSDone
		if j != nil {
			switch j.Outcome {
			case RefundFull, RefundPartial, ReturnThenRefund:
				cs = CSForBuyer
			case ReleaseToSeller:
				cs = CSForSeller
			}
		}
	case Withdrawn:
		cs = CSWithdrawn
	default:
		cs = CSIntervened
	}
	return cs, advance
}
