package debrief

import (
	"bytes"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/simulator"
)

// timed is a command given when the drill's clock reaches at after its
// start.
type timed struct {
	at time.Duration
	c  simulator.Command
}

// drill plays a bundled scenario as a drill to its end (or for d when d
// is not zero), giving each command at its time as a supervisor would,
// and returns its recording as `record` writes it.
func drill(t testing.TB, name string, seed int64, d time.Duration, cmds ...timed) []byte {
	t.Helper()
	sc, err := simulator.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(sc, simulator.Options{Seed: &seed, Drill: true})
	var out bytes.Buffer
	seq := int64(0)
	take := func() {
		for _, ev := range sim.Events() {
			seq++
			ev.Seq = seq
			out.Write(feed.Encode(ev))
			out.WriteByte('\n')
		}
		sim.Recycle()
	}
	for sim.Step() {
		for len(cmds) > 0 && !sim.Now().Before(sc.Start.Add(cmds[0].at)) {
			c := cmds[0].c
			if c.By == "" {
				c.By = "trainee"
			}
			sim.Command(c)
			cmds = cmds[1:]
		}
		take()
		if d > 0 && sim.Now().After(sc.Start.Add(d)) {
			break
		}
	}
	take()
	return out.Bytes()
}

func seconds(v float64) *float64 { return &v }
