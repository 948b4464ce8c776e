package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/weiquan/weiquan/internal/texteval"
)

// evalCmd prints precision / recall / F1 of every text task of issue 5 on
// a data folder, and optionally the scan benchmark. With --train equal to
// --data (the default) models are trained and evaluated on held-out splits
// of that folder; with another --train, models are trained on all of
// --train and evaluated on all of --data, which is never trained on.
func evalCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "../shared/data", "folder laid out like ../shared/data: what is evaluated")
	train := fs.String("train", "../shared/data", "folder laid out like ../shared/data that models are trained on (the development data); when it is --data, held-out splits are used, else all of --train is trained on and all of --data evaluated")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	bench := fs.Int("bench", 0, "also run the scan benchmark over this many generated titles (e.g. 1000000)")
	verbose := fs.Bool("v", false, "list every flag of the false-positive tasks")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := texteval.Options{Train: *train, Data: *data}
	if st, err := os.Stat(*data); err != nil || !st.IsDir() {
		msg := fmt.Sprintf("评测数据目录不存在 / evaluation data folder absent: %s — nothing evaluated", *data)
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"data": *data, "train": *train, "absent": true, "message": msg, "results": []any{}})
		}
		fmt.Fprintln(stdout, msg)
		return nil
	}
	var trainMsg string
	if st, err := os.Stat(*train); opts.Separate() && (err != nil || !st.IsDir()) {
		trainMsg = fmt.Sprintf("训练数据目录不存在 / training data folder absent: %s — tasks that need training are skipped", *train)
		fmt.Fprintln(stderr, trainMsg)
	}
	res, err := texteval.RunWith(opts)
	if err != nil {
		return err
	}
	var br *texteval.BenchResult
	if *bench > 0 {
		b, err := texteval.Bench(*data, *bench, stderr)
		if err != nil && !errors.Is(err, texteval.ErrNoData) {
			return err
		}
		if err == nil {
			br = &b
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := map[string]any{"data": *data, "train": *train, "mode": opts.Mode(), "results": res, "bench": br}
		if trainMsg != "" {
			out["message"] = trainMsg
		}
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "evaluated: %s; trained on: %s (%s)\n", *data, *train, opts.Mode())
	fmt.Fprintf(stdout, "%-28s %-10s %-10s %-10s %-8s %s\n", "task", "precision", "recall", "F1", "met", "target / dataset / split")
	for _, r := range res {
		if r.Absent {
			fmt.Fprintf(stdout, "%-28s %s\n", r.Task, r.Note)
			continue
		}
		met := "-"
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		if r.Rate != nil {
			fmt.Fprintf(stdout, "%-28s flagged %d/%d = %.2f%%   %-8s %s / %s / %s\n", r.Task, r.FP, r.N, *r.Rate*100, met, r.Target, r.Dataset, r.Split)
		} else {
			fmt.Fprintf(stdout, "%-28s %-10.4f %-10.4f %-10.4f %-8s %s / %s / %s (tp %d fp %d fn %d)\n", r.Task, r.Precision, r.Recall, r.F1, met, r.Target, r.Dataset, r.Split, r.TP, r.FP, r.FN)
		}
		if r.Note != "" {
			fmt.Fprintf(stdout, "%-28s   %s\n", "", r.Note)
		}
		if len(r.Flags) > 0 && (*verbose || r.Task == "lint") {
			for _, f := range r.Flags {
				fmt.Fprintf(stdout, "%-28s   • %s\n", "", strings.ReplaceAll(f, "\n", " "))
			}
		}
	}
	if br != nil {
		br.Print(stdout)
	}
	return nil
}
