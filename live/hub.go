// Package live shares one fold of a feed among any number of views: the
// feed client writes into it, the dashboards and status read reports out.
package live

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// Hub guards a floor.Floor. It is a feed.Sink, and every method is safe to
// call from any goroutine.
type Hub struct {
	mu      sync.Mutex
	fl      *floor.Floor
	version uint64
	// reports caches the report of each window at the current version, so
	// that many views of the same window share one computation.
	reports map[floor.Window]cached
	subs    map[chan struct{}]struct{}
	conn    func() feed.ConnStatus
	// onLine, when set, sees every line the hub folds (a journal).
	onLine func(line []byte, o floor.Outcome)
	// done holds the recovery items supervisors have dealt with, by
	// floor.RecoveryItem.Key. It is replaced, never changed, so a view may
	// keep the map it was given.
	done map[string]Done
	// onMarks, when set, is told the supervisors' marks after each change
	// (a journal keeping them across a restart).
	onMarks func(Marks)
	// acks are the alerts supervisors have acknowledged, by alert key
	// (alerts.Acks): replaced, never changed, as done is.
	acks map[string]alerts.Ack
	// target is the seq the latest hello announced: catching up until the
	// fold has it.
	target int64
}

// Progress is how far the fold is through the history a feed announced.
type Progress struct {
	Applied  int64 // the last seq folded
	Target   int64 // the seq the feed's hello announced
	CaughtUp bool  // every announced event is folded (a recording always is)
}

// Done is a supervisor's mark on a recovery item: the caller was called
// back (or the comment answered). Every view of the hub sees it.
type Done struct {
	By string    // who marked it; "" when the view does not know
	At time.Time // on the floor clock, like every time the views show
}

type cached struct {
	version uint64
	report  *floor.Report
}

// NewHub shares f. The hub owns it from now on.
func NewHub(f *floor.Floor) *Hub {
	return &Hub{fl: f, reports: map[floor.Window]cached{}, subs: map[chan struct{}]struct{}{}}
}

// Frame folds one frame of a live feed (feed.Sink). A frame of history is
// a batch of up to a few thousand lines: folded under one lock, it is one
// change for the views.
func (h *Hub) Frame(data []byte) (resync bool) {
	h.mu.Lock()
	feed.EachLine(data, func(line []byte) bool {
		hello := h.hello(line)
		var stream string
		var clock time.Time
		if hello != nil {
			stream, clock = h.fl.Stats().Stream, h.fl.Now()
		}
		o := h.fl.IngestLine(line, floor.Live)
		if h.onLine != nil {
			h.onLine(line, o)
		}
		if hello != nil && o == floor.Control {
			h.target = hello.Seq
			// A rerun: a new stream whose clock went back started a new
			// floor. Asked to resume the old stream, the server sends a
			// snapshot of now, and the new floor's counts would start
			// there; asked again, from the new stream's start, it sends
			// the whole run.
			if stream != "" && hello.Stream != stream && h.fl.Now().Before(clock) && hello.Seq > 0 {
				resync = true
			}
		}
		resync = resync || o == floor.Gap
		return !resync
	})
	h.changed()
	h.mu.Unlock()
	return resync
}

// hello is line's hello event, nil when it is another line. Heartbeats are
// control lines too, a second apart: only a line that names a hello is
// decoded.
func (h *Hub) hello(line []byte) *feed.Event {
	if !bytes.Contains(line, []byte(`"hello"`)) {
		return nil
	}
	if d := feed.Decode(line); d.Err == nil && d.Event.Type == feed.TypeHello {
		return &d.Event
	}
	return nil
}

// Progress says whether the fold has caught up with the feed's history;
// cheap enough to ask every frame, unlike a Report.
func (h *Hub) Progress() Progress {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.fl.Stats()
	return Progress{Applied: st.LastSeq, Target: max(h.target, st.LastSeq), CaughtUp: h.fl.CaughtUp()}
}

// Ingest folds lines of a recording as one change (the replay player's
// batches).
func (h *Hub) Ingest(lines [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range lines {
		h.fl.IngestLine(l, floor.Recording)
	}
	h.changed()
}

// Snapshot is the floor's live state now (feed.Tracker's).
func (h *Hub) Snapshot() feed.Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fl.Snapshot()
}

// Reset starts the hub afresh on f (a replay seeking back): every view
// sees the new floor at its next look.
func (h *Hub) Reset(f *floor.Floor) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fl, h.target, h.done, h.acks = f, 0, nil, nil
	clear(h.reports)
	h.changed()
}

// Resume says where a reconnecting client picks up (feed.Sink).
func (h *Hub) Resume() (string, int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fl.Resume()
}

// LastBadLine is why the last bad line was bad, with its line number
// (feed.BadLineReporter).
func (h *Hub) LastBadLine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fl.Stats().LastError
}

// Replay folds a recording.
func (h *Hub) Replay(r io.Reader) error {
	h.mu.Lock()
	defer func() {
		h.changed()
		h.mu.Unlock()
	}()
	return ReadLines(r, func(line []byte) { h.fl.IngestLine(line, floor.Recording) })
}

