package queuelog

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
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

// fold feeds events to a floor, numbering them as the bridge does, and
// fails on an event out of time order or one the floor does not apply.
func fold(t *testing.T, events []*feed.Event, opts floor.Options) *floor.Floor {
	t.Helper()
	f := floor.New(opts)
	var last time.Time
	for i, ev := range events {
		e := *ev
		e.Seq = int64(i + 1)
		line := feed.Encode(&e)
		if e.TS.Before(last) {
			t.Errorf("event %d is before the one before it (%v): %s", i+1, last, line)
		}
		last = e.TS
		if o := f.IngestLine(line, floor.Recording); o != floor.Applied {
			t.Errorf("event %d not applied (%v: %s): %s", i+1, o, f.Stats().LastError, line)
		}
	}
	return f
}

func (r *result) queue(t *testing.T, id string) floor.QueueReport {
	t.Helper()
	for _, q := range r.report.Queues {
		if q.Queue == id {
			return q
		}
	}
	t.Fatalf("no queue %q", id)
	return floor.QueueReport{}
}

func (r *result) agent(t *testing.T, id string) floor.AgentReport {
	t.Helper()
	for _, a := range r.report.Agents {
		if a.Agent == id {
			return a
		}
	}
	t.Fatalf("no agent %q", id)
	return floor.AgentReport{}
}

// find is the event of type typ about call (or agent, for agent.state) at
// time ts; nil when there is none.
func (r *result) find(typ, id string, ts time.Time) *feed.Event {
	for _, ev := range r.events {
		if ev.Type == typ && (ev.Call == id || ev.Call == "" && ev.Agent == id) && ev.TS.Equal(ts) {
			return ev
		}
	}
	return nil
}

// calls is the call figures of a queue (or the floor) worked by hand.
type calls struct {
	offered, answered, within, abandoned, short int64
	byReason                                    map[string]int64
	sl, asa, aht                                float64 // NaN: null
	waiting                                     int
}

func checkCalls(t *testing.T, what string, m floor.Metrics, want calls) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"offered", m.Offered, want.offered}, {"answered", m.Answered, want.answered},
		{"answered_within", m.AnsweredWithin, want.within}, {"abandoned", m.Abandoned, want.abandoned},
		{"short_abandoned", m.ShortAbandoned, want.short}, {"waiting", int64(m.Waiting), int64(want.waiting)}} {
		if c.got != c.want {
			t.Errorf("%s %s = %d, want %d", what, c.name, c.got, c.want)
		}
	}
	for reason, n := range want.byReason {
		if got := m.AbandonedByReason[reason]; got != n {
			t.Errorf("%s abandoned %s = %d, want %d", what, reason, got, n)
		}
	}
	if len(m.AbandonedByReason) != len(want.byReason) {
		t.Errorf("%s abandoned_by_reason = %v, want %v", what, m.AbandonedByReason, want.byReason)
	}
	approx(t, what+" service_level", m.ServiceLevel, want.sl)
	approx(t, what+" asa_s", m.ASAS, want.asa)
	approx(t, what+" aht_s", m.AHTS, want.aht)
}

// approx checks a ratio to 1e-9; want NaN means null.
func approx(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	switch {
	case math.IsNaN(want) && got != nil:
		t.Errorf("%s = %v, want null", what, *got)
	case math.IsNaN(want):
	case got == nil:
		t.Errorf("%s = null, want %v", what, want)
	case math.Abs(*got-want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

// agentWant is an agent's figures worked by hand.
type agentWant struct {
	handled, missed, transferred int64
	aht                          float64 // NaN: null
	state, reason                string
	aux                          map[string]float64 // seconds by reason
}

func checkAgent(t *testing.T, r *result, id string, want agentWant) {
	t.Helper()
	a := r.agent(t, id)
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"handled", a.Handled, want.handled}, {"missed", a.Missed, want.missed}, {"transferred", a.Transferred, want.transferred}} {
		if c.got != c.want {
			t.Errorf("agent %s %s = %d, want %d", id, c.name, c.got, c.want)
		}
	}
	approx(t, "agent "+id+" aht_s", a.AHTS, want.aht)
	if a.State != want.state || a.Reason != want.reason {
		t.Errorf("agent %s is %s %q, want %s %q", id, a.State, a.Reason, want.state, want.reason)
	}
	for reason, s := range want.aux {
		if got := a.AuxByReason[reason]; math.Abs(got-s) > 1e-9 {
			t.Errorf("agent %s aux %s = %vs, want %vs", id, reason, got, s)
		}
	}
	if len(a.AuxByReason) != len(want.aux) {
		t.Errorf("agent %s aux_by_reason = %v, want %v", id, a.AuxByReason, want.aux)
	}
}

var null = math.NaN()

func hasNote(t source.Tally, prefix string) bool {
	for _, n := range t.Notes {
		if strings.Contains(n, prefix) {
			return true
		}
	}
	return false
}

func count(events []*feed.Event, typ string) int {
	n := 0
	for _, ev := range events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}
