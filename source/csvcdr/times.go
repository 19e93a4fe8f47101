package csvcdr

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reading is a time value as the export wrote it: an instant when the value
// carried its offset, else a wall clock (a date and time, or a time of day)
// to be read in the map's zone.
type reading struct {
	at   time.Time // the instant, when the value had an offset
	wall time.Time // otherwise: the wall clock, in UTC fields
	tod  bool      // wall is a time of day: its layout has no date
}

func (r reading) fields() time.Time {
	if !r.at.IsZero() {
		return r.at
	}
	return r.wall
}

func (r reading) timeOfDay() bool { return r.tod }

// probeZone tells a layout with an offset from one without: only a wall
// clock moves when parsed in another zone.
var probeZone = time.FixedZone("probe", 5*3600+1800)

// layoutKind says whether a layout's times carry their own offset, and
// whether they have a date (Go leaves the year at 0 when the layout has
// none).
func layoutKind(layout string) (zoned, dated bool) {
	s := refTime.Format(layout)
	u, err1 := time.ParseInLocation(layout, s, time.UTC)
	p, err2 := time.ParseInLocation(layout, s, probeZone)
	return err1 == nil && err2 == nil && u.Equal(p), err1 == nil && u.Year() == refTime.Year()
}

// parseTime reads a time with the map's layouts, trying first the one at
// *hint (the layout the file's last time had) and leaving there the one
// that read it.
func (m *mapping) parseTime(v string, hint *int) (reading, error) {
	for n := range m.layouts {
		i := (*hint + n) % len(m.layouts)
		t, err := time.ParseInLocation(m.layouts[i], v, time.UTC)
		if err != nil {
			continue
		}
		*hint = i
		if m.zoned[i] {
			return reading{at: t}, nil
		}
		return reading{wall: t, tod: !m.dated[i]}, nil
	}
	if len(m.layouts) == 1 {
		return reading{}, fmt.Errorf("%s is not a time as time_format %q writes it", show(v), m.layouts[0])
	}
	return reading{}, fmt.Errorf("%s is not a time (RFC 3339, 2006-01-02 15:04:05 or 15:04:05; set time_format for another layout)", show(v))
}

func (m *mapping) parseDate(v string) (time.Time, error) {
	d, err := time.Parse(m.dateLayout, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a date as date.format %q writes it", show(v), m.dateLayout)
	}
	return d, nil
}

// place turns a reading into an instant. A wall clock is read in the map's
// zone; a time of day goes on the row's date. Where a wall clock names two
// instants (the hour repeated when clocks go back) or a time of day is
// earlier than the row's previous time (the call went past midnight), the
// first instant at or after prev is taken. prev is zero for a row's first
// time. A time of day needs the row's date.
func (m *mapping) place(r reading, date, prev time.Time) (time.Time, error) {
	if !r.at.IsZero() {
		return r.at, nil
	}
	w := r.wall
	if !r.timeOfDay() {
		in := instants(w, m.loc)
		if len(in) == 0 {
			return time.Time{}, m.gapErr(w)
		}
		return firstFrom(in, prev), nil
	}
	var last time.Time
	for next := 0; next < 2; next++ {
		day := time.Date(date.Year(), date.Month(), date.Day()+next, w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
		in := instants(day, m.loc)
		if len(in) == 0 {
			if next == 0 && !prev.IsZero() && day.Before(wallOf(prev, m.loc)) {
				continue // skipped today, but the time is tomorrow's anyway
			}
			return time.Time{}, m.gapErr(day)
		}
		if prev.IsZero() {
			return in[0], nil
		}
		last = firstFrom(in, prev)
		if !last.Before(prev) {
			return last, nil
		}
	}
	return last, nil // more than a day after prev: the order check says so
}

func (m *mapping) gapErr(w time.Time) error {
	return fmt.Errorf("%s does not exist in %s (the clocks skip it): is the timezone right?",
		w.Format("2006-01-02 15:04:05"), m.loc)
}

// instants are the instants whose wall clock in loc is w's fields, earliest
// first: one, two in the hour repeated when clocks go back, none in the hour
// skipped when they go forward. The offsets in force a day either side cover
// any change near w.
func instants(w time.Time, loc *time.Location) []time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	var out []time.Time
	for _, probe := range [3]time.Time{t.Add(-24 * time.Hour), t, t.Add(24 * time.Hour)} {
		_, off := probe.Zone()
		u := w.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(u, w) && !slices.ContainsFunc(out, u.Equal) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// wallOf is t's wall clock in loc, in UTC fields.
func wallOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func sameWall(a, b time.Time) bool {
	ah, amin, as := a.Clock()
	bh, bmin, bs := b.Clock()
	return sameDate(a, b) && ah == bh && amin == bmin && as == bs && a.Nanosecond() == b.Nanosecond()
}

// firstFrom is the first of in at or after prev, or the last of them.
func firstFrom(in []time.Time, prev time.Time) time.Time {
	for _, t := range in {
		if !t.Before(prev) {
			return t
		}
	}
	return in[len(in)-1]
}

// maxDuration bounds a wait, talk or wrap-up: a longer one is a wrong
// column or unit, not a call.
const maxDuration = 24 * time.Hour

// parseDuration reads seconds ("166", "166.5"), or h:mm:ss / m:ss
// ("0:02:46", "2:46", "0:02:46.5"), to the millisecond. A plain number is
// in the map's duration_unit.
func (m *mapping) parseDuration(v string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("%s is not a duration (seconds such as 166 or 166.5, or h:mm:ss such as 0:02:46)", show(v))
	}
	var secs float64
	if strings.Contains(v, ":") {
		parts := strings.Split(v, ":")
		if len(parts) > 3 {
			return bad()
		}
		for i, p := range parts {
			last := i == len(parts)-1
			n, ok := decimal(p, last)
			if !ok || i > 0 && n >= 60 {
				return bad()
			}
			secs = secs*60 + n
		}
	} else {
		n, ok := decimal(v, true)
		if !ok {
			return bad()
		}
		secs = n * m.unit.Seconds()
	}
	if secs > maxDuration.Seconds() {
		return 0, fmt.Errorf("%s is more than a day: is it the right column (or duration_unit)?", show(v))
	}
	return time.Duration(math.Round(secs*1000)) * time.Millisecond, nil
}

// decimal reads digits, with one decimal point where frac allows: no sign,
// exponent, NaN or hex, which ParseFloat would take.
func decimal(s string, frac bool) (float64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && frac:
			dots++
		case c < '0' || c > '9':
			return 0, false
		}
	}
	if dots > 1 || s == "." {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}
