package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/weiquan/weiquan/internal/store"
)

// backupCmd is `weiquan backup --out FILE`: an online, consistent copy of
// the SQLite database (the server may keep running). The evidence folder
// is copied separately (it is content-addressed: files are only ever
// added). PostgreSQL: pg_dump, see the README.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: weiquan backup --out FILE [--db sqlite:PATH]")
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes); restore: stop weiquan, put the file in place of the database, start; evidence files: copy %s\n", *out, fi.Size(), cfg.EvidencePath())
	return nil
}
