package floor

import (
	"fmt"
	"time"
)

// Intervals: a window's calls cut at the clock, for status --intervals and
// the Day view. They are sums of each queue's quarter-hours (queue.quarters),
// counted from the same facts as every window, so a run of intervals agrees
// exactly with the window over the same span (AHT aside: an interval takes
// the samples of the calls answered in it, a window those wrapped in it).

const (
	quarterS = 15 * 60
	// maxIntervalDays is how far back intervals reach from the floor clock:
	// a week of a journal's days replayed as one floor. A queue keeps at
	// most maxQuarters quarter-hours; older calls stay in every window's
	// figures, in no interval, and the Report says so (IntervalsFrom).
	maxIntervalDays = 7
	maxQuarters     = maxIntervalDays * 24 * 3600 / quarterS
)

// quarterOf is the quarter-hour that holds t, counted from the epoch. Every
// time zone in use is a whole number of quarter-hours from UTC, so an
// interval aligned to any zone's clock is a run of these.
func quarterOf(t time.Time) int64 { return floorDiv(t.Unix(), quarterS) }

func quarterTime(q int64) time.Time { return time.Unix(q*quarterS, 0).UTC() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// ParseIntervals reads an interval size: 15m, 30m or 1h, sizes that divide
// an hour, so that every day (whatever hour it starts at) is a whole number
// of them.
func ParseIntervals(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || !validIntervals(d) {
		return 0, fmt.Errorf("intervals %q: want 15m, 30m or 1h", s)
	}
	return d, nil
}

func validIntervals(d time.Duration) bool {
	return d == 15*time.Minute || d == 30*time.Minute || d == time.Hour
}

// intervalClock aligns intervals of one size to a zone's clock.
type intervalClock struct {
	size int64 // seconds
	loc  *time.Location
}

// starts reports whether an interval starts at quarter q: the zone's clock
// then shows a multiple of the size. Across a daylight-saving change the
// clock's hour that happens twice is two intervals, and the hour that never
// happens is none. A zone off the quarter-hours (some were, before 1970)
// is aligned in UTC.
func (k intervalClock) starts(q int64) bool {
	u := q * quarterS
	_, off := time.Unix(u, 0).In(k.loc).Zone()
	if off%quarterS != 0 {
		off = 0
	}
	return mod(u+int64(off), k.size) == 0
}

// reach bounds the quarters between two starts: an interval, and a change
// of the clock of up to an hour and a half.
func (k intervalClock) reach() int64 { return k.size/quarterS + 6 }

// start is the quarter at which the interval holding quarter q starts.
func (k intervalClock) start(q int64) int64 {
	for s := q; s > q-k.reach(); s-- {
		if k.starts(s) {
			return s
		}
	}
	return q
}

// next is the first start after quarter q.
func (k intervalClock) next(q int64) int64 {
	for s := q + 1; s < q+k.reach(); s++ {
		if k.starts(s) {
			return s
		}
	}
	return q + 1
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// fillIntervals cuts window w's span into intervals for the floor and each
// queue: from the interval that holds the window's start (the oldest kept
// for All) to the one that holds now, each list from its own first interval
// with a call. An interval's figures are all of its own, also where the
// window starts within it.
func (f *Floor) fillIntervals(r *Report, w Window) {
	k := intervalClock{size: int64(w.intervals / time.Second), loc: f.opts.Location}
	r.IntervalSize = w.intervals
	nowQ := quarterOf(f.now)
	oldest := nowQ - maxQuarters + 1 // the oldest quarter a queue keeps
	if s := k.start(oldest); s != oldest {
		oldest = k.next(s) // the first whole interval
	}
	from := oldest
	if ws := f.windowStart(w); !ws.IsZero() && quarterOf(ws) > from {
		from = k.start(quarterOf(ws))
	} else if f.intervalsLost || f.keepsBefore(oldest) {
		r.IntervalsFrom = quarterTime(oldest)
	}
	// No list starts before the first interval with a call.
	first, ok := f.firstQuarter(from)
	if !ok || first > nowQ {
		r.Floor.Intervals = []Interval{}
		for i := range r.Queues {
			r.Queues[i].Intervals = []Interval{}
		}
		return
	}
	from = max(from, k.start(first))

	starts := []int64{from}
	for q := from + 1; q <= nowQ; q++ {
		if k.starts(q) {
			starts = append(starts, q)
		}
	}
	ends := make([]int64, len(starts))
	copy(ends, starts[1:])
	ends[len(ends)-1] = k.next(nowQ)

	floorT := make([]tally, len(starts))
	queueT := make([]tally, len(starts))
	floorFirst := len(starts)
	for i := range r.Queues {
		qr := &r.Queues[i]
		q := f.queues[qr.Queue]
		mode := f.goal(q).SLMode
		clear(queueT)
		first, j := len(starts), 0
		q.quarters.each(from, nowQ+1, func(key int64, c *queueCounts) {
			for j+1 < len(starts) && starts[j+1] <= key {
				j++
			}
			queueT[j].add(*c, mode)
			floorT[j].add(*c, mode)
			first = min(first, j)
		})
		floorFirst = min(floorFirst, first)
		qr.Intervals = intervalList(queueT[first:], starts[first:], ends[first:], qr.SLTarget)
	}
	r.Floor.Intervals = intervalList(floorT[floorFirst:], starts[floorFirst:], ends[floorFirst:], r.Floor.SLTarget)
}

// keepsBefore reports whether some queue still holds counts older than
// quarter q.
func (f *Floor) keepsBefore(q int64) bool {
	for _, qu := range f.queues {
		if s := qu.quarters.slots; len(s) > 0 && s[0].key < q {
			return true
		}
	}
	return false
}

// firstQuarter is the earliest quarter at or after q that some queue
// counted a call in.
func (f *Floor) firstQuarter(q int64) (first int64, ok bool) {
	for _, qu := range f.queues {
		r := &qu.quarters
		if i := r.find(q); i < len(r.slots) && (!ok || r.slots[i].key < first) {
			first, ok = r.slots[i].key, true
		}
	}
	return first, ok
}

// intervalList makes the intervals of tallies ts, the last holding now;
// target is the goal where an interval judged no call.
func intervalList(ts []tally, starts, ends []int64, target float64) []Interval {
	out := make([]Interval, len(ts))
	for i := range ts {
		m := ts[i].metrics()
		out[i] = Interval{Start: Time{quarterTime(starts[i])}, Offered: m.Offered, Answered: m.Answered,
			AnsweredWithin: m.AnsweredWithin, Abandoned: m.Abandoned, ShortAbandoned: m.ShortAbandoned,
			AbandonedByReason: m.AbandonedByReason, ServiceLevel: m.ServiceLevel, ASAS: m.ASAS, AHTS: m.AHTS,
			AbandonRate: m.AbandonRate, End: quarterTime(ends[i]), InProgress: i == len(ts)-1,
			SLTarget: ts[i].target(target)}
	}
	return out
}
