package main

import (
	"context"
	"encoding/json"
	"errors"
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
	fs := newFlags("eval", stderr)
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
		out := map[string]any{"data": *data, "train": *train, "mode": opts.Mode(), "results": res, "bench": br}
		if trainMsg != "" {
			out["message"] = trainMsg
		}
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "evaluated: %s; trained on: %s (%s)\n", *data, *train, opts.Mode())
	fmt.Fprintf(stdout, "%-28s %-10s %-10s %-10s %-8s %s\n", "task", "precision", "recall", "F1", "met", "target / dataset / split")
	for _, r := range res {
		name := r.Task
		if r.Variant != "" {
			name = "  └ " + r.Variant
		}
		if r.Absent {
			fmt.Fprintf(stdout, "%-28s %s\n", name, r.Note)
			continue
		}
		met := "-"
		if r.Met != nil {
			met = metWord(*r.Met)
		}
		if r.Variant != "" {
			fmt.Fprintf(stdout, "%s\n", name)
			name = ""
		}
		switch {
		case r.Rate != nil:
			fmt.Fprintf(stdout, "%-28s flagged %d/%d = %.2f%%   %-8s %s / %s / %s\n", name, r.FP, r.N, *r.Rate*100, met, r.Target, r.Dataset, r.Split)
		case r.RecallOnly:
			fmt.Fprintf(stdout, "%-28s recall %.4f (%d of %d found)   %-8s %s / %s / %s\n", name, r.Recall, r.TP, r.TP+r.FN, met, r.Target, r.Dataset, r.Split)
		case r.TP+r.FP+r.FN == 0 && r.Recall == 0:
			fmt.Fprintf(stdout, "%-28s %-32s %-8s %s / %s / %s (n %d)\n", name, "", met, r.Target, r.Dataset, r.Split, r.N)
		default:
			fmt.Fprintf(stdout, "%-28s %-10.4f %-10.4f %-10.4f %-8s %s / %s / %s (tp %d fp %d fn %d)\n", name, r.Precision, r.Recall, r.F1, met, r.Target, r.Dataset, r.Split, r.TP, r.FP, r.FN)
		}
		if r.Accuracy != nil {
			fmt.Fprintf(stdout, "%-28s   accuracy %.4f\n", "", *r.Accuracy)
		}
		if r.Dropped != nil {
			fmt.Fprintf(stdout, "%-28s   de-duplication dropped %d evaluation items\n", "", *r.Dropped)
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
	fmt.Fprintln(stdout, "\nde-duplication by normalised text, per task (evaluation items dropped: repeated, or already in the training split):")
	var order []string
	dropped := map[string]*int{}
	leaveOut := map[string]bool{}
	for _, r := range res {
		if strings.HasPrefix(r.Variant, "leave-") {
			leaveOut[r.Task] = true
		}
		if r.Absent {
			continue
		}
		if _, ok := dropped[r.Task]; !ok {
			order = append(order, r.Task)
			dropped[r.Task] = nil
		}
		if r.Dropped != nil && dropped[r.Task] == nil {
			dropped[r.Task] = r.Dropped
		}
	}
	for _, task := range order {
		if d := dropped[task]; d != nil {
			fmt.Fprintf(stdout, "  %-28s dropped %d\n", task, *d)
		} else if leaveOut[task] {
			fmt.Fprintf(stdout, "  %-28s leave-out figures (unseen terms or brands) above instead\n", task)
		} else {
			fmt.Fprintf(stdout, "  %-28s no training split (nothing to drop against)\n", task)
		}
	}
	fmt.Fprintln(stdout, "\ngoals of issue 16:")
	for _, r := range res {
		if r.Issue != 16 || r.Met == nil || r.Absent {
			continue
		}
		name := r.Task
		if r.Variant != "" {
			name += " [" + r.Variant + "]"
		}
		fmt.Fprintf(stdout, "  %-8s %s — %s: %s\n", metWord(*r.Met), r.Target, name, figure(r))
	}
	if br != nil {
		br.Print(stdout)
	}
	return nil
}

func metWord(met bool) string {
	if met {
		return "met"
	}
	return "NOT met"
}

// figure is a result's headline figure on one line.
func figure(r texteval.Result) string {
	if r.Rate != nil {
		return fmt.Sprintf("%.2f%% flagged (%d/%d)", *r.Rate*100, r.FP, r.N)
	}
	if r.RecallOnly {
		return fmt.Sprintf("recall %.4f (%d of %d)", r.Recall, r.TP, r.TP+r.FN)
	}
	s := fmt.Sprintf("P %.4f R %.4f F1 %.4f", r.Precision, r.Recall, r.F1)
	if r.Accuracy != nil {
		s = fmt.Sprintf("accuracy %.4f, ", *r.Accuracy) + s
	}
	return s
}
