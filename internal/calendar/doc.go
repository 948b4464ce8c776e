// Package calendar is the official mainland-China working-day calendar that working-day
// deadlines are computed with (SPEC §4: the review target of 1–3 working days counts Chinese
// public holidays and make-up working days; SPEC §10 rule seed-review-3wd, policy key
// dispute.review_sla).
//
// # Which days are working days
//
// Dates are mainland-China local dates (Asia/Shanghai, UTC+08:00 with no daylight saving since
// 1991; the package uses a fixed +08:00 zone so that it does no I/O): a UTC instant of 17:00 on
// 30 September is already 1 October in Beijing. A date is a working day when it is Monday to
// Friday and not a day off (放假) of the State Council's yearly notice (国务院办公厅关于…部分节假日
// 安排的通知), or when it is a Saturday or Sunday that the notice makes a make-up working day
// (调休上班). The notices live in one embedded data file, cn_holidays.csv, which is the only
// place dates are written down; [Default] reads it and [Load] reads any file of the same format
// and refuses a malformed one with the line and date at fault.
//
// # Years without data
//
// A year is covered when the file holds its notice ([Calendar.Covers]). For any other year the
// calendar falls back to plain Monday–Friday, which is right except on public holidays, and says
// so: [Calendar.Check] returns a [*MissingDataError] ("缺少2027年…数据 / calendar data missing
// for 2027") that callers should log or surface until next year's notice is added. One known
// limit: a year's notice can move the last days of the previous December (the 2019 notice made
// 29 December 2018 a working day), so the end of a covered year can still change when the next
// notice appears.
//
// # Deadlines (a convention of this project)
//
// [Calendar.AddWorkingDays](t, n) is due at the same Beijing time of day on the n-th working day
// after t: a case submitted on Tuesday 30 September 2025 at 10:00 with a 3-working-day SLA is due
// on Saturday 11 October 2025 at 10:00 (1–8 October are off; 9 and 10 October and the make-up
// Saturday 11 October are the three working days). Something submitted on a day that is not a
// working day is treated as submitted at 09:00 of the next working day, the start of the
// platform's working hours (JD's dispute rules use the same 09:00 restart): submitted Saturday
// 10:00, due 3 working days later at Thursday 09:00 (Monday 09:00 plus three working days). Time
// spent on a working day is never shortened: a submission at 23:30 on a working day is due at
// 23:30 on the n-th following working day. [Calendar.WorkingDaysBetween](a, b) is the inverse:
// the number of whole working days of that clock that have run from a to b, so that
// WorkingDaysBetween(a, AddWorkingDays(a, n)) == n.
package calendar
