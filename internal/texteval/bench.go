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

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"

	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// BenchResult holds the scan benchmark figures (measured, never asserted).
// The anchor is a bare Aho-Corasick pass (the petar-dambovaliev library,
// overlapping matches) of the Advertising-Law dictionary over every line of
// the same file, run in the same process just before the scans.
type BenchResult struct {
	Titles         int        `json:"titles"`
	Bytes          int64      `json:"bytes"`
	ReadMBps       float64    `json:"raw_read_mb_per_s"`
	AnchorMBps     float64    `json:"anchor_aho_corasick_mb_per_s"`
	MatcherMBps    float64    `json:"matcher_pass_mb_per_s"` // our compiled automaton, same dictionary, same lines
	ScanTitlesPerS float64    `json:"scan_titles_per_s"`     // one worker
	ScanMBps       float64    `json:"scan_mb_per_s"`         // one worker: what `weiquan scan --workers 1` does
	ScanAllMBps    float64    `json:"scan_all_cores_mb_per_s"`
	ScanPeakHeapMB float64    `json:"scan_peak_heap_mb"`
	Findings       int        `json:"findings"`
	Dup            []DupPoint `json:"duplicate_scaling"`
	DupRatio       float64    `json:"dup_time_ratio"` // time of the largest / time of a tenth of it (near-linear: ≤ 12)
	LoadAvg        string     `json:"load_avg_1m,omitempty"`
	CPUs           int        `json:"cpus"`
}

// DupPoint is the batch rules' time at one size.
type DupPoint struct {
	Listings int     `json:"listings"`
	Seconds  float64 `json:"seconds"`
}

// Print writes the figures for a person.
func (br *BenchResult) Print(w io.Writer) {
	fmt.Fprintf(w, "\nscan benchmark: %d titles, %.1f MB\n", br.Titles, float64(br.Bytes)/1e6)
	fmt.Fprintf(w, "  raw read of the same file: %.1f MB/s\n", br.ReadMBps)
	fmt.Fprintf(w, "  anchor, bare Aho-Corasick pass of the adlaw dictionary (library): %.1f MB/s; our automaton's pass: %.1f MB/s\n", br.AnchorMBps, br.MatcherMBps)
	verdict := "not met"
	if br.ScanMBps >= br.AnchorMBps {
		verdict = "met"
	}
	fmt.Fprintf(w, "  scan, streamed (decode + every rule, batch rules included), one core: %.0f titles/s, %.1f MB/s (%.0f %% of the anchor: %s); all %d cores: %.1f MB/s; peak heap %.0f MB; %d findings\n",
		br.ScanTitlesPerS, br.ScanMBps, 100*br.ScanMBps/br.AnchorMBps, verdict, br.CPUs, br.ScanAllMBps, br.ScanPeakHeapMB, br.Findings)
	fmt.Fprintf(w, "  duplicate detection (exact groups, SimHash, limits, bundles; best of 2):")
	for _, d := range br.Dup {
		fmt.Fprintf(w, " %d listings %.3fs;", d.Listings, d.Seconds)
	}
	fmt.Fprintf(w, " ×%.1f time for ×10 listings (near-linear if ≤ 12)\n", br.DupRatio)
	fmt.Fprintf(w, "  machine: %d CPUs, 1-minute load %s when measured (shared; figures are printed, never asserted)\n", br.CPUs, br.LoadAvg)
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

// Bench generates n titles into a temporary file and measures, in one
// run: the raw read bandwidth of that file, the anchor (a bare
// Aho-Corasick pass), the streamed scan on one core and on all, with its
// peak heap, and the batch rules at n/100, n/10 and n listings.
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
	res := BenchResult{Titles: n, Bytes: size, CPUs: runtime.NumCPU()}
	fmt.Fprintf(log, "bench: %d titles, %.1f MB in %s\n", n, float64(size)/1e6, f.Name())
	mbps := func(t0 time.Time) float64 { return float64(size) / 1e6 / time.Since(t0).Seconds() }
	eachLine := func(fn func([]byte)) {
		rf, _ := os.Open(f.Name())
		defer rf.Close()
		sc := bufio.NewScanner(rf)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			fn(sc.Bytes())
		}
	}
	t0 := time.Now()
	eachLine(func([]byte) {})
	res.ReadMBps = mbps(t0)

	pats := adlaw.Patterns()
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
	ac := b.Build(pats)
	hits := 0
	t0 = time.Now()
	eachLine(func(line []byte) {
		it := ac.IterOverlappingByte(line)
		for h := it.Next(); h != nil; h = it.Next() {
			hits++
		}
	})
	res.AnchorMBps = mbps(t0)
	m := textnorm.NewMatcher(pats)
	t0 = time.Now()
	eachLine(func(line []byte) { hits -= len(m.FindAll(string(line))) })
	res.MatcherMBps = mbps(t0)
	if hits != 0 {
		fmt.Fprintf(log, "bench: the two automata disagree by %d hits\n", hits)
	}

	s := listing.NewScanner(nil)
	now := time.Now()
	scan := func(workers int) (listing.StreamStats, float64, error) {
		rf, err := os.Open(f.Name())
		if err != nil {
			return listing.StreamStats{}, 0, err
		}
		defer rf.Close()
		runtime.GC()
		var peak uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() { // sample the heap while the scan runs
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		st, err := s.ScanStream(ListingWindows(rf, "jsonl", 2048), workers, now, func([]listing.Finding) error { return nil })
		close(stop)
		<-sampled
		return st, float64(peak) / 1e6, err
	}
	t0 = time.Now()
	st, peak, err := scan(1)
	if err != nil {
		return res, err
	}
	res.ScanMBps, res.ScanTitlesPerS = mbps(t0), float64(st.Listings)/time.Since(t0).Seconds()
	res.Findings, res.ScanPeakHeapMB = st.Findings, peak
	t0 = time.Now()
	if _, _, err := scan(0); err != nil {
		return res, err
	}
	res.ScanAllMBps = mbps(t0)

	// the batch rules at three sizes, each measured twice, interleaved,
	// best of two (the machine is shared: the load is printed)
	var ls []listing.Listing
	rf, err := os.Open(f.Name())
	if err != nil {
		return res, err
	}
	err = ReadListings(rf, "jsonl", func(l listing.Listing) error { ls = append(ls, l); return nil })
	rf.Close()
	if err != nil {
		return res, err
	}
	for _, k := range []int{100, 10, 1} {
		if len(ls)/k >= 100 {
			res.Dup = append(res.Dup, DupPoint{Listings: len(ls) / k, Seconds: 1e18})
		}
	}
	for range 2 {
		for i := range res.Dup {
			t0 = time.Now()
			_ = s.Batch(ls[:res.Dup[i].Listings])
			res.Dup[i].Seconds = min(res.Dup[i].Seconds, time.Since(t0).Seconds())
		}
	}
	if k := len(res.Dup); k >= 2 {
		res.DupRatio = res.Dup[k-1].Seconds / res.Dup[k-2].Seconds
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvg = strings.Fields(string(b))[0]
	}
	return res, nil
}
