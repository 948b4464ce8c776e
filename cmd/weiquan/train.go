package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/weiquan/weiquan/internal/texteval"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// defaultModelDir is where `weiquan train` writes the router models that
// may not be shipped (trained from data without a licence).
func defaultModelDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "weiquan", "models")
	}
	return "weiquan-models"
}

// trainCmd trains the text models reproducibly: the COLD offensive model
// (Apache-2.0 data, may be embedded: --embed internal/abuse/cold.lr.gz) and
// the router's complaint and aspect models (data without a licence: trained
// on all of --data, written to --out, outside the repository, and loaded at
// run time through WEIQUAN_MODEL_DIR; `weiquan eval` measures held-out
// figures with models of its own).
func trainCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", stderr)
	data := fs.String("data", "../shared/data", "folder laid out like ../shared/data")
	only := fs.String("only", "all", "cold, router or all")
	embed := fs.String("embed", "", "path of the embedded COLD model file to (re)write, e.g. internal/abuse/cold.lr.gz (gzipped)")
	out := fs.String("out", defaultModelDir(), "folder for the router models (never inside the repository)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *only == "cold" || *only == "all" {
		train, err := texteval.LoadCOLD(*data, "train")
		if err != nil {
			return err
		}
		m := texteval.TrainCold(train)
		b, err := texteval.ColdModelFile(m)
		if err != nil {
			return err
		}
		if *embed != "" {
			if !strings.HasSuffix(*embed, ".gz") {
				return errors.New("train: --embed names the gzipped model file, e.g. internal/abuse/cold.lr.gz")
			}
			if err := os.WriteFile(*embed, b, 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "COLD offensive model: logistic regression over hashed character 1–3-grams (2^%d buckets, int8), Platt a %.3f b %.3f, threshold P ≥ %.3f, %d bytes gzipped", m.Bits, m.A, m.B, m.Threshold, len(b))
		if *embed != "" {
			fmt.Fprintf(stdout, " → %s\n", *embed)
		} else {
			fmt.Fprintln(stdout, " (pass --embed to write it)")
		}
	}
	if *only == "router" || *only == "all" {
		rv, err := texteval.LoadReviews(*data)
		if err != nil {
			return err
		}
		as, err := texteval.LoadAspects(*data)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		err = texteval.SaveModels(texteval.TrainComplaint(rv), texteval.TrainAspects(as), func(name string, b []byte) error {
			return os.WriteFile(filepath.Join(*out, name), b, 0o644)
		})
		if err != nil {
			return err
		}
		load, _ := textnorm.LoadWords()
		fmt.Fprintf(stdout, "router models from all %d reviews and %d aspect reviews (aspect features: gse words %s, loaded in %.2fs, + char 1–2-grams) → %s (set WEIQUAN_MODEL_DIR=%s for serve)\n",
			len(rv), len(as), textnorm.WordSegmenter, load.Seconds(), *out, *out)
	}
	if *only != "cold" && *only != "router" && *only != "all" {
		return errors.New("train: --only is cold, router or all")
	}
	return nil
}
