package crm

import (
	"testing"
	"time"
)

func TestPublicHolidays(t *testing.T) {
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-01-01", true}, {"2026-04-05", false}, {"2026-04-06", true}, // lundi de Pâques 2026
		{"2026-05-14", true}, {"2026-05-25", true}, {"2027-03-29", true}, // Ascension, Pentecôte 2026; Pâques 2027
		{"2026-07-14", true}, {"2026-08-15", true}, {"2026-11-11", true}, {"2026-12-25", true},
		{"2026-11-27", false}, {"2026-05-08", true}, {"2024-04-01", true}, {"2024-05-09", true},
	} {
		d, _ := time.Parse(time.DateOnly, tc.day)
		if got := IsPublicHoliday(d); got != tc.want {
			t.Errorf("IsPublicHoliday(%s) = %v, want %v", tc.day, got, tc.want)
		}
	}
}

func TestDayPlus(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		from                string
		years, months, days int
		want                string
	}{
		{"2026-11-27T10:00:00Z", 1, 0, -30, "2027-10-28"},
		{"2026-11-27T22:30:00Z", 1, 0, -30, "2027-10-28"}, // the instant would be 00:30 in summer time
		{"2026-11-27T23:30:00Z", 1, 0, -30, "2027-10-29"}, // already the 28th in Paris
		{"2026-03-01T22:30:00Z", 0, 0, 30, "2026-03-31"},  // across the spring change
		{"2028-02-29T10:00:00Z", 1, 0, 0, "2029-03-01"},
	} {
		if got := DayPlus(at(tc.from), tc.years, tc.months, tc.days); got != tc.want {
			t.Errorf("DayPlus(%s, %d, %d, %d) = %s, want %s", tc.from, tc.years, tc.months, tc.days, got, tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-27T10:00:00Z", 2, "2026-12-01"}, // Friday → Tuesday
		{"2026-11-25T10:00:00Z", 2, "2026-11-27"}, // Wednesday → Friday
		{"2026-11-09T10:00:00Z", 2, "2026-11-12"}, // Monday, over the 11 November
		{"2026-12-23T10:00:00Z", 2, "2026-12-28"}, // over Christmas and the weekend
		{"2026-04-02T10:00:00Z", 2, "2026-04-07"}, // Thursday, over Easter Monday
		{"2026-11-26T23:30:00Z", 2, "2026-12-01"}, // already Friday in Paris
	} {
		if got := AddWorkingDays(at(tc.from), tc.n); got != tc.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}
