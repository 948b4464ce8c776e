package web

import (
	"context"
	"encoding/json"
	"io"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// evidenceVM is one piece of evidence in the viewer: images and video
// inline, chat logs as a conversation, others as a download link.
type evidenceVM struct {
	store.Evidence
	Chat []evidence.ChatMessage
}

// IsImage and the other kind tests drive the viewer.
func (e evidenceVM) IsImage() bool { return e.Kind == evidence.KindImage }

// IsVideo reports a video.
func (e evidenceVM) IsVideo() bool { return e.Kind == evidence.KindVideo }

const maxInlineChat = 256 << 10

// loadEvidence returns a visible case's evidence chain, with chat logs
// decoded for display.
func (a *App) loadEvidence(ctx context.Context, c service.Caller, caseID string) ([]evidenceVM, error) {
	recs, err := a.svc.CaseEvidence(ctx, c, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]evidenceVM, 0, len(recs))
	for _, rec := range recs {
		v := evidenceVM{Evidence: rec}
		if rec.Kind == evidence.KindChatLog && rec.Size <= maxInlineChat {
			if _, rc, err := a.svc.OpenEvidence(ctx, c, rec.ID); err == nil {
				var log evidence.ChatLog
				b, _ := io.ReadAll(io.LimitReader(rc, maxInlineChat))
				rc.Close()
				if json.Unmarshal(b, &log) == nil {
					v.Chat = log.Messages
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}
