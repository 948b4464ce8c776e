package texteval

import (
	"bytes"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/listing"
)

// BenchmarkReadAndScan measures what `weiquan scan` does on one core:
// the streamed decoding plus every rule (batch rules included) over
// real-shaped titles (printed by -bench, never asserted).
func BenchmarkReadAndScan(b *testing.B) {
	ts, err := LoadTitles(dataDir)
	if err != nil {
		b.Skipf("data absent: %v", err)
	}
	var buf bytes.Buffer
	WriteSyntheticTitles(&buf, ts, 20000, 1)
	data := buf.Bytes()
	s := listing.NewScanner(nil)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.ScanStream(ListingWindows(bytes.NewReader(data), "jsonl", 2048), 1, now, func([]listing.Finding) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
