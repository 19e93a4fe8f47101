package debrief

import (
	"maps"
	"sort"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
)

// IntervalLength is the debrief's interval: a supervisor's quarter hour.
const IntervalLength = 15 * time.Minute

// Row is one interval's call figures, counted as the contract's
// `intervals` count them (DESIGN.md, 1.1 fine print): a call counts in
// the interval in which it was offered, answered or abandoned, an AHT
// sample in the interval its call was answered in; intervals are aligned
// in UTC. WaitingMax is the most calls waiting at once in the interval.
type Row struct {
	Start             floor.Time       `json:"start"`
	Offered           int64            `json:"offered"`
	Answered          int64            `json:"answered"`
	AnsweredWithin    int64            `json:"answered_within"`
	Abandoned         int64            `json:"abandoned"`
	ShortAbandoned    int64            `json:"short_abandoned"`
	AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
	ServiceLevel      *float64         `json:"service_level"`
	ASAS              *float64         `json:"asa_s"`
	AHTS              *float64         `json:"aht_s"`
	AbandonRate       *float64         `json:"abandon_rate"`
	WaitingMax        int              `json:"waiting_max"`
}

// HungUp is as CallFigures.HungUp: callers who hung up, short abandons aside.
func (r *Row) HungUp() int64 { return r.AbandonedByReason[feed.ReasonCaller] - r.ShortAbandoned }

// RowPair is one interval with the actions and without.
type RowPair struct {
	Start   floor.Time `json:"start"`
	With    Row        `json:"with"`
	Without Row        `json:"without"`
}

// tally adds up one interval of one queue (or the floor).
type tally struct {
	offered, answered, within, abandoned, short, abandonedWithin int64
	byReason                                                     map[string]int64
	waitSum, handleSum                                           float64
	handled                                                      int64
	slNum, slDen                                                 float64
	waitingMax                                                   int
}

func (t *tally) add(o *tally) {
	t.offered += o.offered
	t.answered += o.answered
	t.within += o.within
	t.abandoned += o.abandoned
	t.short += o.short
	t.abandonedWithin += o.abandonedWithin
	for r, n := range o.byReason {
		t.reason(r, n)
	}
	t.waitSum += o.waitSum
	t.handleSum += o.handleSum
	t.handled += o.handled
	t.slNum += o.slNum
	t.slDen += o.slDen
}

func (t *tally) reason(r string, n int64) {
	if t.byReason == nil {
		t.byReason = map[string]int64{}
	}
	t.byReason[r] += n
}

// slParts sets the service level's numerator and denominator by the
// queue's sl_mode (DESIGN.md Metrics).
func (t *tally) slParts(mode string) {
	switch mode {
	case feed.ModeAnsweredOnly:
		t.slNum, t.slDen = float64(t.within), float64(t.answered)
	case feed.ModeAbandonsInSLGood:
		t.slNum, t.slDen = float64(t.within+t.abandonedWithin), float64(t.answered+t.abandoned)
	default:
		t.slNum, t.slDen = float64(t.within), float64(t.answered+t.abandoned-t.short)
	}
}

func (t *tally) row(start time.Time) Row {
	r := Row{Start: floor.Time{Time: start}, Offered: t.offered, Answered: t.answered, AnsweredWithin: t.within,
		Abandoned: t.abandoned, ShortAbandoned: t.short, AbandonedByReason: maps.Clone(t.byReason),
		ServiceLevel: ratio(t.slNum, t.slDen), ASAS: ratio(t.waitSum, float64(t.answered)),
		AHTS:        ratio(t.handleSum, float64(t.handled)),
		AbandonRate: ratio(float64(t.abandoned-t.short), float64(t.offered-t.short)), WaitingMax: t.waitingMax}
	if r.AbandonedByReason == nil {
		r.AbandonedByReason = map[string]int64{}
	}
	return r
}

func ratio(num, den float64) *float64 {
	if den <= 0 {
		return nil
	}
	v := num / den
	return &v
}

// intervals are a day's tallies: per queue and for the floor, by
// interval start.
type intervals struct {
	queues map[string]map[time.Time]*tally
	floor  map[time.Time]*tally
	first  time.Time // the first interval with a call
	end    time.Time // the interval holding the day's clock
}

func slot(t time.Time) time.Time { return t.UTC().Truncate(IntervalLength) }

