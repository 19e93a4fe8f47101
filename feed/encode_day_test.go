package feed_test

import (
	"bytes"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/simulator"
)

// drillCommands are sent into each simulated day, so that its recording
// has drill.action lines with every field, refusals included.
var drillCommands = []string{
	`{"type":"drill.command","id":"k1","command":"release","agent":"a001"}`,
	`{"type":"drill.command","id":"k2","command":"move","agent":"a002","queues":["billing","support"]}`,
	`{"type":"drill.command","id":"k3","command":"overtime","count":2,"queues":["support"],"for":"30m"}`,
	`{"type":"drill.command","id":"k4","command":"overflow","queue":"support","to":"billing","after_s":45.5}`,
	`{"type":"drill.command","id":"k5","command":"callback","queue":"support","after_s":null}`,
	`{"type":"drill.command","id":"k6","command":"send_home","agent":"nobody <here> & \"there\""}`,
	`not a command`,
}

// Every bundled scenario, played to its end as a drill, encodes line for
// line exactly as the reflective encoder did; the simulator's recordings
// are byte-identical before and after.
func TestEncoderMatchesReflectiveOnSimulatedDays(t *testing.T) {
	for _, b := range simulator.Bundled() {
		sim := simulator.New(b.Scenario, simulator.Options{Drill: true})
		var enc feed.Encoder
		var line []byte
		var seq int64
		for step := 0; sim.Step(); step++ {
			if step%1000 == 999 {
				cmd, _ := simulator.ParseCommand([]byte(drillCommands[step/1000%len(drillCommands)]))
				sim.Command(cmd)
			}
			for _, ev := range sim.Events() {
				seq++
				ev.Seq = seq
				line = enc.Append(line[:0], ev)
				if want := feed.RefEncode(ev); !bytes.Equal(line, want) {
					t.Fatalf("%s, line %d:\n got %s\nwant %s", b.Name, seq, line, want)
				}
			}
			sim.Recycle()
		}
		t.Logf("%s: %d lines alike", b.Name, seq)
	}
}
