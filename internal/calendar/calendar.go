package calendar

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed cn_holidays.csv
var embedded []byte

// Kind says what an entry of the data file does to its date.
type Kind string

// The kinds of dated entry in the data file.
const (
	// Holiday is a day off (放假) of a public holiday, written "off" in the file. A holiday
	// that falls on a weekend is still listed, so that the whole span has a name.
	Holiday Kind = "off"
	// MakeUp is a make-up working day (调休上班), written "work" in the file: a Saturday or
	// Sunday that is worked to pay for a bridged weekday.
	MakeUp Kind = "work"
)

// kindNotice is the record kind that names a year's source notice.
const kindNotice = "notice"

// Entry is one dated line of the data file.
type Entry struct {
	// Date is midnight of the date, Asia/Shanghai time.
	Date time.Time
	// Kind is Holiday or MakeUp.
	Kind Kind
	// Name is the holiday in Chinese, e.g. 春节, 国庆节、中秋节; for a make-up working day, the
	// holiday it pays for.
	Name string
}

// Notice is the State Council notice a covered year's dates come from.
type Notice struct {
	// Year is the year the notice arranges.
	Year int
	// Title is the notice's title, e.g. 国务院办公厅关于2025年部分节假日安排的通知.
	Title string
	// Number is its document number, e.g. 国办发明电〔2024〕12号 (may be empty).
	Number string
}

// Calendar is an immutable working-day calendar; it is safe for concurrent use.
type Calendar struct {
	loc     *time.Location
	entries map[int64]Entry // by day number (days since 1970-01-01)
	// offWeekdays and workWeekends are the sorted day numbers of the entries that change a
	// date's Monday–Friday default; they make counting working days O(log n).
	offWeekdays  []int64
	workWeekends []int64
	notices      map[int]Notice
	// byYear holds each notice year's entries (a notice can list late-December dates of the
	// year before), so that Merge can replace one year without touching the others.
	byYear map[int][]Entry
	// draft are the years whose data is not a published notice (an imported file with
	// "published": false); computed are the years of the provisional calendar. Both are
	// provisional: a deadline that reaches them says so.
	draft    map[int]bool
	computed map[int]bool
}

// shanghai is Asia/Shanghai: mainland China has kept UTC+08:00 without daylight saving since
// 1991, so a fixed zone is exact and needs no time-zone database.
var shanghai = time.FixedZone("CST", 8*60*60)

// Location returns the time zone the calendar's dates are in (UTC+08:00, Asia/Shanghai).
func (c *Calendar) Location() *time.Location { return c.loc }

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := Load(embedded)
	if err != nil {
		// The embedded file is tested; this only fires if someone ships a broken edit.
		panic("calendar: embedded cn_holidays.csv: " + err.Error())
	}
	return c
})

// Default returns the calendar of the embedded official data (cn_holidays.csv), in
// Asia/Shanghai time. It is parsed once and shared.
func Default() *Calendar { return defaultCalendar() }

// Embedded returns a copy of the embedded data file, for display or export.
func Embedded() []byte { return bytes.Clone(embedded) }