// countIntervals tallies a day's legs, up to now (the fold's clock).
func countIntervals(d *day.Day, now time.Time) *intervals {
	iv := &intervals{queues: map[string]map[time.Time]*tally{}, floor: map[time.Time]*tally{}, end: slot(now)}
	at := func(q string, t time.Time) *tally {
		byStart := iv.queues[q]
		if byStart == nil {
			byStart = map[time.Time]*tally{}
			iv.queues[q] = byStart
		}
		s := slot(t)
		if iv.first.IsZero() || s.Before(iv.first) {
			iv.first = s
		}
		tl := byStart[s]
		if tl == nil {
			tl = &tally{}
			byStart[s] = tl
		}
		return tl
	}
	for _, l := range d.Legs {
		if l.Seen {
			at(l.Queue, l.Offered).offered++
		}
		switch {
		case l.Outcome == day.Answered && l.AnswerSeen:
			t := at(l.Queue, l.At)
			t.answered++
			t.waitSum += l.At.Sub(l.Offered).Seconds()
			if l.Within {
				t.within++
			}
		case l.Outcome == day.Abandoned:
			t := at(l.Queue, l.At)
			t.abandoned++
			t.reason(l.Reason, 1)
			if l.Short {
				t.short++
			}
			if l.Within {
				t.abandonedWithin++
			}
		}
		if l.Outcome == day.Answered && !l.Wrapped.IsZero() {
			t := at(l.Queue, l.At)
			t.handled++
			t.handleSum += l.Wrapped.Sub(l.At).Seconds()
		}
	}
	modes := map[string]string{}
	for _, c := range d.Queues {
		modes[c.Queue] = c.SLMode
	}
	for q, byStart := range iv.queues {
		for _, t := range byStart {
			t.slParts(modes[q])
		}
	}
	iv.floorTallies()
	iv.waiting(d)
	return iv
}

// waiting sets each interval's most calls waiting at once, per queue and
// for the floor: the count after each instant's changes, so a call
// answered the instant it was offered never counts as waiting.
func (iv *intervals) waiting(d *day.Day) {
	type change struct {
		at    time.Time
		queue string
		delta int
	}
	var cs []change
	for _, l := range d.Legs {
		if !l.Seen && l.Outcome == day.Answered {
			continue // answered before the feed began
		}
		cs = append(cs, change{l.Offered, l.Queue, 1})
		if l.Outcome != day.Waiting {
			cs = append(cs, change{l.At, l.Queue, -1})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].at.Before(cs[j].at) })
	level := map[string]int{}
	total := 0
	peak := func(byStart map[time.Time]*tally, s time.Time, n int) {
		if t := byStart[s]; t != nil && n > t.waitingMax {
			t.waitingMax = n
		}
	}
	// A level holds from one change until the next, before to: the
	// intervals that begin in between see it too.
	carry := func(from, to time.Time) {
		for s := slot(from).Add(IntervalLength); s.Before(to); s = s.Add(IntervalLength) {
			for q, n := range level {
				peak(iv.queues[q], s, n)
			}
			peak(iv.floor, s, total)
		}
	}
	for i := 0; i < len(cs); {
		t := cs[i].at
		if i > 0 {
			carry(cs[i-1].at, t)
		}
		touched := map[string]bool{}
		for ; i < len(cs) && cs[i].at.Equal(t); i++ {
			level[cs[i].queue] += cs[i].delta
			total += cs[i].delta
			touched[cs[i].queue] = true
		}
		for q := range touched {
			peak(iv.queues[q], slot(t), level[q])
		}
		peak(iv.floor, slot(t), total)
	}
	if n := len(cs); n > 0 {
		carry(cs[n-1].at, iv.end.Add(IntervalLength))
	}
}

// floorTallies makes a tally for every interval of every queue from the
// first to the end, and the floor's as their sum.
func (iv *intervals) floorTallies() {
	if iv.first.IsZero() {
		return
	}
	for s := iv.first; !s.After(iv.end); s = s.Add(IntervalLength) {
		f := &tally{}
		for _, byStart := range iv.queues {
			t := byStart[s]
			if t == nil {
				t = &tally{}
				byStart[s] = t
			}
			f.add(t)
		}
		iv.floor[s] = f
	}
}

// rows are the tallies of one queue ("" for the floor) as rows, one per
// interval from first to last.
func (iv *intervals) rows(queue string, first, last time.Time) []Row {
	byStart := iv.floor
	if queue != "" {
		byStart = iv.queues[queue]
	}
	var out []Row
	for s := first; !s.After(last); s = s.Add(IntervalLength) {
		t := byStart[s]
		if t == nil {
			t = &tally{}
		}
		out = append(out, t.row(s))
	}
	return out
}

// pairRows sets the two days' rows of one queue ("" for the floor) side
// by side over the span both cover.
func pairRows(with, without *intervals, queue string) []RowPair {
	first, last := span(with, without)
	if first.IsZero() {
		return []RowPair{}
	}
	w, wo := with.rows(queue, first, last), without.rows(queue, first, last)
	out := make([]RowPair, len(w))
	for i := range w {
		out[i] = RowPair{Start: w[i].Start, With: w[i], Without: wo[i]}
	}
	return out
}

// span is from the first interval with a call on either side to the last
// interval of either.
func span(a, b *intervals) (first, last time.Time) {
	for _, iv := range []*intervals{a, b} {
		if iv.first.IsZero() {
			continue
		}
		if first.IsZero() || iv.first.Before(first) {
			first = iv.first
		}
		if iv.end.After(last) {
			last = iv.end
		}
	}
	return first, last
}
