package main

import (
	"flag"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

// limitFlags are the fold's bounds (floor.Options), on every command that
// folds a feed. The defaults are well above a real floor's; a line past one
// is counted bad with the reason, which names the flag to raise.
type limitFlags struct {
	clockJump                    spanFlag
	queues, agents, calls, lines int
}

func (l *limitFlags) register(fs *flag.FlagSet) {
	l.clockJump = spanFlag(floor.DefaultMaxClockJump)
	fs.Var(&l.clockJump, "max-clock-jump", "refuse a line whose ts is more than `SPAN` (92d, 36h) ahead of the floor clock and, on a live feed, of this machine's clock")
	fs.IntVar(&l.queues, "max-queues", floor.DefaultMaxQueues, "refuse a line that would make more than `N` queues")
	fs.IntVar(&l.agents, "max-agents", floor.DefaultMaxAgents, "refuse a line that would make more than `N` agents")
	fs.IntVar(&l.calls, "max-calls", floor.DefaultMaxCalls, "refuse a line that would make more than `N` live calls (waiting, talking or in wrap-up)")
	fs.IntVar(&l.lines, "max-line", floor.DefaultMaxLine, "refuse a line longer than `BYTES` (a snapshot may add 2 KiB for each item it lists)")
}

// options sets the bounds of o.
func (l *limitFlags) options(o *floor.Options) error {
	for _, c := range []struct {
		name string
		v    int
	}{{"max-queues", l.queues}, {"max-agents", l.agents}, {"max-calls", l.calls}, {"max-line", l.lines}} {
		if c.v <= 0 {
			return usageError("--%s %d: want a positive number", c.name, c.v)
		}
	}
	o.MaxClockJump = time.Duration(l.clockJump)
	o.MaxQueues, o.MaxAgents, o.MaxCalls, o.MaxLine = l.queues, l.agents, l.calls, l.lines
	return nil
}

// spanFlag is a duration flag that also takes whole days (92d).
type spanFlag time.Duration

func (s *spanFlag) String() string { return floor.FormatSpan(time.Duration(*s)) }

func (s *spanFlag) Set(v string) error {
	d, err := floor.ParseSpan(v)
	if err != nil {
		return err
	}
	*s = spanFlag(d)
	return nil
}
