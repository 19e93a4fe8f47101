package taskrouter

import (
	"container/heap"
	"time"
)

// reorder holds callbacks for a short while and lets them out in the
// order of their events' times: TaskRouter posts each event on its own,
// so one may overtake another by a few hundred milliseconds (a
// reservation accepted before the task is seen entering its queue).
// maxHeld bounds the callbacks held at once.
const maxHeld = 100_000

type reorder struct {
	items []held
	seq   uint64
}

// held is a callback, when it arrived, and its place in arrival order,
// which orders events of the same time.
type held struct {
	cb      *callback
	arrived time.Time
	seq     uint64
}

func (r *reorder) Len() int { return len(r.items) }
func (r *reorder) Less(i, j int) bool {
	a, b := r.items[i], r.items[j]
	if !a.cb.at.Equal(b.cb.at) {
		return a.cb.at.Before(b.cb.at)
	}
	return a.seq < b.seq
}
func (r *reorder) Swap(i, j int) { r.items[i], r.items[j] = r.items[j], r.items[i] }
func (r *reorder) Push(x any)    { r.items = append(r.items, x.(held)) }
func (r *reorder) Pop() any {
	last := r.items[len(r.items)-1]
	r.items = r.items[:len(r.items)-1]
	return last
}

func (r *reorder) push(cb *callback, arrived time.Time) {
	r.seq++
	heap.Push(r, held{cb: cb, arrived: arrived, seq: r.seq})
}

// next lets out the earliest event once it has been held for hold: by
// then whatever happened before it has arrived too, unless it was later
// than that. The earliest waits for its own time even when a later event
// has waited longer, so nothing comes out ahead of an earlier event.
// Past maxHeld a flood is let out early rather than held without bound.
func (r *reorder) next(now time.Time, hold time.Duration) (*callback, bool) {
	if len(r.items) == 0 || now.Sub(r.items[0].arrived) < hold && len(r.items) <= maxHeld {
		return nil, false
	}
	return heap.Pop(r).(held).cb, true
}

// keySet is a set of strings that remembers the last limit added,
// forgetting the oldest first: bounded memory for what was seen.
type keySet struct {
	limit int
	keys  map[string]struct{}
	ring  []string
	next  int // the oldest, once the ring is full
}

func newKeySet(limit int) *keySet { return &keySet{limit: limit, keys: map[string]struct{}{}} }

func (s *keySet) has(k string) bool {
	_, ok := s.keys[k]
	return ok
}

func (s *keySet) add(k string) {
	if s.has(k) {
		return
	}
	if len(s.ring) < s.limit {
		s.ring = append(s.ring, k)
	} else {
		delete(s.keys, s.ring[s.next])
		s.ring[s.next] = k
		s.next = (s.next + 1) % s.limit
	}
	s.keys[k] = struct{}{}
}
