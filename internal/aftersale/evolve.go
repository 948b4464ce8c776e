package aftersale

import "github.com/weiquan/weiquan/internal/actor"

// Evolve applies an event to the state. It is total: it never fails, and
// replaying a request's events from the zero State reproduces it.
func Evolve(s State, e Event) State {
	d := e.Data
	switch e.Type {
	case EvRequested:
		s = State{ID: s.ID, OrderID: d.OrderID, BuyerID: d.BuyerID, SellerID: d.SellerID, Type: d.Type,
			Reason: d.Reason, Description: d.Description, Amount: d.Amount, Items: d.Items, GoodStatus: d.GoodStatus,
			Status: WaitSellerAgree, CreatedAt: e.At}
	case EvAgreed, EvAutoAgreed:
		s.Offer, s.Refusal, s.Intervention = nil, nil, nil
		if d.ReturnAddress != nil {
			s.ReturnAddress = d.ReturnAddress
		}
		if d.ReasonCode != "" {
			s.SellerReasonCode = d.ReasonCode
		}
		if s.Type == RefundOnly {
			s.Status = Success
		} else {
			s.Status = WaitBuyerReturnGoods
		}
	case EvRefused:
		s.Status, s.Refusal, s.Offer = SellerRefuseBuyer, d.Refusal, nil
		if d.Refusal != nil && d.Refusal.Code != "" {
			s.SellerReasonCode = d.Refusal.Code
		}
	case EvCounterOffered:
		s.Status, s.Refusal, s.Offer = SellerRefuseBuyer, d.Refusal, d.Offer
	case EvOfferAccepted:
		s.Status, s.Amount = Success, s.Offer.Amount
	case EvModified:
		s.Status, s.Type, s.Reason, s.Amount, s.Description = WaitSellerAgree, d.Type, d.Reason, d.Amount, d.Description
		s.Offer, s.Refusal = nil, nil
		s.Modifications++
	case EvEscalated:
		s.Intervention = d.Intervention
		if d.Intervention != nil && d.Intervention.DisputeID != "" {
			s.DisputeID = d.Intervention.DisputeID
		}
	case EvReturnShipped:
		s.Status, s.Return, s.GoodStatus = WaitSellerConfirmGoods, d.Return, "BUYER_RETURNED_GOODS"
		if d.InstantRefund != nil {
			s.InstantRefund = d.InstantRefund
		}
	case EvCancelled, EvClosed:
		s.Status, s.ClosedReason = Closed, d.ClosedReason
	case EvReturnConfirmed, EvAutoRefunded:
		s.Status, s.Intervention = Success, nil
	case EvJudgedRefund:
		s.Status, s.Intervention = Success, nil
	case EvJudgedClose:
		s.Status, s.ClosedReason = Closed, d.ClosedReason
	case EvJudgedReturn:
		s.Status, s.Intervention, s.Type = WaitBuyerReturnGoods, nil, ReturnAndRefund
	case EvJudgmentRevised:
		switch {
		case d.Refund > 0:
			s.Status, s.Intervention, s.ClosedReason = Success, nil, ""
		case d.ClosedReason != "":
			s.Status, s.Intervention, s.ClosedReason = Closed, nil, d.ClosedReason
		case d.Type != "":
			s.Status, s.Intervention, s.ClosedReason, s.Type = WaitBuyerReturnGoods, nil, "", d.Type
		}
	case EvReceiptRefused:
		s.Refusal, s.Intervention = d.Refusal, d.Intervention
		if d.Intervention != nil && d.Intervention.DisputeID != "" {
			s.DisputeID = d.Intervention.DisputeID
		}
	}
	if d.InstantRefund != nil && e.Type != EvReturnShipped {
		s.InstantRefund = d.InstantRefund
		if d.InstantRefund.Outcome == InstantKept {
			// 调帐: the instant refund was paid over to the seller.
			s.Refunded -= d.InstantRefund.Amount
		}
	}
	s.Refunded += d.Refund
	s.Deadline = d.Deadline
	s.Version = e.Seq
	s.UpdatedAt = e.At
	return s
}

// Replay folds events into a state.
func Replay(id string, events []Event) State {
	return actor.Replay(State{ID: id}, Evolve, events)
}

// CSStatus is the TOP cs_status (客服介入状态): 1 no intervention needed,
// 2 intervention requested, 7 withdrawn (维权撤销).
func (s State) CSStatus() int {
	switch {
	case s.Intervention != nil && s.Status.Open():
		return 2
	case s.Status == Closed && s.ClosedReason == "buyer_cancelled_intervention":
		return 7
	}
	return 1
}

// DisputeType is the TOP dispute_type.
func (s State) DisputeType() string {
	switch s.Type {
	case RefundOnly:
		return "REFUND"
	case ReturnAndRefund:
		return "REFUND_AND_RETURN"
	}
	return "TAOBAO_EXCHANGE"
}
