package simulator

// What a scheduled happening is.
const (
	evArrival    uint8 = iota // a: queue
	evAbandon                 // c, tok: the call whose patience ran out
	evTalkEnd                 // a: agent, c: call
	evWrapEnd                 // a: agent, c: call
	evRingEnd                 // a: agent, c, tok: the call that rang
	evAuxEnd                  // a: agent, tok: the agent's aux serial
	evShiftStart              // a: agent
	evShiftEnd                // a: agent
	evBreak                   // a: agent, c: break index in its group
	evDrillStart              // a: drill index
	evDrillEnd                // a: drill index
	evRedial                  // c: the caller, in Sim.redials
	evOverflow                // c, tok: the waiting call; a: the rule's gen
	evCallback                // c, tok: the waiting call; a: the rule's gen
)

// item is one scheduled happening on the simulated clock. Cancelled
// happenings are not removed; they carry the serial of what they refer to
// and are skipped when it no longer matches, which keeps the heap a plain
// array with no back-pointers.
type item struct {
	at   int64  // simulated ms since the Unix epoch
	seq  uint64 // scheduling order: ties at one ms run first-scheduled first
	kind uint8
	a    int32
	c    int32
	tok  uint32
}

func (x *item) before(y *item) bool {
	if x.at != y.at {
		return x.at < y.at
	}
	return x.seq < y.seq
}

// eventHeap is a binary min-heap of items by (at, seq). It is written out
// rather than using container/heap so that nothing is boxed in an interface
// on the hot path.
type eventHeap struct {
	items []item
	seq   uint64
}

func (h *eventHeap) push(it item) {
	h.seq++
	it.seq = h.seq
	h.items = append(h.items, it)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.items[i].before(&h.items[p]) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *eventHeap) pop() item {
	top := h.items[0]
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items = h.items[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.items[r].before(&h.items[l]) {
			m = r
		}
		if !h.items[m].before(&h.items[i]) {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
	return top
}

func (h *eventHeap) peek() (int64, bool) {
	if len(h.items) == 0 {
		return 0, false
	}
	return h.items[0].at, true
}

// ref is a call or agent reference with the serial that makes it current.
type ref struct {
	idx int32
	tok uint32
}

// deque is a ring buffer of refs: a queue's waiting calls (a missed call
// goes back to the front) or a queue's idle agents.
type deque struct {
	buf        []ref
	head, size int
}

func (d *deque) grow() {
	n := len(d.buf) * 2
	if n == 0 {
		n = 16
	}
	nb := make([]ref, n)
	for i := 0; i < d.size; i++ {
		nb[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = nb, 0
}

func (d *deque) pushBack(r ref) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.size)%len(d.buf)] = r
	d.size++
}

func (d *deque) pushFront(r ref) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.head = (d.head - 1 + len(d.buf)) % len(d.buf)
	d.buf[d.head] = r
	d.size++
}

func (d *deque) front() ref { return d.buf[d.head] }

func (d *deque) popFront() ref {
	r := d.buf[d.head]
	d.head = (d.head + 1) % len(d.buf)
	d.size--
	return r
}

// each calls f with every ref, front to back.
func (d *deque) each(f func(ref)) {
	for i := 0; i < d.size; i++ {
		f(d.buf[(d.head+i)%len(d.buf)])
	}
}

// filter keeps the refs for which keep is true, in order.
func (d *deque) filter(keep func(ref) bool) {
	n := 0
	for i := 0; i < d.size; i++ {
		r := d.buf[(d.head+i)%len(d.buf)]
		if keep(r) {
			d.buf[(d.head+n)%len(d.buf)] = r
			n++
		}
	}
	d.size = n
}