// Load parses and validates a data file in the format of cn_holidays.csv (see the comment at
// its top). It refuses, with an error naming the line and the date or value at fault: a line
// that is not a record of the known shapes, an unknown kind, an invalid date or year, a date or
// notice year listed twice, a dated line before any notice or outside its notice's year, an
// empty name, a make-up working day that is not a Saturday or Sunday, and a notice without
// dates.
func Load(data []byte) (*Calendar, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	c := &Calendar{
		loc:     shanghai,
		entries: map[int64]Entry{},
		notices: map[int]Notice{},
		byYear:  map[int][]Entry{},
	}
	lineOf := map[int64]int{}
	noticeLine := map[int]int{}
	var current *Notice // the notice the following dated lines belong to
	count := 0          // dated lines of the current notice
	closeNotice := func() error {
		if current != nil && count == 0 {
			return fmt.Errorf("calendar: line %d: notice for %d lists no dates", noticeLine[current.Year], current.Year)
		}
		return nil
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("calendar: line %d: want DATE,off|work,NAME or YEAR,notice,TITLE[,NUMBER], got %d fields", line, len(rec))
		}
		switch kind := rec[1]; kind {
		case kindNotice:
			if len(rec) > 4 {
				return nil, fmt.Errorf("calendar: line %d: notice: want YEAR,notice,TITLE[,NUMBER], got %d fields", line, len(rec))
			}
			year, err := strconv.Atoi(rec[0])
			if err != nil || year < 1949 || year > 9999 {
				return nil, fmt.Errorf("calendar: line %d: bad notice year %q", line, rec[0])
			}
			if prev, dup := noticeLine[year]; dup {
				return nil, fmt.Errorf("calendar: line %d: second notice for %d (first on line %d)", line, year, prev)
			}
			if rec[2] == "" {
				return nil, fmt.Errorf("calendar: line %d: notice for %d has no title", line, year)
			}
			if err := closeNotice(); err != nil {
				return nil, err
			}
			n := Notice{Year: year, Title: rec[2]}
			if len(rec) == 4 {
				n.Number = rec[3]
			}
			c.notices[year] = n
			noticeLine[year] = line
			current, count = &n, 0
		case string(Holiday), string(MakeUp):
			if len(rec) > 3 {
				return nil, fmt.Errorf("calendar: line %d: %s: want DATE,%s,NAME, got %d fields", line, rec[0], kind, len(rec))
			}
			d, err := time.ParseInLocation(time.DateOnly, rec[0], shanghai)
			if err != nil {
				return nil, fmt.Errorf("calendar: line %d: bad date %q (want YYYY-MM-DD)", line, rec[0])
			}
			day := dayNumber(d)
			if prev, dup := lineOf[day]; dup {
				return nil, fmt.Errorf("calendar: line %d: date %s listed twice (first on line %d)", line, rec[0], prev)
			}
			if current == nil {
				return nil, fmt.Errorf("calendar: line %d: date %s comes before any notice line", line, rec[0])
			}
			if !inNoticeYear(d, current.Year) {
				return nil, fmt.Errorf("calendar: line %d: date %s is outside the %d notice above it", line, rec[0], current.Year)
			}
			if rec[2] == "" {
				return nil, fmt.Errorf("calendar: line %d: date %s has no holiday name", line, rec[0])
			}
			wd := weekday(day)
			weekend := wd == time.Saturday || wd == time.Sunday
			if Kind(kind) == MakeUp && !weekend {
				return nil, fmt.Errorf("calendar: line %d: make-up working day %s is a %s; only a Saturday or Sunday can be one", line, rec[0], wd)
			}
			c.entries[day] = Entry{Date: d, Kind: Kind(kind), Name: rec[2]}
			c.byYear[current.Year] = append(c.byYear[current.Year], c.entries[day])
			lineOf[day] = line
			count++
			switch {
			case Kind(kind) == Holiday && !weekend:
				c.offWeekdays = append(c.offWeekdays, day)
			case Kind(kind) == MakeUp:
				c.workWeekends = append(c.workWeekends, day)
			}
		default:
			return nil, fmt.Errorf("calendar: line %d: %s: unknown kind %q (want off, work or notice)", line, rec[0], kind)
		}
	}
	if err := closeNotice(); err != nil {
		return nil, err
	}
	if len(c.notices) == 0 {
		return nil, errors.New("calendar: no notice in the data")
	}
	slices.Sort(c.offWeekdays)
	slices.Sort(c.workWeekends)
	return c, nil
}

// inNoticeYear reports whether a dated line may belong to the notice for year: its own year, or
// the last days of the December before (a New Year's arrangement can start there).
func inNoticeYear(d time.Time, year int) bool {
	if d.Year() == year {
		return true
	}
	return d.Year() == year-1 && d.Month() == time.December && d.Day() >= 25
}

// Covers reports whether the calendar holds the official notice for year. For a year it does not
// cover, dates count as plain Monday–Friday; see Check.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.notices[year]
	return ok
}

// Years returns the covered years in increasing order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.notices))
	for y := range c.notices {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Notice returns the notice a covered year's dates come from.
func (c *Calendar) Notice(year int) (Notice, bool) {
	n, ok := c.notices[year]
	return n, ok
}

// Lookup returns the data file's entry for t's Asia/Shanghai date: a holiday day off or a make-up
// working day. ok is false for an ordinary date.
func (c *Calendar) Lookup(t time.Time) (e Entry, ok bool) {
	e, ok = c.entries[dayNumber(t.In(c.loc))]
	return e, ok
}

// maxMissingYears bounds the years a MissingDataError lists one by one.
const maxMissingYears = 100

// MissingDataError says that a computation used dates of years the calendar has no official
// notice for, so it counted plain Monday–Friday there.
type MissingDataError struct {
	// Years are the uncovered years, in increasing order (at most 100 are listed).
	Years []int
}

// Error reads, for example, "缺少2027年国务院节假日安排数据，已按周一至周五计算 / calendar data
// missing for 2027; Monday–Friday assumed".
func (e *MissingDataError) Error() string {
	ys := make([]string, len(e.Years))
	for i, y := range e.Years {
		ys[i] = strconv.Itoa(y)
	}
	return fmt.Sprintf("缺少%s年国务院节假日安排数据，已按周一至周五计算 / calendar data missing for %s; Monday–Friday assumed",
		strings.Join(ys, "、"), strings.Join(ys, ", "))
}

// Missing returns the years from the Asia/Shanghai date of from to that of to (in either order)
// that the calendar does not cover, in increasing order; at most 100 are returned.
func (c *Calendar) Missing(from, to time.Time) []int {
	a, b := from.In(c.loc).Year(), to.In(c.loc).Year()
	if a > b {
		a, b = b, a
	}
	var out []int
	for y := a; y <= b && len(out) < maxMissingYears; y++ {
		if !c.Covers(y) && !c.computed[y] {
			out = append(out, y)
		}
	}
	return out
}

// Check returns a *MissingDataError when a span from from to to (typically a start and the
// deadline AddWorkingDays computed from it) touches a year the calendar does not cover, and nil
// otherwise. The computed dates are still usable — Monday–Friday is the fallback — but callers
// should log or surface the error so that the missing notice gets added.
func (c *Calendar) Check(from, to time.Time) error {
	if ys := c.Missing(from, to); len(ys) > 0 {
		return &MissingDataError{Years: ys}
	}
	return nil
}
