package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/texteval"
)

// errSeverity is returned (exit 1) when findings reach --fail-on.
var errSeverity = errors.New("findings reached the --fail-on severity")

// scanCmd scans a JSONL or CSV file of listings and writes the findings.
func scanCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("scan", stderr)
	format := fs.String("format", "", "input format: jsonl or csv (default: from the file extension)")
	out := fs.String("out", "jsonl", "report format: jsonl or csv")
	failOn := fs.String("fail-on", "high", "exit non-zero when a finding has at least this severity: low, medium, high or none")
	brands := fs.String("brands", "", "optional brand list (one per line) for the declared-brand check")
	nowFlag := fs.String("now", "", "scan time (RFC 3339; default: now) for the stale-listing rule")
	noBar := fs.Bool("no-progress", false, "never show the progress bar")
	workers := fs.Int("workers", 0, "scanning goroutines (default: one per core)")
	// flags may follow the file name
	var file string
	rest := args
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if file == "" {
			file = fs.Arg(0)
		} else {
			return errors.New("scan: one FILE only")
		}
		rest = fs.Args()[1:]
	}
	if file == "" {
		return errors.New("usage: weiquan scan FILE [--format jsonl|csv] [--out jsonl|csv] [--fail-on low|medium|high|none]")
	}
	if *failOn != "none" && listing.SeverityRank(*failOn) < 0 {
		return fmt.Errorf("scan: --fail-on must be low, medium, high or none")
	}
	if *format == "" {
		*format = "jsonl"
		if strings.EqualFold(filepath.Ext(file), ".csv") {
			*format = "csv"
		}
	}
	now := time.Now().UTC()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return fmt.Errorf("scan: --now: %w", err)
		}
		now = t
	}
	var bs *listing.BrandSet
	if *brands != "" {
		names, err := texteval.LoadLines(filepath.Dir(*brands), filepath.Base(*brands))
		if err != nil {
			return err
		}
		bs = listing.NewBrandSet(names)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	if st, err := f.Stat(); err == nil && isTerminal(stderr) && !*noBar {
		bar := progressbar.NewOptions64(st.Size(), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("扫描 / scanning"),
			progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		in = io.TeeReader(f, bar)
		defer bar.Finish()
	}
	// Streamed: windows of records are decoded and scanned on every core,
	// their findings written in input order as they come; only a digest
	// of each listing stays in memory for the batch rules.
	bw := bufio.NewWriterSize(stdout, 1<<16)
	rw, err := newFindingWriter(bw, *out)
	if err != nil {
		return err
	}
	worst := -1
	st, err := listing.NewScanner(bs).ScanStream(texteval.ListingWindows(in, *format, 2048), *workers, now, func(fs []listing.Finding) error {
		for _, fd := range fs {
			worst = max(worst, listing.SeverityRank(fd.Severity))
		}
		return rw(fs)
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("scan %s: %w", file, err)
	}
	fmt.Fprintf(stderr, "%d listings, %d findings\n", st.Listings, st.Findings)
	if *failOn != "none" && worst >= listing.SeverityRank(*failOn) {
		return errSeverity
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newFindingWriter returns a function that writes findings as JSON lines
// or CSV rows (the CSV header first).
func newFindingWriter(w io.Writer, format string) (func([]listing.Finding) error, error) {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		return func(fs []listing.Finding) error {
			for _, f := range fs {
				if err := enc.Encode(f); err != nil {
					return err
				}
			}
			return nil
		}, nil
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"listing_id", "rule_id", "kind", "start", "end", "text", "severity", "action", "reason", "related"}); err != nil {
			return nil, err
		}
		return func(fs []listing.Finding) error {
			for _, f := range fs {
				_ = cw.Write([]string{f.ListingID, f.RuleID, f.Kind, strconv.Itoa(f.Start), strconv.Itoa(f.End), f.Text, f.Severity, f.Action, f.Reason, f.Related})
			}
			cw.Flush()
			return cw.Error()
		}, nil
	}
	return nil, fmt.Errorf("scan: --out must be jsonl or csv")
}
