package live

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// Speeds are the replay speeds the player steps through, slowest first:
// floor seconds per wall second; 0 is as fast as the fold goes.
var Speeds = []float64{1, 10, 60, 600, 0}

// Player tick and batch bounds: the floor clock moves ten times a second of
// wall time, and at full speed the views get a look every playBatch lines.
const (
	playTick  = 100 * time.Millisecond
	playBatch = 4096
)

// PlayStatus is where a replay stands, for the views.
type PlayStatus struct {
	Start, End time.Time // the recording's first and last ts
	At         time.Time // the floor clock the replay has reached
	Speed      float64   // one of Speeds
	Paused     bool
	Done       bool // every line is folded
}

// Player plays a recording into a hub on the floor clock: at a speed, with
// pause and seek. The lines go through the same hub and fold as a live
// feed's. Its methods are safe from any goroutine and return at once; Run
// does the folding.
type Player struct {
	hub        *Hub
	newFloor   func() *floor.Floor
	lines      []stamped // in file order; never changed after loading
	start, end time.Time

	mu     sync.Mutex
	next   int       // the first line not yet folded
	at     time.Time // the replay's floor time
	speed  float64
	paused bool
	seekTo time.Time // a seek waiting for Run; zero when none
	wake   chan struct{}
}

// stamped is a line of a recording with its ts, never earlier than the
// line before's (a line without one, a bad line, takes that one's), so
// that the lines are in time order for a seek's search.
type stamped struct {
	ts   time.Time
	line []byte
}

// LoadPlayer reads a whole recording for hub. newFloor makes the fold a
// seek back starts again from; speed is one of Speeds.
func LoadPlayer(r io.Reader, hub *Hub, newFloor func() *floor.Floor, speed float64) (*Player, error) {
	p := &Player{hub: hub, newFloor: newFloor, speed: speed, wake: make(chan struct{}, 1)}
	var last time.Time
	err := ReadLines(r, func(line []byte) {
		if d := feed.Decode(line); d.Err == nil && d.Event.TS.After(last) {
			last = d.Event.TS
		}
		p.lines = append(p.lines, stamped{ts: last, line: append([]byte(nil), line...)})
	})
	if err != nil {
		return nil, err
	}
	if last.IsZero() {
		return nil, fmt.Errorf("no event to replay in %d lines", len(p.lines))
	}
	p.end = last
	for _, l := range p.lines {
		if !l.ts.IsZero() {
			p.start = l.ts
			break
		}
	}
	p.at = p.start
	return p, nil
}

// Status is where the replay stands.
func (p *Player) Status() PlayStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PlayStatus{Start: p.start, End: p.end, At: p.at, Speed: p.speed, Paused: p.paused, Done: p.next >= len(p.lines)}
}

// TogglePause pauses or resumes.
func (p *Player) TogglePause() {
	p.mu.Lock()
	p.paused = !p.paused
	p.mu.Unlock()
	p.poke()
}

// Faster and Slower step through Speeds ("max" is the fastest).
func (p *Player) Faster() { p.step(1) }

// Slower: see Faster.
func (p *Player) Slower() { p.step(-1) }

func (p *Player) step(d int) {
	p.mu.Lock()
	i := 0
	for j, s := range Speeds {
		if s == p.speed {
			i = j
		}
	}
	p.speed = Speeds[max(0, min(len(Speeds)-1, i+d))]
	p.mu.Unlock()
	p.poke()
}

// Seek moves the replay by d of floor time (back when negative).
func (p *Player) Seek(d time.Duration) {
	p.mu.Lock()
	from := p.at
	if !p.seekTo.IsZero() {
		from = p.seekTo // keys pressed faster than Run seeks add up
	}
	p.seekTo = from.Add(d)
	p.mu.Unlock()
	p.poke()
}

// SeekStart and SeekEnd go to the recording's first or last moment.
func (p *Player) SeekStart() { p.seekAbs(p.start) }

// SeekEnd: see SeekStart.
func (p *Player) SeekEnd() { p.seekAbs(p.end) }

func (p *Player) seekAbs(t time.Time) {
	p.mu.Lock()
	p.seekTo = t
	p.mu.Unlock()
	p.poke()
}

func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run plays until ctx ends. At the end of the recording it waits (a seek
// may take it back) rather than returning.
func (p *Player) Run(ctx context.Context) error {
	t := time.NewTicker(playTick)
	defer t.Stop()
	last := time.Now()
	for {
		now := time.Now()
		more := p.advance(now.Sub(last))
		last = now
		if more {
			// Full speed: batch after batch, with a look at ctx between.
			if ctx.Err() != nil {
				return nil
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.wake:
		}
	}
}

// advance does a pending seek, or plays wall of wall time at the speed. It
// folds without holding the player, so the keys never wait for a fold. It
// reports whether a full-speed replay has more to fold at once.
func (p *Player) advance(wall time.Duration) (more bool) {
	p.mu.Lock()
	seek, next, at, speed, paused := p.seekTo, p.next, p.at, p.speed, p.paused
	p.seekTo = time.Time{}
	p.mu.Unlock()

	end := next
	switch {
	case !seek.IsZero():
		at = seek
		if at.Before(p.start) {
			at = p.start
		}
		if at.After(p.end) {
			at = p.end
		}
		if at.Before(p.lines[max(0, next-1)].ts) {
			// Back: fold afresh from the start up to there.
			p.hub.Reset(p.newFloor())
			next = 0
		}
		end = p.upTo(at)
	case paused || next >= len(p.lines):
		return false
	case speed == 0:
		end = min(len(p.lines), next+playBatch)
		at = p.lines[end-1].ts
	default:
		at = at.Add(time.Duration(float64(wall) * speed))
		if at.After(p.end) {
			at = p.end
		}
		end = p.upTo(at)
	}
	if end > next {
		batch := make([][]byte, 0, end-next)
		for _, l := range p.lines[next:end] {
			batch = append(batch, l.line)
		}
		p.hub.Ingest(batch)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.at = max(end, next), at
	return p.speed == 0 && !p.paused && p.seekTo.IsZero() && p.next < len(p.lines)
}

// upTo is the index after the last line at or before t.
func (p *Player) upTo(t time.Time) int {
	return sort.Search(len(p.lines), func(i int) bool { return p.lines[i].ts.After(t) })
}
