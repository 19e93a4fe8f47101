// Package floor folds a feed's events into the state of the floor and
// computes the contract's metrics from it. It is plain Go with no UI: the
// dashboard, `status` and the SSH server are three views of the same fold.
package floor

import (
	"fmt"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// Mode says where lines come from, which decides what a seq jump does.
type Mode int

const (
	// Recording: a file; there is nothing to resume from, so the line after
	// a jump is applied.
	Recording Mode = iota
	// Live: a connection; the line that jumps the seq is not applied and the
	// client resumes from the last applied seq.
	Live
)

// Outcome is what became of one line.
type Outcome int

const (
	Applied   Outcome = iota // changed the floor (counted in events)
	Duplicate                // seq at or below the last: dropped
	Unknown                  // a type this version does not know
	Bad                      // malformed, missing a field, out of range, or contradicting the state
	Control                  // hello or heartbeat: moved the clock only
	Gap                      // live only: jumped the seq; not applied, resume now
)

func (o Outcome) String() string {
	return [...]string{"applied", "duplicate", "unknown", "bad", "control", "gap"}[o]
}

// DefaultHorizon is how far back rolling windows can reach unless Options
// asks for more: enough for the dashboard's 15/30/60-minute windows and its
// hour of sparklines. It is also the least a Floor keeps.
const DefaultHorizon = time.Hour

// Options configure a Floor. The zero value is ready to use.
type Options struct {
	// Goals override the feed's queue goals and set team and agent targets.
	Goals *Goals
	// Horizon is the longest rolling window the Floor can report; memory for
	// windows is bounded by the events in it, not by the length of a shift.
	Horizon time.Duration
	// DayStartHour and Location define "today": it starts at that hour in
	// that time zone (default midnight UTC). Intervals are aligned to
	// Location's clock. A goals file's day overrides both.
	DayStartHour int
	Location     *time.Location

	// Bounds (guard.go), each with its Default when zero. A line past one is
	// bad, with the reason, and changes nothing: hostile or broken data can
	// neither steal the clock nor grow the fold without end.
	//
	// MaxClockJump is how far ahead of the floor clock a ts may be; on a
	// live feed, also how far ahead of WallClock (default time.Now).
	MaxClockJump time.Duration
	WallClock    func() time.Time
	// MaxQueues, MaxAgents and MaxCalls bound the queues and agents the
	// floor holds and its live calls (waiting, talking, in wrap-up).
	MaxQueues, MaxAgents, MaxCalls int
	// MaxLine is the longest line in bytes; a snapshot may be longer by a
	// fixed allowance for each item it lists.
	MaxLine int
}

// Floor is the folded state of one feed. It is not safe for concurrent use:
// live.Hub guards one for the views.
type Floor struct {
	opts  Options
	stats FeedStats

	lineNo   int64 // lines ingested, so an error can say which line it was
	haveSeq  bool
	lastSeq  int64
	helloSeq int64
	// jumpFrom/jumpTo remember the last live gap, so that a feed with a real
	// hole in its sequence is not resumed forever.
	jumpFrom, jumpTo int64
	// seqlessBad: the last line was one whose seq could not be read.
	seqlessBad bool

	now        time.Time
	first      time.Time
	todayStart time.Time
	todayEnd   time.Time

	queues   map[string]*queue
	agents   map[string]*agent
	calls    map[string]*call // waiting or in conversation
	wrapping map[string]*call // in wrap-up, until call.wrapped
	waiting  int
	kept     keptStrings // one copy of each skill and aux reason
	wall     time.Time   // this machine's clock when the guard last read it

	log      factLog
	waitHist waitHistory
	recovery recoveryDay // the day's customers to win back
	finished finishedCalls
	drill    drillLog

	// tick is the clock of the minute history and the alerts: applied
	// events and heartbeats move it, and a hello once nothing it announced
	// is still to come, so that a catch-up is judged minute by minute as
	// it happened rather than at the hello's final clock.
	tick        time.Time
	ringMinutes int // how far back, in minutes, each queue's minute counts reach
	// intervalsLost: calls older than the intervals reach were let go from
	// them (they stay in every window's figures).
	intervalsLost bool
	rules         alertRules
	alerts        alertLog
	newFloor      *NewFloor
}

// New makes an empty Floor.
func New(opts Options) *Floor {
	if opts.Horizon < DefaultHorizon {
		opts.Horizon = DefaultHorizon // the sparklines always show an hour
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	opts.setBounds()
	if opts.Goals != nil {
		if opts.Goals.Day.StartHour != nil {
			opts.DayStartHour = *opts.Goals.Day.StartHour
		}
		if opts.Goals.Day.loc != nil {
			opts.Location = opts.Goals.Day.loc
		}
	}
	return &Floor{
		opts:     opts,
		queues:   map[string]*queue{},
		agents:   map[string]*agent{},
		calls:    map[string]*call{},
		wrapping: map[string]*call{},
		kept:     newKeptStrings(opts.MaxQueues),
		// The sparklines' hour of points, each over a window as long as the
		// horizon allows, and the minute in progress.
		ringMinutes: int(opts.Horizon/time.Minute) + historyPoints + 1,
		rules:       opts.Goals.alertRules(),
	}
}

// Now is the floor clock: the newest ts among applied events, snapshots,
// hellos and heartbeats.
func (f *Floor) Now() time.Time { return f.now }

// Stats is the line accounting so far.
func (f *Floor) Stats() FeedStats { return f.stats }

// CaughtUp reports whether every event the hello announced has been seen.
func (f *Floor) CaughtUp() bool {
	if f.stats.Stream == "" {
		return false
	}
	return f.helloSeq == 0 || f.haveSeq && f.lastSeq >= f.helloSeq
}

// Resume says where a live client picks up after a reconnect: the stream
// and the last seq seen on it (0 when none yet: the whole history).
func (f *Floor) Resume() (stream string, since int64, ok bool) {
	if f.stats.Stream == "" {
		return "", 0, false
	}
	return f.stats.Stream, f.lastSeq, true
}

// Track folds a line a feed server has just published (feed.Tracker).
func (f *Floor) Track(line []byte) { f.IngestLine(line, Recording) }

// IngestLine folds one NDJSON line and counts it, as the contract's "How a
// client counts lines" says.
func (f *Floor) IngestLine(line []byte, mode Mode) Outcome {
	f.lineNo++
	d := f.decode(line)
	return f.ingest(&d, mode)
}

func (f *Floor) ingest(d *feed.Decoded, mode Mode) Outcome {
	f.guard(d, mode)
	ev := &d.Event
	if !d.HasSeq {
		f.seqlessBad = true
		return f.bad(d.Err)
	}
	if ev.IsControl() {
		if d.Err != nil {
			return f.bad(d.Err)
		}
		f.control(ev)
		return Control
	}
	if ev.Type == feed.TypeSnapshot && d.Err == nil {
		f.applySnapshot(ev)
		f.lastSeq, f.haveSeq = ev.Seq, true
		f.applied()
		return Applied
	}
	if f.haveSeq && ev.Seq <= f.lastSeq {
		f.stats.Duplicates++
		return Duplicate
	}
	seqless := f.seqlessBad
	f.seqlessBad = false
	if f.haveSeq && ev.Seq > f.lastSeq+1 {
		// The one seq missing was the unreadable line just before: a resume
		// would only bring it back, to be counted bad again. The gap is
		// counted as a recording counts it, and the line applies.
		fillsHole := seqless && ev.Seq == f.lastSeq+2
		if mode == Live && !fillsHole && (f.jumpFrom != f.lastSeq || f.jumpTo != ev.Seq) {
			f.stats.Gaps++
			f.jumpFrom, f.jumpTo = f.lastSeq, ev.Seq
			return Gap
		}
		// A recording has nothing to resume from; a live feed that jumps the
		// same way again after a resume has a real hole, counted once.
		if mode == Recording || fillsHole {
			f.stats.Gaps++
		}
	}
	f.lastSeq, f.haveSeq = ev.Seq, true
	f.stats.LastSeq = f.lastSeq
	switch {
	case d.Err != nil:
		return f.bad(d.Err)
	case d.Unknown:
		f.stats.Unknown++
		return Unknown
	}
	if err := f.apply(ev); err != nil {
		return f.bad(err)
	}
	f.applied()
	return Applied
}

func (f *Floor) applied() {
	f.stats.Events++
	f.stats.LastSeq = f.lastSeq
	if !f.behind() {
		// Caught up: the minute clock joins the floor clock.
		f.pass(f.now)
	}
	f.waitHist.record(f.tick, f.waiting)
}

// behind says whether the feed's hello announced events not yet folded.
func (f *Floor) behind() bool {
	return f.stats.Stream != "" && f.helloSeq > 0 && (!f.haveSeq || f.lastSeq < f.helloSeq)
}

func (f *Floor) bad(err error) Outcome {
	f.stats.BadLines++
	if err != nil {
		f.stats.LastError = fmt.Sprintf("line %d: %v", f.lineNo, err)
	}
	return Bad
}

func (f *Floor) control(ev *feed.Event) {
	if ev.Type == feed.TypeHello {
		if f.stats.Stream != "" && ev.Stream != f.stats.Stream {
			if ev.TS.Before(f.now) {
				// A run started again from its beginning (a rerun drill, a
				// restarted simulation): adding it to the old one would mix
				// two days.
				f.startFloor(ev)
			}
			// A new stream id: the server restarted and numbers afresh.
			f.haveSeq, f.lastSeq = false, 0
			f.jumpFrom, f.jumpTo = 0, 0
		}
		f.stats.Stream = ev.Stream
		if ev.Feed != "" {
			f.stats.Name = ev.Feed
		}
		f.helloSeq = ev.Seq
		if f.behind() {
			// The history to come is older than this hello's clock.
			f.setClock(ev.TS)
			return
		}
	}
	f.advance(ev.TS)
	f.waitHist.record(f.tick, f.waiting)
}

// startFloor forgets everything folded so far for the run a hello begins:
// figures, history and alerts start afresh, as for a client that connected
// to the new run only, and the Report says so.
func (f *Floor) startFloor(hello *feed.Event) {
	nf := NewFloor{Count: 1, Stream: hello.Stream, At: hello.TS, Previous: f.now}
	if f.newFloor != nil {
		nf.Count = f.newFloor.Count + 1
	}
	fresh := New(f.opts)
	fresh.lineNo, fresh.newFloor = f.lineNo, &nf
	fresh.stats.Name = f.stats.Name
	*f = *fresh
}

// advance moves the floor clock forward (never back), judging the alerts
// at the minute boundaries before ts, and starts a new day when it crosses
// the daily reset.
func (f *Floor) advance(ts time.Time) {
	f.pass(ts)
	f.setClock(ts)
}

func (f *Floor) setClock(ts time.Time) {
	if ts.After(f.now) {
		f.now = ts
	}
	if f.first.IsZero() || ts.Before(f.first) {
		f.first = ts
	}
	if f.todayStart.IsZero() || !f.now.Before(f.todayEnd) {
		f.startDay()
	}
}

func (f *Floor) startDay() {
	local := f.now.In(f.opts.Location)
	start := time.Date(local.Year(), local.Month(), local.Day(), f.opts.DayStartHour, 0, 0, 0, f.opts.Location)
	if start.After(local) {
		start = start.AddDate(0, 0, -1)
	}
	if !f.todayStart.IsZero() {
		for _, q := range f.queues {
			q.today = queueCounts{}
			for _, cc := range q.channels {
				cc.today = queueCounts{}
			}
		}
		for _, a := range f.agents {
			a.today = agentCounts{}
			a.todayTime = agentTime{}
			a.comments = nil
		}
	}
	f.todayStart, f.todayEnd = start.UTC(), start.AddDate(0, 0, 1).UTC()
}
