package debrief

import (
	"bytes"
	"context"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

// Baseline is the shadow floor: a drill's scenario and seed run with no
// command. Common random numbers make its callers the drill's callers, so
// the difference between the drill and its baseline is the supervisor's
// doing. It holds the run as `sim --record` writes it (a day is a few MB
// and a fraction of a second to make) and folds it on demand. A Baseline
// is not safe for concurrent use.
type Baseline struct {
	sc    *simulator.Scenario
	lines [][]byte
	ts    []time.Time
	opts  floor.Options

	// The fold behind ReportAt, and how many lines it has taken.
	f    *floor.Floor
	next int
}

// Shadow runs sc with seed and no command to its end, as `sim --seed
// SEED --record` would, and keeps the run; opts are those of the drill's
// own fold (its goals, day start), so that both are judged alike.
func Shadow(sc *simulator.Scenario, seed int64, opts floor.Options) (*Baseline, error) {
	sim := simulator.New(sc, simulator.Options{Seed: &seed})
	b := &Baseline{sc: sc, opts: opts}
	// Numbered from 1 as a recording without a feed server numbers them.
	err := simulator.Run(context.Background(), sim, 0, func(batch []*feed.Event) {
		for _, ev := range batch {
			ev.Seq = int64(len(b.lines) + 1)
			b.lines = append(b.lines, feed.Encode(ev))
			b.ts = append(b.ts, ev.TS)
		}
	})
	return b, err
}

// End is the instant of the run's last event.
func (b *Baseline) End() time.Time {
	if len(b.ts) == 0 {
		return time.Time{}
	}
	return b.ts[len(b.ts)-1]
}

// Recording is the run as `sim --record` writes it: one event a line.
func (b *Baseline) Recording() []byte {
	return append(bytes.Join(b.lines, []byte("\n")), '\n')
}

// ReportAt is the shadow floor's Report for window w as it stood at floor
// time t: every event up to t folded, and the clock at t (a heartbeat, as
// a live feed moves it), so that its live figures (waiting, longest wait)
// are those of that instant. Asking for times in increasing order, as a
// dashboard does, folds each line once.
func (b *Baseline) ReportAt(t time.Time, w floor.Window) *floor.Report {
	if b.f == nil || t.Before(b.f.Now()) {
		b.f, b.next = floor.New(b.opts), 0
	}
	for ; b.next < len(b.lines) && !b.ts[b.next].After(t); b.next++ {
		b.f.IngestLine(b.lines[b.next], floor.Recording)
	}
	clockTo(b.f, t)
	return b.f.Report(w)
}

// CompareAt sets with, the drill's report for window w, beside the shadow
// over the same span, as a dashboard does at each frame: the shadow as it
// stood at the drill's floor time, or all of it once the drill has run to
// its end, as Build compares them. actions are the drill's, for the
// overtime they called in. Reports asked for in floor-time order fold each
// line of the shadow once.
func (b *Baseline) CompareAt(with *floor.Report, w floor.Window, actions []*feed.Drill) *Comparison {
	t := with.Now.Time
	if ranToEnd(b.sc, with) && b.End().After(t) {
		t = b.End()
	}
	return Compare(with, b.ReportAt(t, w), actions, b.sc.Goal)
}

// ranToEnd reports whether the drill r is a report of has run to its end:
// its clock past the scenario's end and nothing left on its floor.
func ranToEnd(sc *simulator.Scenario, r *floor.Report) bool {
	end := sc.Start.Add(time.Duration(sc.Duration))
	return !r.Now.Before(end) && r.Floor.Waiting+r.Floor.OnCall+r.Floor.WrapUp == 0
}

// clockTo moves a fold's clock to t, as a feed's heartbeat does.
func clockTo(f *floor.Floor, t time.Time) {
	f.IngestLine(feed.Encode(&feed.Event{Type: feed.TypeHeartbeat, Seq: f.Stats().LastSeq, TS: t}), floor.Recording)
}

// replay folds the run into a new fold, whole when until is zero, else up
// to until with the clock brought there, and returns the day it tells.
func (b *Baseline) replay(until time.Time) (*day.Day, *floor.Floor, error) {
	f := floor.New(b.opts)
	var buf bytes.Buffer
	for i := range b.lines {
		if !until.IsZero() && b.ts[i].After(until) {
			break
		}
		buf.Write(b.lines[i])
		buf.WriteByte('\n')
	}
	d, err := day.Read(&buf, f)
	if err == nil && !until.IsZero() {
		clockTo(f, until)
	}
	return d, f, err
}
