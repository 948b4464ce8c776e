package texteval

import (
	"bytes"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/listing"
)

func TestTmpProf(t *testing.T) {
	ts, _ := LoadTitles(dataDir)
	var b bytes.Buffer
	WriteSyntheticTitles(&b, ts, 1000000, 20261201)
	var ls []listing.Listing
	ReadListings(&b, "jsonl", func(l listing.Listing) error { ls = append(ls, l); return nil })
	s := listing.NewScanner(nil)
	for _, n := range []int{100000, 1000000} {
		t0 := time.Now()
		fs := s.Batch(ls[:n])
		t.Logf("%d: %v findings %d", n, time.Since(t0), len(fs))
	}
}