// ReadLines calls fn with each non-blank line of r, however long.
func ReadLines(r io.Reader, fn func(line []byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(bytes.TrimSpace(line)) > 0 {
			fn(bytes.TrimRight(line, "\r\n"))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading line %d: %w", n, err)
		}
	}
}

// SetLineHook makes fn see every line Frame folds, with its outcome, while
// the hub is held (the SSH server's journal).
func (h *Hub) SetLineHook(fn func(line []byte, o floor.Outcome)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.onLine = fn
}

// Report is the floor's report for w. Reports are immutable and cached
// until the next change.
func (h *Hub) Report(w floor.Window) *floor.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reportLocked(w)
}

func (h *Hub) reportLocked(w floor.Window) *floor.Report {
	if c, ok := h.reports[w]; ok && c.version == h.version {
		return c.report
	}
	r := h.fl.Report(w)
	h.reports[w] = cached{version: h.version, report: r}
	return r
}

// Version counts changes; a view redraws when it moves.
func (h *Hub) Version() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version
}

// Subscribe returns a channel that is signalled after changes. It holds at
// most one signal, so a slow view sees one wake-up for many changes and
// never holds up the fold. cancel releases it.
func (h *Hub) Subscribe() (ch <-chan struct{}, cancel func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

// SetConn tells the hub where to read the connection state from.
func (h *Hub) SetConn(fn func() feed.ConnStatus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conn = fn
}

// ConnChanged wakes the views to look at the connection again (the
// client's OnStatus): a reconnect is shown when it happens, not at the next
// clock tick. The floor has not changed, so neither has the version.
func (h *Hub) ConnChanged() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.signal()
}

// Conn is the feed connection's state, for the views.
func (h *Hub) Conn() feed.ConnStatus {
	h.mu.Lock()
	fn := h.conn
	h.mu.Unlock()
	if fn == nil {
		return feed.ConnStatus{}
	}
	return fn()
}

// MarkDone marks the recovery item key done, by by, at at. Marks of items
// no longer on the day's list (a new day, a new floor) are let go, so the
// marks stay as bounded as the list.
func (h *Hub) MarkDone(key, by string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	listed := make(map[string]bool, len(h.done))
	if len(h.done) > 0 {
		// Any window's report holds the day's whole list.
		for _, it := range h.reportLocked(floor.All).Recovery {
			listed[it.Key()] = true
		}
	}
	next := make(map[string]Done, len(h.done)+1)
	for k, d := range h.done {
		if listed[k] {
			next[k] = d
		}
	}
	next[key] = Done{By: by, At: at}
	h.setMarks(next, h.acks)
}

// Marks are what the supervisors have put on the floor: done marks on the
// day's recovery items and acknowledgements of the day's alerts, by key.
// Neither map is changed once handed out.
type Marks struct {
	Done map[string]Done       `json:"done"`
	Acks map[string]alerts.Ack `json:"acks"`
}

// setMarks replaces the marks, with h.mu held.
func (h *Hub) setMarks(done map[string]Done, acks map[string]alerts.Ack) {
	h.done, h.acks = done, acks
	if h.onMarks != nil {
		h.onMarks(Marks{Done: done, Acks: acks})
	}
	h.changed()
}

// AlertAcks is every acknowledged alert, by key (alerts.Acks). The map is
// never changed afterwards.
func (h *Hub) AlertAcks() map[string]alerts.Ack {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.acks
}

// AckAlert acknowledges the alert key for every view of the hub
// (alerts.Acks). Acknowledgements of alerts gone from the day's log (a new
// day, a new floor) are let go, so they stay as bounded as the log.
func (h *Hub) AckAlert(key, by string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	next := map[string]alerts.Ack{key: {At: at, By: by}}
	if len(h.acks) > 0 {
		for _, a := range h.reportLocked(floor.All).Alerts {
			if k, ok := h.acks[a.Key]; ok && a.Key != key {
				next[a.Key] = k
			}
		}
	}
	h.setMarks(h.done, next)
}

// SetMarksHook has fn told the marks after each change, from the
// goroutine that changed them with the hub locked: it must not block or
// call the hub.
func (h *Hub) SetMarksHook(fn func(Marks)) {
	h.mu.Lock()
	h.onMarks = fn
	h.mu.Unlock()
}

// RestoreMarks puts back the marks kept across a restart: those of items
// still on the day's recovery list and of alerts still in its log.
func (h *Hub) RestoreMarks(m Marks) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.reportLocked(floor.All)
	done := map[string]Done{}
	for _, it := range r.Recovery {
		if d, ok := m.Done[it.Key()]; ok {
			done[it.Key()] = d
		}
	}
	acks := map[string]alerts.Ack{}
	for _, a := range r.Alerts {
		if k, ok := m.Acks[a.Key]; ok {
			acks[a.Key] = k
		}
	}
	h.setMarks(done, acks)
}

// Undo takes the done mark off key.
func (h *Hub) Undo(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.done[key]; !ok {
		return
	}
	next := maps.Clone(h.done)
	delete(next, key)
	h.setMarks(next, h.acks)
}

// DoneMarks is every done mark, by item key. The map is never changed
// afterwards: read it, do not write it.
func (h *Hub) DoneMarks() map[string]Done {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done
}

func (h *Hub) changed() {
	h.version++
	h.signal()
}

func (h *Hub) signal() {
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}
