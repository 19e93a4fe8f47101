package simulator

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// MaxBatch bounds how many events one publish carries, so that a feed
// frame stays small and a client sees a max-speed run arrive steadily.
const MaxBatch = 1024

// pacing is what Clock needs to tell the simulated time between two
// instants of a paced run.
type pacing struct {
	last  int64 // the instant of the last Step
	paced bool
	wall  time.Time // wall time at which sim0 was due
	sim0  int64
	speed float64
	next  int64 // the next instant, not yet run: Clock never passes it
}

// Clock is the simulated time now: during a paced Run it advances with the
// wall clock at the run's speed, never past the next instant not yet
// published, so a feed's heartbeats carry the floor clock. Safe to call
// from any goroutine.
func (s *Sim) Clock() time.Time { return time.UnixMilli(s.clockMs()).UTC() }

func (s *Sim) clockMs() int64 {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	t := s.clock.last
	if s.clock.paced {
		est := s.clock.sim0 + int64(float64(time.Since(s.clock.wall).Milliseconds())*s.clock.speed)
		t = max(t, min(est, s.clock.next))
	}
	return t
}

// Progress is how far through its duration the run is, 0 to 1 (1 while
// the last calls are played out).
func (s *Sim) Progress() float64 {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	if s.end <= s.start {
		return 1
	}
	return math.Min(1, float64(s.clock.last-s.start)/float64(s.end-s.start))
}

// Run drives the simulation to its end, handing events to publish in
// order, in batches of at most MaxBatch. With speed 0 it runs as fast as
// it can; otherwise speed is simulated seconds per wall second (1 = real
// time, 60 = an hour a minute), and Run sleeps between instants, batching
// the events of instants that fall due together. publish may not keep the
// slice or the events after it returns (they are reused); it may change
// their Seq. Run returns ctx.Err() if ctx ends first.
//
// A drill's commands (Submit) are applied between instants: at once when
// Run is waiting for the next (at the simulated time of the moment), or
// after the instant being run. Those left when Run returns are refused.
func Run(ctx context.Context, s *Sim, speed float64, publish func(batch []*feed.Event)) error {
	if speed < 0 || math.IsNaN(speed) || math.IsInf(speed, 0) {
		return fmt.Errorf("speed %v: want 0 (as fast as possible) or a positive factor", speed)
	}
	flush := func() {
		if ev := s.Events(); len(ev) > 0 {
			publish(ev)
		}
		s.Recycle()
	}
	defer func() {
		s.closeCommands()
		flush()
	}()
	// poll applies what was submitted while the last instant ran.
	poll := func() {
		select {
		case <-s.cmds.ready:
			s.applySubmitted(s.now)
		default:
		}
	}
	if speed == 0 {
		for s.Step() {
			poll()
			if len(s.Events()) >= MaxBatch {
				flush()
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		flush()
		return nil
	}
	wall0, sim0 := time.Now(), s.start
	s.clockMu.Lock()
	s.clock.paced, s.clock.wall, s.clock.sim0, s.clock.speed, s.clock.next = true, wall0, sim0, speed, sim0
	s.clockMu.Unlock()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, ok := s.nextInstant()
		if !ok {
			return nil
		}
		s.clockMu.Lock()
		s.clock.next = next
		s.clockMu.Unlock()
		due := wall0.Add(time.Duration(float64(next-sim0) / speed * float64(time.Millisecond)))
		if wait := time.Until(due); wait > 0 {
			flush()
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.cmds.ready:
				// Between instants: the command takes effect at the
				// simulated time of now, and may bring the next instant
				// forward (a released agent answers a waiting call).
				timer.Stop()
				s.applySubmitted(s.clockMs())
				continue
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		s.Step()
		poll()
		if len(s.Events()) >= MaxBatch {
			flush()
		}
	}
}
