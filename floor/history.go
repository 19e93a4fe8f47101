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

// countRing keeps a queue's counts a step at a time on the floor clock: a
// minute, so that a span ending at any minute boundary of the last hours
// (the sparklines' points, the alerts' windows) is a sum of a few minutes
// rather than a pass over the fact log; a quarter-hour, for intervals
// (intervals.go). It holds only steps that counted something, within size
// steps of the newest: a queue with one call holds one.
type countRing struct {
	slots []countSlot // oldest first
}

type countSlot struct {
	key int64 // steps since the epoch
	c   queueCounts
}

// add counts fc in step key; a fact older than the ring reaches is in the
// day's counters only. It reports whether counts were let go: a step that
// fell out of reach, or fc itself.
func (r *countRing) add(key int64, fc *fact, size int) (lost bool) {
	n := len(r.slots)
	if n > 0 && key > r.slots[n-1].key {
		// A new step: let go of those it takes out of reach.
		drop := 0
		for drop < n && r.slots[drop].key <= key-int64(size) {
			drop++
		}
		// Resliced, not copied: append moves the live steps when it next
		// grows the array, so the ring stays within twice its size.
		clear(r.slots[:drop])
		r.slots = r.slots[drop:]
		n -= drop
		lost = drop > 0
	}
	i := n - 1 // facts come in time order: the newest step first
	if i < 0 || r.slots[i].key != key {
		i = r.find(key)
		switch {
		case n > 0 && key <= r.slots[n-1].key-int64(size):
			return true
		case i == n || r.slots[i].key != key:
			r.slots = slices.Insert(r.slots, i, countSlot{key: key})
		}
	}
	var spare agentCounts
	fc.addTo(&r.slots[i].c, &spare)
	return lost
}

// find is the index of the first step at or after key.
func (r *countRing) find(key int64) int {
	i, _ := slices.BinarySearchFunc(r.slots, key, func(s countSlot, k int64) int { return cmp.Compare(s.key, k) })
	return i
}

// each calls fn with every counted step in [from, to), oldest first.
func (r *countRing) each(from, to int64, fn func(key int64, c *queueCounts)) {
	for i := r.find(from); i < len(r.slots) && r.slots[i].key < to; i++ {
		fn(r.slots[i].key, &r.slots[i].c)
	}
}
