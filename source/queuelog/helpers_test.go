package queuelog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// T is the epoch the fixtures count from: "+10" in a comment is T+10.
var T = time.Unix(1700000000, 0).UTC()

func at(sec float64) time.Time { return T.Add(time.Duration(sec * float64(time.Second))) }

// fixture reads a queue_log written by hand under testdata. queue_log has
// no comments, so each line's meaning is in "#" lines before it, dropped
// here with blank lines.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out.WriteString(l + "\n")
	}
	return out.Bytes()
}

func goals(t *testing.T, yaml string) *floor.Goals {
	t.Helper()
	g, err := floor.ParseGoals([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testAgents(t *testing.T) *asterisk.Agents {
	t.Helper()
	a, err := asterisk.LoadAgents(filepath.Join("testdata", "agents.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// result is a converted input: its events, tally, and the floor they fold
// into.
type result struct {
	events []*feed.Event
	tally  source.Tally
	floor  *floor.Floor
	report *floor.Report
}

// convert runs input through the reader's line splitter and a converter,
// then folds the events as a recording. Every event must apply: a
// converted file never contradicts the protocol's state rules.
func convert(t *testing.T, input []byte, cfg Config) *result {
	t.Helper()
	return convertWith(t, input, cfg, floor.Options{Goals: cfg.Goals})
}

// convertWith is convert folding into a floor made with opts.
func convertWith(t *testing.T, input []byte, cfg Config, opts floor.Options) *result {
	t.Helper()
	r := &result{}
	c := NewConverter(cfg, func(ev *feed.Event) { r.events = append(r.events, ev) })
	var sp splitter
	sp.write(input, c)
	sp.flush(c)
	c.Close()
	r.tally = c.Tally()
	r.floor = fold(t, r.events, opts)
	r.report = r.floor.Report(floor.All)
	return r
}

func (r *result) queue(t *testing.T, id string) floor.QueueReport {
	t.Helper()
	return sourcetest.Queue(t, r.report, id)
}

func (r *result) agent(t *testing.T, id string) floor.AgentReport {
	t.Helper()
	return sourcetest.Agent(t, r.report, id)
}

func (r *result) find(typ, id string, ts time.Time) *feed.Event {
	return sourcetest.Find(r.events, typ, id, ts)
}

var fold = sourcetest.Fold

func count(events []*feed.Event, typ string) int {
	n := 0
	for _, ev := range events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}
