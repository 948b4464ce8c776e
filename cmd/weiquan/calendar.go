package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/calendar"
	"github.com/weiquan/weiquan/internal/service"
)

// calendarCmd is `weiquan calendar import FILE · status · export`: the
// working-day calendar as data (README "Working-day calendar").
func calendarCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: weiquan calendar import FILE · status · export [CONFIG FLAGS]"
	if len(args) == 0 {
		return errors.New(use)
	}
	sub, rest := args[0], args[1:]
	file := ""
	if sub == "import" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:] // FILE before the flags
	}
	fs := newFlags("calendar "+sub, stderr)
	cfg, err := loadConfig(fs, rest)
	if err != nil {
		return err
	}
	if file == "" && sub == "import" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return errors.New(use)
	}
	if (sub == "import") != (file != "") || sub != "import" && sub != "status" && sub != "export" {
		return errors.New(use)
	}
	var raw []byte
	if sub == "import" {
		// Refuse a bad file before opening the database.
		if raw, err = os.ReadFile(file); err != nil {
			return err
		}
		if _, err := calendar.ParseFile(raw); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	svc, st, err := openService(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "import":
		im, err := svc.ImportCalendar(ctx, service.Caller{Role: actor.Admin, Via: "cli"}, raw)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported calendar #%d: years %v (published %v)\n", im.Seq, im.Years, im.Published)
	case "export":
		return printJSON(stdout, calendar.File{Years: svc.Calendar().Export()})
	}
	s := svc.CalendarStatus()
	for _, y := range s.Years {
		fmt.Fprintf(stdout, "%d  %-11s  %s\n", y.Year, y.Status, y.Source)
	}
	fmt.Fprintf(stdout, "days covered: %d (through %s)\n", s.DaysCovered, s.CoveredThrough)
	if s.Warning != "" {
		fmt.Fprintln(stdout, "warning:", s.Warning)
	}
	return nil
}
