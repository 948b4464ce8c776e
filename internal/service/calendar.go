package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/calendar"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// The working-day calendar (issue 12 item 5) is data: the embedded
// published years, then every import stored in calendar_imports (so every
// replica computes the same one), then past the last year a provisional
// calendar computed from the statutory holidays. A deadline that reaches a
// year without a published notice is marked provisional.

// CalendarWarnDays is the coverage below which the calendar warns: fewer
// days ahead than this covered by a published notice.
const CalendarWarnDays = 60

// calendarHorizon is how many years past the current one the provisional
// calendar is computed.
const calendarHorizon = 10

// calState is the calendar in force and the import it was built from.
type calState struct {
	cal  *calendar.Calendar
	seq  int64
	upto int // the provisional calendar's last year
}

// Calendar returns the working-day calendar in force.
func (s *Service) Calendar() *calendar.Calendar {
	if st := s.cal.Load(); st != nil && st.upto >= s.clock.Now().Year()+2 {
		return st.cal
	}
	// Not loaded yet (or the provisional horizon is near): the embedded
	// years and any imports already loaded, extended.
	base := calendar.Default()
	var seq int64
	if st := s.cal.Load(); st != nil {
		base, seq = st.cal, st.seq
	}
	st := s.buildCalendar(base, seq)
	s.cal.Store(st)
	return st.cal
}

func (s *Service) buildCalendar(base *calendar.Calendar, seq int64) *calState {
	upto := s.clock.Now().Year() + calendarHorizon
	return &calState{cal: base.WithProvisional(upto), seq: seq, upto: upto}
}

// RefreshCalendar reloads the calendar when an import was stored since
// the last load (on this replica or another), and reports whether it did.
func (s *Service) RefreshCalendar(ctx context.Context) (bool, error) {
	seq, err := s.st.CalendarSeq(ctx)
	if err != nil {
		return false, err
	}
	if st := s.cal.Load(); st != nil && st.seq == seq {
		return false, nil
	}
	imports, err := s.st.CalendarImports(ctx)
	if err != nil {
		return false, err
	}
	base := calendar.Default()
	last := int64(0)
	for _, im := range imports {
		years, err := calendar.ParseFile(im.Body)
		if err != nil {
			return false, fmt.Errorf("service: stored calendar import %d: %w", im.Seq, err)
		}
		base = base.Merge(years)
		last = im.Seq
	}
	s.cal.Store(s.buildCalendar(base, last))
	return true, nil
}

// CalendarImport is the result of importing a calendar file.
type CalendarImport struct {
	Seq       int64  `json:"seq"`
	Years     []int  `json:"years"`
	Published []int  `json:"published"`
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
}

// CalendarFileError turns a refusal of a calendar file into an Invalid
// fault naming the field.
func CalendarFileError(err error) error {
	var fe *calendar.FieldError
	if errors.As(err, &fe) {
		return &fault.Error{Code: fault.Invalid, Field: fe.Field, Message: "日历文件无效 / invalid calendar file: " + fe.Error(), Cause: err}
	}
	return err
}

// ImportCalendar stores a calendar file (admins only): its years replace
// those of the same number, on every replica from its next refresh and on
// this one at once. Errors: Forbidden; Invalid naming the field (nothing
// is stored).
func (s *Service) ImportCalendar(ctx context.Context, c Caller, raw []byte) (CalendarImport, error) {
	if c.Role != actor.Admin {
		return CalendarImport{}, forbidden("只有管理员可以导入工作日历 / only admins import the working-day calendar")
	}
	years, err := calendar.ParseFile(raw)
	if err != nil {
		return CalendarImport{}, CalendarFileError(err)
	}
	out := CalendarImport{Author: keyOf(c), Years: []int{}, Published: []int{}}
	names := make([]string, 0, len(years))
	for _, y := range years {
		out.Years = append(out.Years, y.Year)
		names = append(names, strconv.Itoa(y.Year))
		if y.Published {
			out.Published = append(out.Published, y.Year)
		}
	}
	slices.Sort(out.Years)
	slices.Sort(out.Published)
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		seq, err := tx.NextCalendarSeq(ctx)
		if err != nil {
			return err
		}
		now := s.now(ctx)
		out.Seq, out.CreatedAt = seq, now.Format(time.RFC3339Nano)
		id := newID()
		cm.CalendarImports = append(cm.CalendarImports, store.CalendarImport{Seq: seq, ID: id, Author: out.Author,
			Years: strings.Join(names, ","), Body: raw, CreatedAt: now})
		data, _ := json.Marshal(map[string]any{"years": out.Years, "published": out.Published})
		cm.Events = append(cm.Events, store.EventRecord{AggregateType: "calendar", AggregateID: "cn", Seq: seq, ID: id,
			Type: "calendar.imported", Actor: c.actorJSON(), At: now, PolicyVersion: s.Policy().Version, Data: data})
		return s.respond(c, cm, out)
	})
	if err != nil {
		return CalendarImport{}, err
	}
	if _, err := s.RefreshCalendar(ctx); err != nil {
		s.log.WarnContext(ctx, "calendar reload after import", "err", err)
	}
	return out, nil
}

