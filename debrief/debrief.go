// Package debrief measures a drill honestly: the recording of what the
// supervisor did, against the same scenario and seed played with no
// command (the shadow floor, Shadow), which common random numbers make
// the same callers. It reports both side by side, by queue and by
// 15-minute interval, with the actions and a score whose formula it
// writes out (Formula), as Markdown, one self-contained HTML page, or
// JSON (DESIGN.md "Drills": `debrief RECORDING --json`).
package debrief

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

// Debrief is a drill measured against its shadow. Its JSON form is the
// contract's `debrief --json`.
type Debrief struct {
	Scenario  string            `json:"scenario"`
	Seed      int64             `json:"seed"`
	Score     Score             `json:"score"`
	Floor     Pair              `json:"floor"`
	Queues    []QueueDebrief    `json:"queues"`
	Intervals []RowPair         `json:"intervals"`
	Actions   []json.RawMessage `json:"actions"`

	// For the Markdown and HTML.
	Briefing string    `json:"-"`
	Start    time.Time `json:"-"` // drill.started
	Until    time.Time `json:"-"` // the end of what both sides cover
	// Complete: the drill ran to its end and is compared with the whole
	// shadow; else both sides stop at Until.
	Complete bool     `json:"-"`
	Targets  Targets  `json:"-"`
	Moves    []Action `json:"-"`
}

// QueueDebrief is one queue: its figures with and without, and its
// 15-minute rows.
type QueueDebrief struct {
	Queue string `json:"queue"`
	Name  string `json:"name"`
	Pair
	Intervals []RowPair `json:"intervals"`
}

// Targets are the service-level goals the charts draw: the floor's (its
// queues' weighted as the fold weighs them) and each queue's.
type Targets struct {
	Floor  float64
	Queues map[string]float64
}

// Action is one drill.action as the reports show it.
type Action struct {
	At     time.Time
	By     string
	What   string // the command in words
	Result string
}

// Options say where the drill's scenario is and how to fold.
type Options struct {
	// Scenario is the drill's scenario (from --scenario FILE); nil: the
	// bundled scenario drill.started names.
	Scenario *simulator.Scenario
	// Floor are the fold's options for both sides; the zero value is
	// `status`'s.
	Floor floor.Options
}

// Build reads a drill's recording and measures it against its shadow.
func Build(r io.Reader, opt Options) (*Debrief, error) {
	f := floor.New(opt.Floor)
	d, err := day.Read(r, f)
	if err != nil {
		return nil, err
	}
	switch {
	case d.Started == nil:
		return nil, errors.New("no drill.started line: not a drill's recording (record one with `demo --drill`, `serve --scenario` or `sim --listen --drill`)")
	case d.Drills > 1:
		return nil, fmt.Errorf("%d drill.started lines: the recording holds more than one drill run; debrief one run at a time", d.Drills)
	}
	started := d.Started.Drill
	sc, err := ScenarioOf(started.Scenario, opt.Scenario)
	if err != nil {
		return nil, err
	}
	shadow, err := Shadow(sc, started.Seed, opt.Floor)
	if err != nil {
		return nil, err
	}
	with := f.Report(floor.All)
	until := f.Now()
	// The shadow is played out to its end; the drill compares with all of
	// it only if it was too. A drill stopped early is compared up to where
	// it stopped.
	complete := ranToEnd(sc, with)
	cut := until
	if complete {
		cut = time.Time{}
	}
	sd, sf, err := shadow.replay(cut)
	if err != nil {
		return nil, err
	}
	if err := sameCallers(d, sd, until); err != nil {
		return nil, fmt.Errorf("scenario %s, seed %d: %w", started.Scenario, started.Seed, err)
	}
	without := sf.Report(floor.All)
	if complete {
		until = sf.Now()
		if f.Now().After(until) {
			until = f.Now()
		}
	}

	actions := make([]*feed.Drill, len(d.Actions))
	for i, a := range d.Actions {
		actions[i] = a.Drill
	}
	c := Compare(with, without, actions, sc.Goal)
	wi, woi := countIntervals(d, f.Now()), countIntervals(sd, sf.Now())
	db := &Debrief{Scenario: started.Scenario, Seed: started.Seed, Score: c.Score, Floor: c.Floor,
		Intervals: pairRows(wi, woi, ""), Actions: []json.RawMessage{},
		Briefing: started.Briefing, Start: d.Started.TS, Until: until, Complete: complete,
		Targets: Targets{Floor: without.Floor.SLTarget, Queues: map[string]float64{}}}
	for _, q := range c.Queues {
		db.Queues = append(db.Queues, QueueDebrief{Queue: q.Queue, Name: q.Name, Pair: q.Pair,
			Intervals: pairRows(wi, woi, q.Queue)})
	}
	for _, q := range without.Queues {
		db.Targets.Queues[q.Queue] = q.SLTarget
	}
	for _, a := range d.Actions {
		db.Actions = append(db.Actions, json.RawMessage(feed.Encode(a)))
		db.Moves = append(db.Moves, Action{At: a.TS, By: a.Drill.By, What: describe(a.Drill), Result: a.Drill.Result})
	}
	return db, nil
}

