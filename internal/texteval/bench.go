package texteval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/listing"
)

// BenchResult holds the scan benchmark figures (measured, never asserted).
type BenchResult struct {
	Titles         int     `json:"titles"`
	Bytes          int64   `json:"bytes"`
	ReadMBps       float64 `json:"raw_read_mb_per_s"`
	ScanTitlesPerS float64 `json:"scan_titles_per_s"`
	ScanMBps       float64 `json:"scan_mb_per_s"`
	Findings       int     `json:"findings"`
	DupSmallN      int     `json:"dup_small_n"`
	DupSmallSec    float64 `json:"dup_small_seconds"`
	DupLargeN      int     `json:"dup_large_n"`
	DupLargeSec    float64 `json:"dup_large_seconds"`
	DupRatio       float64 `json:"dup_time_ratio"` // large/small time for 10× the listings (near-linear: ≤ 12)
	LoadAvg        string  `json:"load_avg_1m,omitempty"`
	CPUs           int     `json:"cpus"`
}

// WriteSyntheticTitles writes n real-shaped titles as JSONL listings to w:
// each is the first part of one real title joined to the last part of
// another (seeded, reproducible), with shops of 200 listings; about 5 % are
// verbatim re-posts so that duplicate detection has work to do.
func WriteSyntheticTitles(w io.Writer, real []Title, n int, seed uint64) (int64, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	var total int64
	var prev []string
	for i := 0; i < n; i++ {
		var title string
		if len(prev) > 0 && rng.IntN(20) == 0 {
			title = prev[rng.IntN(len(prev))]
		} else {
			a := []rune(real[rng.IntN(len(real))].Text)
			b := []rune(real[rng.IntN(len(real))].Text)
			title = string(a[:len(a)/2]) + string(b[len(b)/2:])
		}
		if len(prev) < 1000 {
			prev = append(prev, title)
		} else {
			prev[rng.IntN(len(prev))] = title
		}
		rec, _ := json.Marshal(map[string]string{"id": "L" + strconv.Itoa(i), "title": title, "shop_id": "S" + strconv.Itoa(i/200)})
		rec = append(rec, '\n')
		k, err := bw.Write(rec)
		total += int64(k)
		if err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}

// Bench generates n titles into a temporary file, measures the raw read
// bandwidth of that file, the per-title scan over it, and duplicate
// detection at n/10 and n listings.
func Bench(dir string, n int, log io.Writer) (BenchResult, error) {
	ts, err := LoadTitles(dir)
	if err != nil {
		return BenchResult{}, err
	}
	f, err := os.CreateTemp("", "weiquan-bench-*.jsonl")
	if err != nil {
		return BenchResult{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	size, err := WriteSyntheticTitles(f, ts, n, 20261201)
	if err != nil {
		return BenchResult{}, err
	}
	res := BenchResult{Titles: n, Bytes: size}
	fmt.Fprintf(log, "bench: %d titles, %.1f MB in %s\n", n, float64(size)/1e6, f.Name())

	// raw read bandwidth: the same file, line by line, no parsing
	t0 := time.Now()
	rf, _ := os.Open(f.Name())
	sc := bufio.NewScanner(rf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
	}
	rf.Close()
	res.ReadMBps = float64(size) / 1e6 / time.Since(t0).Seconds()

	// scan: read + decode + every per-title rule
	s := listing.NewScanner(nil)
	t0 = time.Now()
	rf, _ = os.Open(f.Name())
	var ls []listing.Listing
	err = ReadListings(rf, "jsonl", func(l listing.Listing) error {
		res.Findings += len(s.ScanTitle(l))
		ls = append(ls, l)
		return nil
	})
	rf.Close()
	if err != nil {
		return res, err
	}
	el := time.Since(t0).Seconds()
	res.ScanTitlesPerS = float64(len(ls)) / el
	res.ScanMBps = float64(size) / 1e6 / el

	// duplicate detection at n/10 and n listings, each measured twice,
	// interleaved, best of two (the machine is shared: the load is printed)
	small := ls[:len(ls)/10]
	res.DupSmallN, res.DupLargeN = len(small), len(ls)
	res.DupSmallSec, res.DupLargeSec = 1e18, 1e18
	for k := 0; k < 2; k++ {
		t0 = time.Now()
		_ = s.Batch(small)
		res.DupSmallSec = min(res.DupSmallSec, time.Since(t0).Seconds())
		t0 = time.Now()
		_ = s.Batch(ls)
		res.DupLargeSec = min(res.DupLargeSec, time.Since(t0).Seconds())
	}
	res.DupRatio = res.DupLargeSec / res.DupSmallSec
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = strings.Fields(string(b))[0]
	}
	res.CPUs = runtime.NumCPU()
	return res, nil
}
