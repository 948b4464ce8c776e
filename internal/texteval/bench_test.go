package texteval

import (
	"bytes"
	"testing"

	"github.com/weiquan/weiquan/internal/listing"
)

// BenchmarkReadAndScan measures decoding plus the per-title rules over
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
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = ReadListings(bytes.NewReader(data), "jsonl", func(l listing.Listing) error {
			s.ScanTitle(l)
			return nil
		})
	}
}
