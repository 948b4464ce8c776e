package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// PGBenchResult is what pgbench TPC-B measured.
type PGBenchResult struct {
	Server       string  `json:"server"`
	Database     string  `json:"database"`
	Scale        int     `json:"scale"`
	Clients      int     `json:"clients"`
	Threads      int     `json:"threads"`
	Seconds      int     `json:"seconds"`
	InitSeconds  float64 `json:"init_seconds"`
	Transactions int64   `json:"transactions"`
	LatencyAvg   float64 `json:"latency_avg_ms"`
	TPS          float64 `json:"tps"`
	CPU          CPUUse  `json:"cpu"`
}

// Summary is the one-line summary of the phase.
func (r *PGBenchResult) Summary() string {
	return fmt.Sprintf("pgbench    TPC-B -s %d -c %d -j %d -T %d: %.1f TPS, latency avg %.2f ms", r.Scale, r.Clients, r.Threads, r.Seconds, r.TPS, r.LatencyAvg)
}

const pgbenchDB = "weiquan_pgbench"

// libpqParams are the URI parameters passed on to pgbench (libpq refuses
// others, such as search_path or pgx pool settings).
var libpqParams = map[string]bool{"sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true, "connect_timeout": true,
	"application_name": true, "target_session_attrs": true, "passfile": true, "host": true, "port": true, "user": true, "password": true}

// pgbenchURI points base at database db, keeping only libpq parameters.
func pgbenchURI(base, db string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	q := url.Values{}
	for k, v := range u.Query() {
		if libpqParams[k] {
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

var (
	tpsRe     = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	latRe     = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	txCountRe = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
)

// runPGBench runs pgbench TPC-B in a throwaway database on the server of
// base: pgbench -i -s scale, then -c clients -j 2 -T d.
func runPGBench(ctx context.Context, base string, scale, clients int, d time.Duration, keep bool, stdout, stderr io.Writer) (*PGBenchResult, error) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		return nil, fmt.Errorf("bench: pgbench not found in PATH: %w", err)
	}
	uri, err := pgbenchURI(base, pgbenchDB)
	if err != nil {
		return nil, err
	}
	threads := min(2, clients)
	secs := max(1, int(math.Ceil(d.Seconds())))
	res := &PGBenchResult{Server: redact(base), Database: pgbenchDB, Scale: scale, Clients: clients, Threads: threads, Seconds: secs}
	fmt.Fprintf(stdout, "\n== pgbench: TPC-B on %s, database %s ==\n", res.Server, pgbenchDB)
	if err := pgExec(ctx, base, "DROP DATABASE IF EXISTS "+pgbenchDB, "CREATE DATABASE "+pgbenchDB); err != nil {
		return nil, fmt.Errorf("bench: pgbench database: %w", err)
	}
	if keep {
		defer fmt.Fprintf(stdout, "kept          database %s (%s)\n", pgbenchDB, redact(uri))
	} else {
		defer func() {
			if err := pgExec(context.Background(), base, "DROP DATABASE IF EXISTS "+pgbenchDB); err != nil {
				fmt.Fprintf(stderr, "bench: drop %s: %v\n", pgbenchDB, err)
			}
		}()
	}
	t0 := time.Now()
	if out, err := pgbench(ctx, "-i", "-s", strconv.Itoa(scale), "-q", uri); err != nil {
		return nil, fmt.Errorf("bench: pgbench -i: %w\n%s", err, out)
	}
	res.InitSeconds = time.Since(t0).Seconds()
	fmt.Fprintf(stdout, "init          pgbench -i -s %d in %.1fs\n", scale, res.InitSeconds)
	cpu := startCPU()
	out, err := pgbench(ctx, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads), "-T", strconv.Itoa(secs), uri)
	res.CPU = cpu.stop()
	if err != nil {
		return nil, fmt.Errorf("bench: pgbench: %w\n%s", err, out)
	}
	if err := parsePGBench(out, res); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "run           pgbench -c %d -j %d -T %d: %s transactions, latency avg %.2f ms\n", clients, threads, secs, commas(res.Transactions), res.LatencyAvg)
	fmt.Fprintf(stdout, "cpu           %s\n", res.CPU)
	fmt.Fprintf(stdout, "tps           %.1f\n", res.TPS)
	return res, nil
}

func pgbench(ctx context.Context, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// parsePGBench reads TPS, average latency and the transaction count from
// pgbench's report.
func parsePGBench(out []byte, res *PGBenchResult) error {
	m := tpsRe.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("bench: pgbench: no \"tps = \" in its output:\n%s", out)
	}
	res.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := latRe.FindSubmatch(out); m != nil {
		res.LatencyAvg, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := txCountRe.FindSubmatch(out); m != nil {
		res.Transactions, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	return nil
}
