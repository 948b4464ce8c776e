package calendar_test

import (
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/calendar"
)

func ExampleCalendar_AddWorkingDays() {
	cal := calendar.Default()
	beijing := cal.Location()

	// Tuesday 30 September 2025, 10:00: 1–8 October are off and Saturday 11 October is worked.
	submitted := time.Date(2025, 9, 30, 10, 0, 0, 0, beijing)
	fmt.Println(cal.AddWorkingDays(submitted, 3).Format("2006-01-02 15:04 Mon"))

	// Saturday 15 March 2025, 10:00: counted from Monday 09:00.
	weekend := time.Date(2025, 3, 15, 10, 0, 0, 0, beijing)
	fmt.Println(cal.AddWorkingDays(weekend, 3).Format("2006-01-02 15:04 Mon"))

	// Into a year without data: the deadline is computed Monday–Friday, and Check says so.
	late := time.Date(2026, 12, 31, 10, 0, 0, 0, beijing)
	due := cal.AddWorkingDays(late, 1)
	fmt.Println(due.Format("2006-01-02 15:04 Mon"), cal.Check(late, due))
	// Output:
	// 2025-10-11 10:00 Sat
	// 2025-03-20 09:00 Thu
	// 2027-01-01 10:00 Fri 缺少2027年国务院节假日安排数据，已按周一至周五计算 / calendar data missing for 2027; Monday–Friday assumed
}

func ExampleCalendar_WorkingDaysBetween() {
	cal := calendar.Default()
	beijing := cal.Location()
	opened := time.Date(2026, 2, 13, 10, 0, 0, 0, beijing) // the Friday before 春节 2026
	now := time.Date(2026, 2, 25, 11, 0, 0, 0, beijing)
	fmt.Println(cal.WorkingDaysBetween(opened, now), "working days have run")
	// Output: 3 working days have run
}
