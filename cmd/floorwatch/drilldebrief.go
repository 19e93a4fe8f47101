package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/debrief"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
	"github.com/floorwatch/floorwatch/simulator"
	"github.com/floorwatch/floorwatch/tui"
)

// drillShadow is a dashboard's Options.Shadow for a drill of sc (nil: the
// bundled scenario the drill names, for `watch` on any drill's feed or
// recording) folded with opts: the Overview sets the drill beside the same
// callers with no command taken, as the debrief does. Each dashboard that
// calls it gets a shadow floor of its own, which serves that dashboard's
// goroutine only.
func drillShadow(given *simulator.Scenario, opts floor.Options) func(d *floor.DrillStart) (tui.Comparer, error) {
	return func(d *floor.DrillStart) (tui.Comparer, error) {
		sc, err := debrief.ScenarioOf(d.Scenario, given)
		if err != nil {
			return nil, err
		}
		b, err := debrief.Shadow(sc, d.Seed, opts)
		if err != nil {
			return nil, err
		}
		return func(with *floor.Report, w floor.Window, actions []*feed.Drill) (string, string) {
			c := b.CompareAt(with, w, actions)
			return c.Headline(), c.Short()
		}, nil
	}
}

// drillDebrief keeps the lines of a drill run by demo as its dashboard
// folds them, and writes its debrief when the dashboard quits: PATH.jsonl
// (the drill's recording, for `floorwatch debrief` or `watch --replay`
// later), PATH.md and PATH.html.
type drillDebrief struct {
	path string // without its extension
	file *os.File
	out  *bufio.Writer
	rec  *recorder
}

// openDrillDebrief starts the recording of a drill of scenario in dir,
// named for the scenario and the wall clock at the start.
func openDrillDebrief(dir, scenario string, start time.Time) (*drillDebrief, error) {
	path := filepath.Join(dir, "debrief-"+fileWord(scenario)+"-"+start.Format("20060102-150405"))
	f, err := os.Create(path + ".jsonl")
	if err != nil {
		return nil, fmt.Errorf("--debrief-dir: %w", err)
	}
	d := &drillDebrief{path: path, file: f, out: bufio.NewWriter(f)}
	// A recording that cannot be written is reported when the debrief
	// is: the drill goes on.
	d.rec = &recorder{w: d.out, stop: func() {}}
	return d, nil
}

// fileWord is a scenario's name as a file name may hold it: letters,
// digits, - and _; anything else (a /, a dot, a space) becomes -.
func fileWord(name string) string {
	w := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return '-'
	}, name)
	return cmp.Or(w, "drill")
}

// where says, for the run-ended banner, what quitting writes.
func (d *drillDebrief) where() string {
	return safetext.Clean(d.path) + ".md and .html"
}

// discard drops the recording of a dashboard that never ran.
func (d *drillDebrief) discard() {
	d.file.Close()
	os.Remove(d.path + ".jsonl")
}

// write ends the recording, the feed's last heartbeat with it unless the
// run had ended (its clock is where the drill stopped), writes the
// debrief of sc's drill from it, folded with opts as the dashboard folded
// it, and tells stdout where they are, with the debrief's summary.
func (d *drillDebrief) write(ended bool, sc *simulator.Scenario, opts floor.Options, stdout io.Writer) error {
	if !ended {
		d.rec.writeHeld()
	}
	flushErr, closeErr := d.out.Flush(), d.file.Close()
	if err := cmp.Or(d.rec.err, flushErr, closeErr); err != nil {
		return fmt.Errorf("writing %s.jsonl: %w", d.path, err)
	}
	db, err := readDebrief(d.path+".jsonl", debrief.Options{Scenario: sc, Floor: opts})
	if err != nil {
		return fmt.Errorf("no debrief: %w", err)
	}
	for _, out := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".md", db.WriteMarkdown}, {".html", db.WriteHTML}} {
		if err := writeFile(d.path+out.ext, out.write); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "The drill's debrief is in %[1]s.md and %[1]s.html; its recording in %[1]s.jsonl (floorwatch debrief or watch --replay read it).\n\n",
		safetext.Clean(d.path))
	return db.WriteSummary(stdout)
}
