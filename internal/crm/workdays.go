package crm

import (
	"time"
)

// Day is t's calendar day in Paris, "2006-01-02".
func Day(t time.Time) string { return t.In(Paris).Format(time.DateOnly) }

// DayPlus is the Paris calendar day of t moved by years, months and days.
// The move is made on the date, not on the instant: an instant moved across
// a change of summer time can land on the next day in Paris.
func DayPlus(t time.Time, years, months, days int) string {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).AddDate(years, months, days).Format(time.DateOnly)
}

// easter is Easter Sunday of year y (anonymous Gregorian algorithm).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// IsPublicHoliday reports whether day (a date, any location: its calendar
// fields are read) is a French public holiday (jours fériés of metropolitan
// France: 11 days; Alsace-Moselle's two more are not counted).
func IsPublicHoliday(day time.Time) bool {
	y, mo, d := day.Date()
	switch {
	case mo == time.January && d == 1, mo == time.May && (d == 1 || d == 8), mo == time.July && d == 14,
		mo == time.August && d == 15, mo == time.November && (d == 1 || d == 11), mo == time.December && d == 25:
		return true
	}
	date := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	e := easter(y)
	for _, off := range []int{1, 39, 50} { // lundi de Pâques, Ascension, lundi de Pentecôte
		if date.Equal(e.AddDate(0, 0, off)) {
			return true
		}
	}
	return false
}

// IsWorkingDay reports whether day is a working day: Monday to Friday, not
// a public holiday.
func IsWorkingDay(day time.Time) bool {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !IsPublicHoliday(day)
}

// AddWorkingDays returns the day n working days after t's day in Paris.
func AddWorkingDays(t time.Time, n int) string {
	y, m, d := t.In(Paris).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if IsWorkingDay(day) {
			n--
		}
	}
	return day.Format(time.DateOnly)
}
