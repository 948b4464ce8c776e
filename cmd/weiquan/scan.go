package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
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
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "input format: jsonl or csv (default: from the file extension)")
	out := fs.String("out", "jsonl", "report format: jsonl or csv")
	failOn := fs.String("fail-on", "high", "exit non-zero when a finding has at least this severity: low, medium, high or none")
	brands := fs.String("brands", "", "optional brand list (one per line) for the declared-brand check")
	nowFlag := fs.String("now", "", "scan time (RFC 3339; default: now) for the stale-listing rule")
	noBar := fs.Bool("no-progress", false, "never show the progress bar")
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
	var ls []listing.Listing
	if err := texteval.ReadListings(f, *format, func(l listing.Listing) error { ls = append(ls, l); return nil }); err != nil {
		return fmt.Errorf("scan %s: %w", file, err)
	}
	var progress func(int)
	if isTerminal(stderr) && !*noBar {
		bar := progressbar.NewOptions(len(ls), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("扫描 / scanning"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		progress = func(n int) { _ = bar.Add(n) }
		defer bar.Finish()
	}
	findings := listing.NewScanner(bs).Scan(ls, now, progress)
	worst := -1
	for _, fd := range findings {
		worst = max(worst, listing.SeverityRank(fd.Severity))
	}
	if err := writeFindings(stdout, *out, findings); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d listings, %d findings\n", len(ls), len(findings))
	if *failOn != "none" && worst >= listing.SeverityRank(*failOn) {
		return errSeverity
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func writeFindings(w io.Writer, format string, fs []listing.Finding) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, f := range fs {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"listing_id", "rule_id", "kind", "start", "end", "text", "severity", "action", "reason", "related"})
		for _, f := range fs {
			_ = cw.Write([]string{f.ListingID, f.RuleID, f.Kind, strconv.Itoa(f.Start), strconv.Itoa(f.End), f.Text, f.Severity, f.Action, f.Reason, f.Related})
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("scan: --out must be jsonl or csv")
}
