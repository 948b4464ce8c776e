package web

import (
	"context"
	"encoding/json"
	"io"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// evidenceVM is one piece of evidence in the viewer: images and video
// inline, chat logs as a conversation, others as a download link.
type evidenceVM struct {
	store.Evidence
	Chat []chatLine
	// Assessment is the agent's verdict on the piece (质证), if any;
	// AssessedBy names who gave it (staff only see it). AssessCase is the
	// case whose form marks the piece, set when this user may mark it.
	Assessment *dispute.Assessment
	AssessedBy string
	AssessCase string
}

// chatLine is one chat message with its abusive, threatening or extortion
// spans marked (internal/abuse).
type chatLine struct {
	evidence.ChatMessage
	Segments []segment
	Flagged  bool
}

// segment is a run of a message's text; Kind is set on a marked span.
type segment struct {
	Text   string
	Kind   string
	Reason string
}

// markAbuse splits a message at the detector's findings (rune offsets).
func markAbuse(det *abuse.Detector, m evidence.ChatMessage) chatLine {
	line := chatLine{ChatMessage: m}
	runes := []rune(m.Text)
	pos := 0
	for _, f := range det.Scan(m.Text) {
		if f.Start < pos || f.End > len(runes) || f.Start >= f.End {
			continue
		}
		if f.Start > pos {
			line.Segments = append(line.Segments, segment{Text: string(runes[pos:f.Start])})
		}
		line.Segments = append(line.Segments, segment{Text: string(runes[f.Start:f.End]), Kind: f.Kind, Reason: f.Reason})
		line.Flagged = true
		pos = f.End
	}
	if pos < len(runes) {
		line.Segments = append(line.Segments, segment{Text: string(runes[pos:])})
	}
	return line
}

// Accepted and Rejected report the agent's verdict on the piece, if any.
func (e evidenceVM) Accepted() bool {
	return e.Assessment != nil && e.Assessment.Verdict == dispute.VerdictAccepted
}

// Rejected reports a piece marked 不予采信.
func (e evidenceVM) Rejected() bool {
	return e.Assessment != nil && e.Assessment.Verdict == dispute.VerdictRejected
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
					for _, m := range log.Messages {
						v.Chat = append(v.Chat, markAbuse(a.opts.Text.Abuse(), m))
					}
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}
