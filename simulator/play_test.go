package simulator

import (
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// timed is a command given when the drill's clock reaches at (after its
// start), between two instants.
type timed struct {
	at time.Duration
	c  Command
}

// play runs sc to its end as a drill (with opt.Drill) or a plain run,
// giving each command at its time, and returns every event as its line
// (seq 0, so that two runs compare line for line) and the Sim.
func play(t testing.TB, sc *Scenario, opt Options, cmds ...timed) ([]string, *Sim) {
	t.Helper()
	s := New(sc, opt)
	var lines []string
	take := func() {
		for _, ev := range s.Events() {
			ev.Seq = 0
			lines = append(lines, string(feed.Encode(ev)))
		}
		s.Recycle()
	}
	s.Step()
	take()
	for {
		next, ok := s.nextInstant()
		if len(cmds) > 0 && (!ok || next > s.start+cmds[0].at.Milliseconds()) {
			at := max(s.now, s.start+cmds[0].at.Milliseconds())
			s.now = at
			c := cmds[0].c
			if c.By == "" {
				c.By = "test"
			}
			s.Command(c)
			cmds = cmds[1:]
			take()
			continue
		}
		if !s.Step() {
			break
		}
		take()
	}
	return lines, s
}

// decode reads lines back as events.
func decode(t testing.TB, lines []string) []feed.Event {
	t.Helper()
	out := make([]feed.Event, len(lines))
	for i, l := range lines {
		d := feed.Decode([]byte(l))
		if d.Err != nil {
			t.Fatalf("line %s: %v", l, d.Err)
		}
		out[i] = d.Event
	}
	return out
}
