package floor

import (
	"cmp"
	"slices"
	"time"
)

// waitHistory keeps, for each of the last minutes, the most calls waiting
// at once, in a fixed ring: its size never grows.
type waitHistory struct {
	slots [61]waitSlot
	last  int // calls waiting after the newest record, carried into quiet minutes
}

type waitSlot struct {
	minute int64 // minutes since the epoch, 0 when unused
	max    int
}

func (h *waitHistory) record(now time.Time, waiting int) {
	if now.IsZero() {
		return
	}
	m := now.Unix() / 60
	s := h.slot(m)
	if s.minute != m {
		*s = waitSlot{minute: m, max: h.last}
	}
	s.max = max(s.max, waiting)
	h.last = waiting
}

// fill writes the last len(out) minutes ending at end (oldest first). A
// minute with no record repeats the count of the minute before it.
func (h *waitHistory) fill(out []float64, end time.Time) {
	endMin := end.Unix() / 60
	carry := -1
	for i := range out {
		m := endMin - int64(len(out)-1-i)
		s := h.slot(m)
		switch {
		case s.minute == m:
			carry = s.max
			out[i] = float64(s.max)
		case carry >= 0:
			out[i] = float64(carry)
		}
	}
	// Trailing minutes with no record yet hold what is waiting now.
	for i := len(out) - 1; i >= 0; i-- {
		m := endMin - int64(len(out)-1-i)
		if h.slot(m).minute == m {
			break
		}
		out[i] = float64(h.last)
	}
}

// slot is minute m's place in the ring (minutes before 1970 are negative).
func (h *waitHistory) slot(m int64) *waitSlot {
	n := int64(len(h.slots))
	return &h.slots[(m%n+n)%n]
}

// minuteRing keeps a queue's counts a minute at a time on the floor clock,
// so that a span ending at any minute boundary of the last hours (the
// sparklines' points, the alerts' windows) is a sum of a few minutes rather
// than a pass over the fact log. It holds only minutes that counted
// something, within size minutes of the newest: a queue with one call
// holds one.
type minuteRing struct {
	slots []minuteSlot // oldest first
}

type minuteSlot struct {
	minute int64 // minutes since the epoch
	c      queueCounts
}

// add counts fc in its minute; a fact older than the ring reaches is in
// the day's counters only.
func (r *minuteRing) add(fc *fact, size int) {
	m := fc.at.Unix() / 60
	n := len(r.slots)
	if n > 0 && m > r.slots[n-1].minute {
		// A new minute: let go of those it takes out of reach.
		drop := 0
		for drop < n && r.slots[drop].minute <= m-int64(size) {
			drop++
		}
		// Resliced, not copied: append moves the live minutes when it
		// next grows the array, so the ring stays within twice its size.
		clear(r.slots[:drop])
		r.slots = r.slots[drop:]
		n -= drop
	}
	i := n - 1 // facts come in time order: the newest minute first
	if i < 0 || r.slots[i].minute != m {
		i = r.find(m)
		switch {
		case n > 0 && m <= r.slots[n-1].minute-int64(size):
			return
		case i == n || r.slots[i].minute != m:
			r.slots = slices.Insert(r.slots, i, minuteSlot{minute: m})
		}
	}
	var spare agentCounts
	fc.addTo(&r.slots[i].c, &spare)
}

// find is the index of the first minute at or after m.
func (r *minuteRing) find(m int64) int {
	i, _ := slices.BinarySearchFunc(r.slots, m, func(s minuteSlot, m int64) int { return cmp.Compare(s.minute, m) })
	return i
}

// each calls fn with every counted minute in [from, to), oldest first.
func (r *minuteRing) each(from, to int64, fn func(m int64, c *queueCounts)) {
	for i := r.find(from); i < len(r.slots) && r.slots[i].minute < to; i++ {
		fn(r.slots[i].minute, &r.slots[i].c)
	}
}
