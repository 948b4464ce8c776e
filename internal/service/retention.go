package service

import (
	"context"
	"fmt"

	"github.com/weiquan/weiquan/internal/store"
)

// Retention (个人信息保护法 art. 19: personal data is kept no longer than
// its purpose needs; art. 47(1): deleted once the retention period ends;
// 电子商务法 art. 31: transaction information at least three years). The
// periods are rules of the book: retention.pii (cn-law-pipl-19) and
// retention.evidence (cn-law-ecommerce-31).

// RetentionStats counts what one retention run erased.
type RetentionStats struct {
	Redacted int // web users whose phone and address were erased
	Blobs    int // evidence blobs deleted
	Rows     int // evidence rows marked purged
}

// EnforceRetention erases, at most batch of each, the phone numbers and
// addresses of buyers and sellers whose every order, request, case and
// complaint has been closed and unchanged for longer than retention.pii,
// and deletes the evidence blobs whose every row belongs to a case closed
// longer than retention.evidence (and was uploaded before that), marking
// the rows purged: the rows, with their digests, stay as the record of the
// case. A blob is deleted before its rows are marked, so a run cut short
// in between is finished by the next one (the rows are still unpurged).
func (s *Service) EnforceRetention(ctx context.Context, batch int) (RetentionStats, error) {
	var st RetentionStats
	if batch <= 0 {
		batch = 500
	}
	now := s.now(ctx)
	book := s.Policy()
	piiPeriod, _ := book.Duration("retention.pii")
	evPeriod, _ := book.Duration("retention.evidence")
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		ids, err := tx.PIIRedactable(ctx, now.Add(-piiPeriod), batch)
		if err != nil {
			return fmt.Errorf("retention: personal data: %w", err)
		}
		for _, id := range ids {
			cm.PIIRedactions = append(cm.PIIRedactions, store.PIIRedaction{UserID: id, At: now})
		}
		st.Redacted = len(ids)
		return nil
	})
	if err != nil {
		return RetentionStats{}, err
	}
	if s.blobs == nil {
		return st, nil
	}
	var digests []string
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		var err error
		digests, err = tx.EvidencePurgeable(ctx, now.Add(-evPeriod), batch)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("retention: evidence: %w", err)
	}
	for _, d := range digests {
		if err := s.blobs.Delete(ctx, d); err != nil {
			return st, err
		}
		st.Blobs++
		var n int
		err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
			ids, err := tx.EvidenceIDsOf(ctx, d)
			if err != nil {
				return err
			}
			n = len(ids)
			for _, id := range ids {
				cm.EvidencePurges = append(cm.EvidencePurges, store.EvidencePurge{ID: id, At: now})
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("retention: mark %s purged: %w", d, err)
		}
		st.Rows += n
	}
	if st.Redacted+st.Blobs > 0 {
		s.log.Info("retention: personal data erased", "users", st.Redacted, "blobs", st.Blobs,
			"pii_rule", book.ID("retention.pii"), "evidence_rule", book.ID("retention.evidence"))
	}
	return st, nil
}
