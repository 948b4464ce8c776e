package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

const apikeyUsage = `usage: weiquan apikey create --role ROLE [--party ID] [--name NAME] [--expires DURATION] [--sandbox] [CONFIG FLAGS]
       weiquan apikey list [--sandbox] [CONFIG FLAGS]
       weiquan apikey revoke ID [--sandbox] [CONFIG FLAGS]
       weiquan apikey rotate ID [--grace DURATION] [--sandbox] [CONFIG FLAGS]
--sandbox: the sandbox's keys (wq_test_…, in the sandbox-db database): they
see only sandbox objects, test clocks and the sandbox's own ledger`

// apikey manages API keys from the command line: the operator acts as an
// admin (service.CLICaller), and every change but the first create of a
// fresh install is audited as "cli".
func apikey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(apikeyUsage)
	}
	sub := args[0]
	fs := newFlags("apikey "+sub, stderr)
	var role, party, name *string
	var expires, grace *time.Duration
	switch sub {
	case "create":
		role = fs.String("role", "", "integration, buyer, seller, agent, senior_agent or admin")
		party = fs.String("party", "", "the buyer or seller ID a buyer/seller key is bound to")
		name = fs.String("name", "", "a label for the key")
		expires = fs.Duration("expires", 0, "the key expires after this long (e.g. 720h); 0: never")
	case "rotate":
		grace = fs.Duration("grace", 0, "the old key keeps working this long (at most 168h); 0: revoked at once")
	case "list", "revoke":
	default:
		return errors.New(apikeyUsage)
	}
	sandbox := fs.Bool("sandbox", false, "the sandbox's keys (sandbox-db), not production's")
	// The key id comes first or after the flags.
	rest := args[1:]
	var id string
	if (sub == "revoke" || sub == "rotate") && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		id, rest = rest[0], rest[1:]
	}
	cfg, err := loadConfig(fs, rest)
	if err != nil {
		return err
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	if (sub == "revoke" || sub == "rotate") && id == "" {
		return errors.New(apikeyUsage)
	}
	if sub == "create" {
		if err := service.CheckKeyRole(actor.Role(*role), *party); err != nil {
			return err
		}
	}
	open := openService
	if *sandbox {
		open = openSandbox
	}
	svc, st, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		nk := service.NewKey{Role: actor.Role(*role), Party: *party, Name: *name}
		if nk.Name == "" {
			nk.Name = string(nk.Role) + " key"
		}
		if *expires > 0 {
			t := svc.Now().Add(*expires)
			nk.ExpiresAt = &t
		}
		plain, k, err := svc.IssueAPIKey(ctx, service.CLICaller, service.CLIActor, nk)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "API key %s (role %s%s) — shown once, store it now:\n", k.ID, *role, map[bool]string{true: ", party " + *party, false: ""}[*party != ""])
		fmt.Fprintln(stdout, plain)
	case "list":
		keys, err := svc.ListAPIKeys(ctx, service.CLICaller)
		if err != nil {
			return err
		}
		printKeys(stdout, keys, svc.Now())
	case "revoke":
		if err := svc.RevokeAPIKey(ctx, service.CLICaller, service.CLIActor, id); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "API key %s revoked: refused from its next request\n", id)
	case "rotate":
		plain, k, err := svc.RotateAPIKey(ctx, service.CLICaller, service.CLIActor, id, *grace)
		if err != nil {
			return err
		}
		how := "revoked"
		if *grace > 0 {
			how = "expires in " + grace.String()
		}
		fmt.Fprintf(stderr, "API key %s replaced by %s (the old one %s) — the new key is shown once:\n", id, k.ID, how)
		fmt.Fprintln(stdout, plain)
	}
	return nil
}

func printKeys(w io.Writer, keys []store.APIKey, now time.Time) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tPARTY\tSTATUS\tCREATED\tEXPIRES\tLAST USED")
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, dash(k.PartyID), httpapi.KeyStatus(k, now), k.CreatedAt.UTC().Format(time.RFC3339), at(k.ExpiresAt), at(k.LastUsedAt))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// openSandbox opens the sandbox's store and service (sandbox-db) with the
// rule book of the policy key (or the embedded default).
func openSandbox(ctx context.Context, cfg config.Config, stderr io.Writer) (*service.Service, *store.Store, error) {
	book, err := server.LoadPolicy(cfg.PolicyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("config: policy: %w", err)
	}
	svc, st, ok, err := server.OpenSandbox(ctx, cfg, book, clock.System{}, newLogger(stderr, "warn"))
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errors.New("config: sandbox-db: the sandbox is off")
	}
	return svc, st, nil
}
