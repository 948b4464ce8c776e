package calendar

import (
	"slices"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// ProvisionalSource names the computed calendar in views and logs.
const ProvisionalSource = "按《全国年节及纪念日放假办法》推算（暂定，无调休）/ computed from the statutory holidays (provisional, no make-up days)"

// StatutoryHolidays returns the statutory days off of a year under 全国年节及纪念日放假办法 as
// amended in 2024 (../shared/reference/全国年节及纪念日放假办法-要点.md), in date order: 元旦
// 1 January; 春节 lunar New Year's Eve and lunar 1st–3rd of the first month; 清明节 the day of the
// Qingming solar term; 劳动节 1–2 May; 端午节 lunar 5/5; 中秋节 lunar 8/15; 国庆节 1–3 October.
// Lunar dates and the solar term come from github.com/6tail/lunar-go. A day that two holidays
// share (中秋 on 1–3 October) is listed once under both names. These are only the statutory
// days: the published schedule moves days and names make-up working days, which no rule derives.
func StatutoryHolidays(year int) []Entry {
	var out []Entry
	index := map[int64]int{}
	add := func(t time.Time, name string) {
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shanghai)
		if i, ok := index[dayNumber(d)]; ok {
			out[i].Name += "、" + name
			return
		}
		index[dayNumber(d)] = len(out)
		out = append(out, Entry{Date: d, Kind: Holiday, Name: name})
	}
	solar := func(s *lunar.Solar) time.Time {
		return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, shanghai)
	}
	date := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, shanghai) }
	add(date(time.January, 1), "元旦")
	newYear := solar(lunar.NewLunarFromYmd(year, 1, 1).GetSolar())
	for i := -1; i <= 2; i++ {
		add(newYear.AddDate(0, 0, i), "春节")
	}
	if qm, ok := lunar.NewSolarFromYmd(year, 4, 20).GetLunar().GetJieQiTable()["清明"]; ok {
		add(solar(qm), "清明节")
	}
	add(date(time.May, 1), "劳动节")
	add(date(time.May, 2), "劳动节")
	add(solar(lunar.NewLunarFromYmd(year, 5, 5).GetSolar()), "端午节")
	mid := solar(lunar.NewLunarFromYmd(year, 8, 15).GetSolar())
	for d := 1; d <= 3; d++ {
		add(date(time.October, d), "国庆节")
	}
	add(mid, "中秋节")
	sortEntries(out)
	return out
}

func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int { return a.Date.Compare(b.Date) })
}

// WithProvisional returns a calendar of c's data years plus, for every year after the last of
// them through through, the provisional calendar: the statutory days off (StatutoryHolidays),
// weekends off, no make-up working days. Such years are Computed and never Published; a
// deadline that reaches them is Provisional. An official schedule imported later replaces them.
func (c *Calendar) WithProvisional(through int) *Calendar {
	sets, notices, draft := map[int][]Entry{}, map[int]Notice{}, map[int]bool{}
	last := 0
	for y, es := range c.byYear {
		if c.computed[y] {
			continue
		}
		sets[y], notices[y], draft[y] = es, c.notices[y], c.draft[y]
		last = max(last, y)
	}
	computed := map[int]bool{}
	if last > 0 {
		for y := last + 1; y <= through; y++ {
			sets[y] = StatutoryHolidays(y)
			computed[y] = true
		}
	}
	return assemble(sets, notices, draft, computed)
}
