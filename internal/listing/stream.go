package listing

import (
	"runtime"
	"strings"
	"sync"
	"time"
)

// A Window is one slice of the input of ScanStream: raw records to decode
// on a worker (JSON lines, with Decode), or listings already decoded.
type Window struct {
	Raw      [][]byte
	Listings []Listing
	Lines    []int // input line of each record, for errors
	Decode   func(line []byte) (Listing, error)

	findings []Finding
	digests  []digest
	err      error
	done     chan struct{}
}

// LineError is a record that could not be decoded.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return "line " + itoa(e.Line) + ": " + e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	return string(b[i:])
}

// StreamStats counts what a stream scanned.
type StreamStats struct {
	Listings, Findings int
}

// ScanStream runs Scan over input that arrives in windows: next returns
// the next window (nil at the end). Workers goroutines (0: GOMAXPROCS)
// decode and run the per-listing rules, emit receives each window's
// findings in input order, and only a digest of every listing is kept for
// the batch rules (duplicates, limits, bundles), whose findings are emitted
// last. At most 2×workers windows are in flight, so memory is bounded by
// the window size and the digests, not by the file. The findings and their
// order are those of Scan. The first error (of next, a record, or emit)
// stops the stream.
func (s *Scanner) ScanStream(next func() (*Window, error), workers int, now time.Time, emit func([]Finding) error) (StreamStats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	work := make(chan *Window, workers)
	order := make(chan *Window, 2*workers)
	stop := make(chan struct{})
	var readErr error
	go func() { // reader: hands windows to the workers and, in order, to the emitter
		defer close(work)
		defer close(order)
		for {
			w, err := next()
			if err != nil {
				readErr = err
				return
			}
			if w == nil {
				return
			}
			w.done = make(chan struct{})
			select {
			case order <- w:
			case <-stop:
				return
			}
			work <- w
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{}
			for w := range work {
				s.scanWindow(w, now, sc)
				close(w.done)
			}
		}()
	}
	var st StreamStats
	ds := &digests{}
	var err error
	for w := range order {
		<-w.done
		if err == nil {
			err = w.err
		}
		if err == nil {
			st.Listings += len(w.digests)
			st.Findings += len(w.findings)
			for i := range w.digests {
				ds.add(w.digests[i])
			}
			err = emit(w.findings)
		}
		if err != nil {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
	}
	wg.Wait()
	if err == nil {
		err = readErr
	}
	if err != nil {
		return st, err
	}
	fs := s.batch(ds)
	st.Findings += len(fs)
	return st, emit(fs)
}

func (s *Scanner) scanWindow(w *Window, now time.Time, sc *scratch) {
	n := len(w.Listings) + len(w.Raw)
	w.digests = make([]digest, 0, n)
	// the strings of decoded records may share the window's input bytes:
	// what leaves the window is copied (the digests' ids by internIDs)
	defer func() {
		for i := range w.findings {
			f := &w.findings[i]
			f.ListingID, f.Text, f.Related = strings.Clone(f.ListingID), strings.Clone(f.Text), strings.Clone(f.Related)
		}
	}()
	for i, raw := range w.Raw {
		l, err := w.Decode(raw)
		if err != nil {
			line := 0
			if i < len(w.Lines) {
				line = w.Lines[i]
			}
			w.err = &LineError{Line: line, Err: err}
			return
		}
		var d digest
		w.findings, d = s.scanOne(l, now, w.findings, sc)
		w.digests = append(w.digests, d)
	}
	for _, l := range w.Listings {
		var d digest
		w.findings, d = s.scanOne(l, now, w.findings, sc)
		w.digests = append(w.digests, d)
	}
	internIDs(w.digests)
}
