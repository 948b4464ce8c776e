package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

const adminUsage = `usage: weiquan admin create --name LOGIN --password-stdin [--display-name NAME] [--force] [CONFIG FLAGS]`

// adminCmd: `weiquan admin create` makes the first admin of a fresh
// install (the password is read from standard input, never from the
// command line, where ps and shell history would show it). It refuses while
// an enabled admin exists, unless --force.
func adminCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(adminUsage)
	}
	fs := newFlags("admin create", stderr)
	name := fs.String("name", "", "the admin's login")
	display := fs.String("display-name", "", "the name shown on the pages (default: the login)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	force := fs.Bool("force", false, "create the admin even though an admin exists")
	cfg, err := loadConfig(fs, args[1:])
	if err != nil {
		return err
	}
	if *name == "" || !*pwStdin {
		return errors.New(adminUsage)
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return errors.New("admin create: no password on standard input")
	}
	svc, st, err := openService(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := svc.CreateFirstAdmin(ctx, *name, password, *display, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin %s created (id %s); at the first sign-in the pages enrol a TOTP authenticator\n", u.Login, u.ID)
	return nil
}
