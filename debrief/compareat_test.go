package debrief

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

// TestCompareAtIsTheDebrief: what a dashboard shows beside the drill as it
// runs (CompareAt, frame after frame on one shadow floor) is, wherever the
// drill stands, what the debrief of the drill stopped there says, and at
// its end what the debrief of the whole drill says.
func TestCompareAtIsTheDebrief(t *testing.T) {
	rec := drill(t, "monday-surge", 5, 0, threeActions...)
	sc, err := simulator.Load("monday-surge")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Shadow(sc, 5, floor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := floor.New(floor.Options{})
	var actions []*feed.Drill
	lines := bytes.SplitAfter(rec, []byte("\n"))
	upTo := 0 // the lines folded
	foldTo := func(at time.Time) {
		for ; upTo < len(lines) && len(bytes.TrimSpace(lines[upTo])) > 0; upTo++ {
			d := feed.Decode(bytes.TrimSpace(lines[upTo]))
			if !at.IsZero() && d.Event.TS.After(at) {
				break
			}
			if d.Event.Type == feed.TypeDrillAction {
				actions = append(actions, d.Event.Drill)
			}
			f.IngestLine(bytes.TrimSpace(lines[upTo]), floor.Recording)
		}
	}
	for _, stop := range []time.Duration{40 * m, 2*h + 30*m, 0} {
		at := time.Time{}
		if stop > 0 {
			at = sc.Start.Add(stop)
		}
		foldTo(at)
		c := b.CompareAt(f.Report(floor.All), floor.All, actions)
		db := build(t, bytes.Join(lines[:upTo], nil), Options{})
		if db.Complete != (stop == 0) {
			t.Fatalf("stop %v: complete %v", stop, db.Complete)
		}
		if !reflect.DeepEqual(c.Floor, db.Floor) || !reflect.DeepEqual(c.Score, db.Score) {
			t.Errorf("stop %v: the dashboard's comparison\n%+v\nis not the debrief's\n%+v", stop, c.Floor, db.Floor)
		}
		if want := (&Comparison{Floor: db.Floor, Score: db.Score}).Headline(); c.Headline() != want {
			t.Errorf("stop %v: headline %q, the debrief's %q", stop, c.Headline(), want)
		}
		t.Logf("stop %v: %s", stop, c.Short())
	}
}

// The short form says the same as the headline, signs included.
func TestShortSaysTheHeadline(t *testing.T) {
	sl := func(v float64) *float64 { return &v }
	c := &Comparison{
		Floor: Pair{With: CallFigures{ServiceLevel: sl(.78)}, Without: CallFigures{ServiceLevel: sl(.64)}},
		Score: Score{Terms: Terms{WithinGained: 212, HangupsAvoided: 31, OvertimeHours: 8}},
	}
	if got, want := c.Short(), "SL 78.0% (without you 64.0%) · +212 in goal · 31 hang-ups avoided · 8 h overtime"; got != want {
		t.Errorf("short %q, want %q", got, want)
	}
	c.Score.Terms = Terms{WithinGained: -12, HangupsAvoided: -3, OvertimeHours: 1.5}
	if got, want := c.Short(), "SL 78.0% (without you 64.0%) · -12 in goal · 3 more hang-ups · 1.5 h overtime"; got != want {
		t.Errorf("short %q, want %q", got, want)
	}
}
