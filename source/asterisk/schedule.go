package asterisk

import (
	"container/heap"
	"time"
)

// Item is something due at a time: an event waiting to be emitted, or a
// derived change (a wrap-up end, a transfer's deadline) waiting for the
// clock. seq keeps items of the same time in the order they were made.
type Item[T any] struct {
	At  time.Time
	V   T
	seq uint64
}

// Schedule is a min-heap of items by time, then by the order they were
// added.
type Schedule[T any] struct {
	items []Item[T]
	seq   uint64
}

func (s *Schedule[T]) Len() int { return len(s.items) }
func (s *Schedule[T]) Less(i, j int) bool {
	a, b := s.items[i], s.items[j]
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	return a.seq < b.seq
}
func (s *Schedule[T]) Swap(i, j int) { s.items[i], s.items[j] = s.items[j], s.items[i] }

// Push and Pop are heap.Interface's; use Add, Due and Next.
func (s *Schedule[T]) Push(x any) { s.items = append(s.items, x.(Item[T])) }
func (s *Schedule[T]) Pop() any {
	last := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return last
}

// Add schedules v at at.
func (s *Schedule[T]) Add(at time.Time, v T) {
	s.seq++
	heap.Push(s, Item[T]{At: at, seq: s.seq, V: v})
}

// Due pops the earliest item if it is due at or before t.
func (s *Schedule[T]) Due(t time.Time) (Item[T], bool) {
	if len(s.items) == 0 || s.items[0].At.After(t) {
		return Item[T]{}, false
	}
	return heap.Pop(s).(Item[T]), true
}

// Next pops the earliest item whatever its time.
func (s *Schedule[T]) Next() (Item[T], bool) {
	if len(s.items) == 0 {
		return Item[T]{}, false
	}
	return heap.Pop(s).(Item[T]), true
}