// ScenarioOf is the drill's scenario: the file given, which must be the
// one the drill ran, or the bundled one of that name. The recording's name
// is never taken for a path: text from a recording is shown, not obeyed.
func ScenarioOf(name string, given *simulator.Scenario) (*simulator.Scenario, error) {
	if given != nil {
		if given.Name != name {
			return nil, fmt.Errorf("the recording is a drill of scenario %q, the scenario given is %q", name, given.Name)
		}
		return given, nil
	}
	for _, b := range simulator.Bundled() {
		if b.Scenario.Name == name {
			return b.Scenario, nil
		}
	}
	return nil, fmt.Errorf("the drill's scenario %q is not a bundled one: give its file with --scenario FILE", name)
}

// sameCallers checks that the recording's callers are the shadow's up to
// until: the simulator names each caller's first call c<N> and their later
// contacts c<N>.<K>, and with common random numbers the first calls are
// the same calls at the same times whatever the supervisor did. If they
// differ the scenario has changed since the drill was recorded, and every
// "without" figure would be wrong.
func sameCallers(rec, shadow *day.Day, until time.Time) error {
	first := func(d *day.Day) []string {
		var out []string
		for _, l := range d.Legs {
			if l.Seen && !l.Transferred && !strings.Contains(l.Call, ".") && !l.Offered.After(until) {
				out = append(out, l.Call+" "+l.Queue+" "+feed.FormatTime(l.Offered))
			}
		}
		return out
	}
	a, b := first(rec), first(shadow)
	if slices.Equal(a, b) {
		return nil
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	what := "the recording has more callers than the scenario"
	switch {
	case i < len(a) && i < len(b):
		what = fmt.Sprintf("caller %d is %q in the recording and %q in the scenario", i+1, a[i], b[i])
	case i < len(b):
		what = "the scenario has more callers than the recording"
	}
	return fmt.Errorf("the recording's callers are not the scenario's (%s): was the drill recorded with another version of the scenario, or another --duration?", what)
}

// describe writes a drill.action's command in words: "move a003 to
// billing, support", "overtime 3 agents on support for 1h".
func describe(d *feed.Drill) string {
	switch d.Command {
	case "":
		return "(not a command)"
	case simulator.CmdMove:
		return fmt.Sprintf("move %s to %s", d.Agent, strings.Join(d.Queues, ", "))
	case simulator.CmdRelease, simulator.CmdSendHome:
		return strings.ReplaceAll(d.Command, "_", " ") + " " + d.Agent
	case simulator.CmdOvertime:
		return fmt.Sprintf("overtime: %d agents on %s for %s", d.Count, strings.Join(d.Queues, ", "), d.For)
	case simulator.CmdOverflow:
		if d.AfterS == nil {
			return "end the overflow of " + d.Queue
		}
		return fmt.Sprintf("overflow %s to %s after %s", d.Queue, d.To, floor.Secs(d.AfterS))
	case simulator.CmdCallback:
		if d.AfterS == nil {
			return "end the call backs of " + d.Queue
		}
		return fmt.Sprintf("callback on %s after %s", d.Queue, floor.Secs(d.AfterS))
	}
	return d.Command
}