// CalendarYear is one year of the calendar in force, as views show it.
type CalendarYear struct {
	Year   int    `json:"year"`
	Source string `json:"source"`
	// Status: published (an official notice), draft (imported with
	// "published": false) or provisional (computed from the statutory
	// holidays, no make-up working days).
	Status string `json:"status"`
}

// CalendarStatus is the coverage of the calendar in force.
type CalendarStatus struct {
	// DaysCovered: days from today (Beijing) on covered by a published
	// notice; CoveredThrough its last date (empty: today is not covered).
	DaysCovered    int    `json:"days_covered"`
	CoveredThrough string `json:"covered_through,omitempty"`
	// Warning is set when DaysCovered < CalendarWarnDays.
	Warning string `json:"warning,omitempty"`
	// Years: the data years, then the provisional years of this and the
	// next year.
	Years []CalendarYear `json:"years"`
}

// CalendarStatus reports the calendar's coverage at the service clock.
func (s *Service) CalendarStatus() CalendarStatus {
	cal := s.Calendar()
	now := s.clock.Now()
	st := CalendarStatus{DaysCovered: cal.DaysCovered(now), Years: []CalendarYear{}}
	if end, ok := cal.CoveredThrough(now); ok {
		st.CoveredThrough = end.Format(time.DateOnly)
	}
	for _, y := range cal.Years() {
		n, _ := cal.Notice(y)
		status := "published"
		if !cal.Published(y) {
			status = "draft"
		}
		st.Years = append(st.Years, CalendarYear{Year: y, Source: n.Title, Status: status})
	}
	cur := now.In(cal.Location()).Year()
	for y := cur; y <= cur+1; y++ {
		if cal.Computed(y) {
			st.Years = append(st.Years, CalendarYear{Year: y, Source: calendar.ProvisionalSource, Status: "provisional"})
		}
	}
	if st.DaysCovered < CalendarWarnDays {
		through := st.CoveredThrough
		if through == "" {
			through = "—"
		}
		st.Warning = fmt.Sprintf("工作日历仅覆盖未来%d天（至%s），之后按法定节假日暂定计算、无调休：请导入国务院下一年度节假日安排 / "+
			"the working-day calendar covers only %d days ahead (through %s); after that deadlines use a provisional calendar of the statutory holidays without make-up days: import the State Council's next schedule",
			st.DaysCovered, through, st.DaysCovered, through)
	}
	return st
}

// CheckCalendar reloads the calendar if another replica imported one and
// logs a warning when its coverage is short (call it at start and daily).
func (s *Service) CheckCalendar(ctx context.Context) CalendarStatus {
	if changed, err := s.RefreshCalendar(ctx); err != nil {
		s.log.WarnContext(ctx, "calendar reload", "err", err)
	} else if changed {
		s.log.InfoContext(ctx, "working-day calendar loaded", "years", s.Calendar().Years())
	}
	st := s.CalendarStatus()
	if st.Warning != "" {
		s.log.WarnContext(ctx, st.Warning, "calendar_days_covered", st.DaysCovered, "covered_through", st.CoveredThrough)
	}
	return st
}

// DeadlineProvisional reports whether a working-day due date computed from
// from reaches a year without a published notice: counted on the
// provisional calendar, it may move when the official schedule is
// imported. A due date before from is judged from itself.
func (s *Service) DeadlineProvisional(from, due time.Time) bool {
	if from.After(due) {
		from = due
	}
	return s.Calendar().Provisional(from, due)
}
