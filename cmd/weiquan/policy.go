package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/replay"

	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// policyCmd is `weiquan policy check FILE [--db URL | --against FILE]`: it
// validates a rule book file (an error names the bad key) and prints its
// diff against the current version: the newest version set through
// PUT /v1/policy in the database, another file, or the embedded default.
func policyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: weiquan policy check FILE [--db URL | --against FILE]\n       weiquan policy replay --proposed FILE [--since 30d] [--until TIME] [--json] [--db URL]"
	if len(args) > 0 && args[0] == "replay" {
		return policyReplay(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "check" {
		return errors.New(use)
	}
	fs := newFlags("policy check", stderr)
	db := fs.String("db", "", "database whose newest rule book version is the current one")
	against := fs.String("against", "", "rule book file to compare with (default: the embedded default)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New(use)
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(use)
	}
	next, err := policy.Load(file)
	if err != nil {
		fmt.Fprintf(stdout, "invalid: %s: %v\n", file, err)
		return fmt.Errorf("%s is not a valid rule book", file)
	}
	cur, from, err := currentPolicy(ctx, *db, *against)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "valid: %s: version %s, digest %s, %d rules, %d complaint types, %d violation types\n", file, next.Version, next.Digest,
		len(next.Rules), len(next.Complaints.Types), len(next.Complaints.Violations))
	diff := policy.Diff(cur, next)
	fmt.Fprintf(stdout, "against %s (version %s, digest %s): %d changes\n", from, cur.Version, cur.Digest, len(diff))
	fmt.Fprint(stdout, policy.FormatDiff(diff))
	return nil
}

func currentPolicy(ctx context.Context, db, against string) (*policy.Book, string, error) {
	switch {
	case db != "" && against != "":
		return nil, "", errors.New("give --db or --against, not both")
	case against != "":
		b, err := policy.Load(against)
		if err != nil {
			return nil, "", fmt.Errorf("--against: %w", err)
		}
		return b, against, nil
	case db != "":
		st, err := store.Open(ctx, db)
		if err != nil {
			return nil, "", err
		}
		defer st.Close()
		c, ok, err := st.LatestPolicyChange(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read the rule book versions of %s: %w", db, err)
		}
		if !ok {
			return policy.Default(), "the embedded default (no version set in " + db + ")", nil
		}
		b, err := policy.ParseStored(c.Body)
		if err != nil {
			return nil, "", fmt.Errorf("stored version %s: %w", c.Version, err)
		}
		return b, db, nil
	}
	return policy.Default(), "the embedded default", nil
}

// policyReplay is `weiquan policy replay --proposed FILE [--since 30d]`:
// the period's recorded order facts and party actions played again under
// the rule book in force and under the proposed one, each in a sandbox,
// and the difference printed (internal/replay).
func policyReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy replay", stderr)
	proposed := fs.String("proposed", "", "the proposed rule book file (required)")
	since := fs.String("since", "30d", "how far back the period starts (a rule-book duration: 30d, 72h …)")
	until := fs.String("until", "", "when the period ends (RFC 3339; default now)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if *proposed == "" {
		return fault.Field("proposed", "须指定拟议规则文件 / give the proposed rule book with --proposed FILE")
	}
	next, err := policy.Load(*proposed)
	if err != nil {
		return fmt.Errorf("--proposed %s: %w", *proposed, err)
	}
	back, err := policy.ParseDuration(*since)
	if err != nil || back <= 0 {
		return fault.Field("since", "回放区间须为正的时长，如 30d / --since wants a positive duration such as 30d")
	}
	to := time.Now().UTC()
	if *until != "" {
		if to, err = time.Parse(time.RFC3339, *until); err != nil {
			return fault.Field("until", "须为 RFC 3339 时间 / --until wants an RFC 3339 time")
		}
	}
	svc, st, err := openService(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := replay.Replay(ctx, svc, replay.Options{From: to.Add(-back), To: to, Baseline: svc.Policy(), Proposed: next})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, struct {
			replay.Report
			Rows []replay.Row `json:"rows"`
		}{rep, rep.Rows()})
	}
	rep.Format(stdout)
	return nil
}
