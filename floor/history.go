package floor

import "time"

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
