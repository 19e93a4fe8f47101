package csvcdr

import (
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

func TestDurations(t *testing.T) {
	m := &mapping{unit: time.Second}
	ms := &mapping{unit: time.Millisecond}
	for _, c := range []struct {
		m    *mapping
		in   string
		want time.Duration
	}{
		{m, "166", 166 * time.Second},
		{m, "166.5", 166500 * time.Millisecond},
		{m, "0", 0},
		{m, "0:02:46", 166 * time.Second},
		{m, "00:00:00", 0},
		{m, "2:46", 166 * time.Second},
		{m, "1:02:03.25", 3723250 * time.Millisecond},
		{m, "125:30", 7530 * time.Second}, // minutes past the hour are fine in m:ss
		{m, "0.0004", 0},                  // to the millisecond
		{ms, "30000", 30 * time.Second},
		{ms, "0:00:30", 30 * time.Second}, // h:mm:ss is h:mm:ss whatever the unit
	} {
		got, err := c.m.parseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q (unit %v) = %v, %v; want %v", c.in, c.m.unit, got, err, c.want)
		}
	}
	for _, in := range []string{"", "-", "1e3", "NaN", "+5", "-5", "0x10", "1:60", "1:2:3:4", "1.2.3", "two", "1:-1", "90000", "24:00:01"} {
		if got, err := m.parseDuration(in); err == nil {
			t.Errorf("%q = %v, want an error", in, got)
		}
	}
}

// placeAll places a row's times of day on its date, each after the last.
func placeAll(t *testing.T, m *mapping, date string, tods ...string) []string {
	t.Helper()
	d, err := m.parseDate(date)
	if err != nil {
		t.Fatal(err)
	}
	var prev time.Time
	var out []string
	var hint int
	for _, v := range tods {
		r, err := m.parseTime(v, &hint)
		if err != nil {
			t.Fatal(err)
		}
		at, err := m.place(r, d, prev)
		if err != nil {
			out = append(out, "error: "+err.Error())
			continue
		}
		out = append(out, feed.FormatTime(at))
		prev = at
	}
	return out
}

func TestTimesOfDay(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	m := &mapping{loc: paris, dateLayout: "2006-01-02"}
	m.setLayouts([]string{"15:04:05"})
	for _, c := range []struct {
		name, date string
		tods       []string
		want       []string
	}{
		{"midnight: an answer earlier than the offer is the next day", "2026-02-10",
			[]string{"23:59:50", "00:00:20", "00:04:00"},
			[]string{"2026-02-10T22:59:50.000Z", "2026-02-10T23:00:20.000Z", "2026-02-10T23:04:00.000Z"}},
		{"clocks forward (29 March 2026, 02:00 CET → 03:00 CEST)", "2026-03-29",
			[]string{"01:59:50", "03:00:05"},
			[]string{"2026-03-29T00:59:50.000Z", "2026-03-29T01:00:05.000Z"}},
		{"a time the clocks skip", "2026-03-29",
			[]string{"02:30:00"},
			[]string{"error: 2026-03-29 02:30:00 does not exist in Europe/Paris (the clocks skip it): is the timezone right?"}},
		// 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:00–03:00 is
		// lived twice. An offer at 02:59:50 (first time, CEST) answered at
		// 02:00:10 is answered 20 s later, in CET: not the next day.
		{"clocks back: the repeated hour", "2026-10-25",
			[]string{"02:59:50", "02:00:10", "02:30:00"},
			[]string{"2026-10-25T00:59:50.000Z", "2026-10-25T01:00:10.000Z", "2026-10-25T01:30:00.000Z"}},
		{"clocks back: the first of two instants when nothing came before", "2026-10-25",
			[]string{"02:30:00"},
			[]string{"2026-10-25T00:30:00.000Z"}},
		{"midnight then a skipped hour of the next day is still the next day", "2026-03-28",
			[]string{"23:00:00", "02:30:00"},
			[]string{"2026-03-28T22:00:00.000Z", "error: 2026-03-29 02:30:00 does not exist in Europe/Paris (the clocks skip it): is the timezone right?"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := placeAll(t, m, c.date, c.tods...)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestFullTimestamps(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	m := &mapping{loc: ny}
	m.setLayouts(autoLayouts)
	for in, want := range map[string]string{
		"2026-07-01T12:00:00Z":          "2026-07-01T12:00:00.000Z",
		"2026-07-01T12:00:00.123+02:00": "2026-07-01T10:00:00.123Z", // its own offset wins over the map's zone
		"2026-07-01 12:00:00 -0700":     "2026-07-01T19:00:00.000Z",
		"2026-07-01 12:00:00":           "2026-07-01T16:00:00.000Z", // EDT
		"2026-01-05T12:00:00":           "2026-01-05T17:00:00.000Z", // EST
		"2026-07-01 12:00":              "2026-07-01T16:00:00.000Z",
		"2026-07-01 12:00:00.5":         "2026-07-01T16:00:00.500Z",
	} {
		var hint int
		r, err := m.parseTime(in, &hint)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		at, err := m.place(r, time.Time{}, time.Time{})
		if err != nil || feed.FormatTime(at) != want {
			t.Errorf("%q = %s, %v; want %s", in, feed.FormatTime(at), err, want)
		}
	}
	for _, in := range []string{"2026-13-01 10:00:00", "10am", "27/03/2026 10:00", ""} {
		var hint int
		if _, err := m.parseTime(in, &hint); err == nil {
			t.Errorf("%q read as a time", in)
		}
	}
}

// A time of day is read on the row's date; one without a date column is
// malformed, with the reason.
func TestDateColumn(t *testing.T) {
	const mapText = "date: {column: d, format: \"02.01.2006\"}\ncall: id\nqueue: q\nagent: a\noffered: o\nanswered: ans\nended: e\n"
	csv := "d,id,q,a,o,ans,e\n" +
		"31.12.2026,c1,q,a,23:59:00,00:00:30,00:02:00\n" + // a call over the new year
		",c2,q,a,10:00:00,10:00:05,10:01:00\n" +
		"31.12.2026,c3,q,a,2026-12-31 12:00:00,2026-12-31 12:00:04,2026-12-31 12:01:00\n" // full timestamps ignore the date
	evs, tally := convertText(t, csv, mapText)
	checkTally(t, tally, 3, 1, nil)
	if want := `line 3: offered "10:00:00" is a time of day, and the row's date is empty`; tally.FirstMalformed != want {
		t.Errorf("first malformed %q, want %q", tally.FirstMalformed, want)
	}
	r := foldAll(t, evs)
	// c1 waits 23:59:00 → 00:00:30 = 90 s and talks 90 s; c3 4 s and 56 s.
	checkFigures(t, "q", r.Floor, figures{offered: 2, answered: 2, byReason: map[string]int64{},
		asa: (90 + 4) / 2.0, aht: (90 + 56) / 2.0, sl: 1 / 2.0})
	if got := timeOf(evs, "c1", feed.TypeEnded); got != "2027-01-01T00:02:00.000Z" {
		t.Errorf("c1 ends at %s, want 2027-01-01T00:02:00.000Z", got)
	}
}
