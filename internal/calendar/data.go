package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The import format: the calendar as data an admin can update without a rebuild (`weiquan
// calendar import FILE`, the admin page 工作日历). A JSON object whose "years" each carry one
// year's arrangement:
//
//	{"years": [{
//	  "year": 2027,
//	  "source": "国务院办公厅关于2027年部分节假日安排的通知",
//	  "number": "国办发明电〔2026〕…号",
//	  "published": true,
//	  "holidays": [{"date": "2027-01-01", "name": "元旦"}, …],
//	  "makeup_workdays": [{"date": "2027-02-20", "name": "春节"}, …]
//	}]}
//
// "holidays" lists every day off of each holiday span (weekend days included), "makeup_workdays"
// the Saturdays and Sundays worked instead (调休上班). "published": false marks a year's data as
// a draft (for example a schedule announced but not yet issued): its dates are used, but every
// deadline that reaches it is marked provisional and it does not count as covered.

// File is an import file.
type File struct {
	Years []YearData `json:"years"`
}

// YearData is one year of an import file.
type YearData struct {
	Year           int    `json:"year"`
	Source         string `json:"source"`
	Number         string `json:"number,omitempty"`
	Published      bool   `json:"published"`
	Holidays       []Day  `json:"holidays"`
	MakeUpWorkdays []Day  `json:"makeup_workdays"`
}

// Day is a dated line of an import file.
type Day struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// FieldError is a refusal of an import file, naming the field at fault as a JSON path such as
// years[0].holidays[3].date.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ParseFile parses and validates an import file. It refuses, naming the field: malformed JSON
// or an unknown field, no years, a year outside 1949–9999 or listed twice, an empty source, a
// date that is not YYYY-MM-DD or lies outside its year (a New Year's arrangement may start on 25
// December of the year before), a date listed twice, an empty name, a make-up working day that
// is not a Saturday or Sunday, and a year with no holidays.
func ParseFile(data []byte) ([]YearData, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return nil, fieldErr(ute.Field, "类型错误 / wrong type: want %s", ute.Type)
		}
		if msg := err.Error(); strings.Contains(msg, "unknown field") {
			name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
			return nil, fieldErr(name, "未知字段 / unknown field")
		}
		return nil, fieldErr("body", "不是有效的JSON / not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, fieldErr("body", "JSON之后有多余内容 / trailing data after the JSON object")
	}
	if len(f.Years) == 0 {
		return nil, fieldErr("years", "至少需要一个年份 / at least one year is required")
	}
	seenYear := map[int]int{}
	for i, y := range f.Years {
		at := fmt.Sprintf("years[%d]", i)
		if y.Year < 1949 || y.Year > 9999 {
			return nil, fieldErr(at+".year", "年份无效 / bad year %d", y.Year)
		}
		if prev, dup := seenYear[y.Year]; dup {
			return nil, fieldErr(at+".year", "%d年重复（已见于years[%d]）/ year %d listed twice (first at years[%d])", y.Year, prev, y.Year, prev)
		}
		seenYear[y.Year] = i
		if strings.TrimSpace(y.Source) == "" {
			return nil, fieldErr(at+".source", "须写明来源（通知标题）/ name the source (the notice's title)")
		}
		if len(y.Holidays) == 0 {
			return nil, fieldErr(at+".holidays", "%d年没有任何假日 / year %d lists no holidays", y.Year, y.Year)
		}
		seen := map[string]string{}
		for _, part := range []struct {
			name string
			days []Day
			kind Kind
		}{{"holidays", y.Holidays, Holiday}, {"makeup_workdays", y.MakeUpWorkdays, MakeUp}} {
			for j, d := range part.days {
				f := fmt.Sprintf("%s.%s[%d]", at, part.name, j)
				t, err := time.ParseInLocation(time.DateOnly, d.Date, shanghai)
				if err != nil {
					return nil, fieldErr(f+".date", "日期无效 / bad date %q (want YYYY-MM-DD)", d.Date)
				}
				if !inNoticeYear(t, y.Year) {
					return nil, fieldErr(f+".date", "%s不在%d年内 / date %s is outside year %d", d.Date, y.Year, d.Date, y.Year)
				}
				if prev, dup := seen[d.Date]; dup {
					return nil, fieldErr(f+".date", "%s重复（已见于%s）/ date %s listed twice (first at %s)", d.Date, prev, d.Date, prev)
				}
				seen[d.Date] = f
				if strings.TrimSpace(d.Name) == "" {
					return nil, fieldErr(f+".name", "%s缺少节日名称 / date %s has no holiday name", d.Date, d.Date)
				}
				if wd := t.Weekday(); part.kind == MakeUp && wd != time.Saturday && wd != time.Sunday {
					return nil, fieldErr(f+".date", "调休上班日%s是%s，只能是周六或周日 / make-up working day %s is a %s; only a Saturday or Sunday can be one", d.Date, weekdayZH[wd], d.Date, wd)
				}
			}
		}
	}
	return f.Years, nil
}

var weekdayZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Export returns the calendar's data years (not the computed provisional ones) in the import
// format, in increasing order of year.
func (c *Calendar) Export() []YearData {
	var out []YearData
	for _, y := range c.Years() {
		n := c.notices[y]
		yd := YearData{Year: y, Source: n.Title, Number: n.Number, Published: !c.draft[y], Holidays: []Day{}, MakeUpWorkdays: []Day{}}
		for _, e := range c.byYear[y] {
			d := Day{Date: e.Date.Format(time.DateOnly), Name: e.Name}
			if e.Kind == MakeUp {
				yd.MakeUpWorkdays = append(yd.MakeUpWorkdays, d)
			} else {
				yd.Holidays = append(yd.Holidays, d)
			}
		}
		out = append(out, yd)
	}
	return out
}

// Merge returns a calendar of c's years with the given (validated, see ParseFile) years
// replacing or adding whole years. Provisional years of c are dropped; see WithProvisional.
func (c *Calendar) Merge(years []YearData) *Calendar {
	sets := map[int][]Entry{}
	notices := map[int]Notice{}
	draft := map[int]bool{}
	for y, es := range c.byYear {
		if c.computed[y] {
			continue
		}
		sets[y], notices[y], draft[y] = es, c.notices[y], c.draft[y]
	}
	for _, yd := range years {
		var es []Entry
		for _, part := range []struct {
			days []Day
			kind Kind
		}{{yd.Holidays, Holiday}, {yd.MakeUpWorkdays, MakeUp}} {
			for _, d := range part.days {
				t, err := time.ParseInLocation(time.DateOnly, d.Date, shanghai)
				if err != nil {
					continue // validated by ParseFile
				}
				es = append(es, Entry{Date: t, Kind: part.kind, Name: d.Name})
			}
		}
		sets[yd.Year], notices[yd.Year], draft[yd.Year] = es, Notice{Year: yd.Year, Title: yd.Source, Number: yd.Number}, !yd.Published
	}
	return assemble(sets, notices, draft, nil)
}

// assemble builds a calendar from per-year entries. A date listed by two years (the late
// December of a year, arranged again by the next year's notice) keeps the later year's entry.
func assemble(sets map[int][]Entry, notices map[int]Notice, draft, computed map[int]bool) *Calendar {
	c := &Calendar{loc: shanghai, entries: map[int64]Entry{}, notices: notices, byYear: sets, draft: draft, computed: computed}
	for _, y := range slices.Sorted(maps.Keys(sets)) {
		for _, e := range sets[y] {
			c.entries[dayNumber(e.Date)] = e
		}
	}
	for day, e := range c.entries {
		wd := weekday(day)
		weekend := wd == time.Saturday || wd == time.Sunday
		switch {
		case e.Kind == Holiday && !weekend:
			c.offWeekdays = append(c.offWeekdays, day)
		case e.Kind == MakeUp:
			c.workWeekends = append(c.workWeekends, day)
		}
	}
	slices.Sort(c.offWeekdays)
	slices.Sort(c.workWeekends)
	return c
}

// Published reports whether year's dates come from a published notice (not a draft import, not
// the computed provisional calendar).
func (c *Calendar) Published(year int) bool {
	_, ok := c.notices[year]
	return ok && !c.draft[year] && !c.computed[year]
}

// Computed reports whether year is one of the provisional calendar (see WithProvisional).
func (c *Calendar) Computed(year int) bool { return c.computed[year] }

// Provisional reports whether a span from from to to (typically a start and the deadline
// computed from it) touches a year that has no published notice: its working days may still
// change when the official schedule, with its make-up working days, is imported.
func (c *Calendar) Provisional(from, to time.Time) bool {
	a, b := from.In(c.loc).Year(), to.In(c.loc).Year()
	if a > b {
		a, b = b, a
	}
	for y := a; y <= b; y++ {
		if !c.Published(y) {
			return true
		}
	}
	return false
}

// CoveredThrough returns the last date of the run of published years that contains now's
// Asia/Shanghai date (31 December of its last year), and false when now's year is not published.
func (c *Calendar) CoveredThrough(now time.Time) (time.Time, bool) {
	y := now.In(c.loc).Year()
	if !c.Published(y) {
		return time.Time{}, false
	}
	for c.Published(y + 1) {
		y++
	}
	return time.Date(y, time.December, 31, 0, 0, 0, 0, c.loc), true
}

// DaysCovered returns how many days, from now's Asia/Shanghai date on (today included), a
// published calendar covers: 0 when today's year has no published notice.
func (c *Calendar) DaysCovered(now time.Time) int {
	end, ok := c.CoveredThrough(now)
	if !ok {
		return 0
	}
	return int(dayNumber(end) - dayNumber(now.In(c.loc)) + 1)
}
