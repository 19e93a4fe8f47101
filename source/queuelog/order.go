package queuelog

import (
	"container/heap"
	"time"
)

// item is something due at a time: an event waiting to be emitted, or a
// derived change (a wrap-up end, a transfer's deadline) waiting for the
// clock. seq keeps items of the same time in the order they were made.
type item[T any] struct {
	at  time.Time
	seq uint64
	v   T
}

// schedule is a min-heap of items by time, then by seq.
type schedule[T any] struct {
	items []item[T]
	seq   uint64
}

func (s *schedule[T]) Len() int { return len(s.items) }
func (s *schedule[T]) Less(i, j int) bool {
	a, b := s.items[i], s.items[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}
func (s *schedule[T]) Swap(i, j int) { s.items[i], s.items[j] = s.items[j], s.items[i] }
func (s *schedule[T]) Push(x any)    { s.items = append(s.items, x.(item[T])) }
func (s *schedule[T]) Pop() any {
	last := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return last
}

func (s *schedule[T]) add(at time.Time, v T) {
	s.seq++
	heap.Push(s, item[T]{at: at, seq: s.seq, v: v})
}

// due pops the earliest item if it is due at or before t.
func (s *schedule[T]) due(t time.Time) (item[T], bool) {
	if len(s.items) == 0 || s.items[0].at.After(t) {
		return item[T]{}, false
	}
	return heap.Pop(s).(item[T]), true
}

// next pops the earliest item whatever its time.
func (s *schedule[T]) next() (item[T], bool) {
	if len(s.items) == 0 {
		return item[T]{}, false
	}
	return heap.Pop(s).(item[T]), true
}
