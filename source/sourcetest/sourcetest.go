// Package sourcetest holds what the source packages' tests share: folding a
// source's events as a client of the bridge would, and checking the fold's
// figures against figures worked by hand. Only tests link it.
package sourcetest

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// Null, as a wanted figure, means the figure must be null.
var Null = math.NaN()

// Fold feeds events to a new floor made with opts, numbered from 1 as the
// bridge numbers them, and fails the test on an event out of time order,
// one the floor does not apply, or any bad line: a converted input never
// contradicts the protocol's state rules.
func Fold(t testing.TB, events []*feed.Event, opts floor.Options) *floor.Floor {
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
	if b := f.Stats().BadLines; b != 0 {
		t.Errorf("%d bad lines", b)
	}
	return f
}

// Queue is queue id's part of r.
func Queue(t testing.TB, r *floor.Report, id string) floor.QueueReport {
	t.Helper()
	for _, q := range r.Queues {
		if q.Queue == id {
			return q
		}
	}
	t.Fatalf("no queue %q", id)
	return floor.QueueReport{}
}

// Agent is agent id's part of r.
func Agent(t testing.TB, r *floor.Report, id string) floor.AgentReport {
	t.Helper()
	for _, a := range r.Agents {
		if a.Agent == id {
			return a
		}
	}
	t.Fatalf("no agent %q", id)
	return floor.AgentReport{}
}

// Find is the event of type typ about call (or agent, for agent.state) at
// time ts; nil when there is none.
func Find(events []*feed.Event, typ, id string, ts time.Time) *feed.Event {
	for _, ev := range events {
		if ev.Type == typ && (ev.Call == id || ev.Call == "" && ev.Agent == id) && ev.TS.Equal(ts) {
			return ev
		}
	}
	return nil
}

// HasNote tells whether one of the tally's notes holds part.
func HasNote(t source.Tally, part string) bool {
	for _, n := range t.Notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// Calls is the call figures of a queue (or the floor) worked by hand.
type Calls struct {
	Offered, Answered, Within, Abandoned, Short int64
	ByReason                                    map[string]int64
	SL, ASA, AHT                                float64 // Null: null
	Waiting                                     int
}

// CheckCalls checks m against the figures worked by hand.
func CheckCalls(t testing.TB, what string, m floor.Metrics, want Calls) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"offered", m.Offered, want.Offered}, {"answered", m.Answered, want.Answered},
		{"answered_within", m.AnsweredWithin, want.Within}, {"abandoned", m.Abandoned, want.Abandoned},
		{"short_abandoned", m.ShortAbandoned, want.Short}, {"waiting", int64(m.Waiting), int64(want.Waiting)}} {
		if c.got != c.want {
			t.Errorf("%s %s = %d, want %d", what, c.name, c.got, c.want)
		}
	}
	checkByKey(t, what+" abandoned_by_reason", m.AbandonedByReason, want.ByReason)
	Approx(t, what+" service_level", m.ServiceLevel, want.SL)
	Approx(t, what+" asa_s", m.ASAS, want.ASA)
	Approx(t, what+" aht_s", m.AHTS, want.AHT)
}

// Approx checks a figure to 1e-9; want Null means null.
func Approx(t testing.TB, what string, got *float64, want float64) {
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

// AgentWant is an agent's figures worked by hand.
type AgentWant struct {
	Name                         string // "": not checked
	Handled, Missed, Transferred int64
	// AHT is checked unless 0, which no agent's figure can be (it is null
	// with no call handled): 0 marks a fixture whose handle times were not
	// worked by hand.
	AHT           float64
	State, Reason string
	Aux           map[string]float64 // seconds by reason
}

// CheckAgent checks agent id's part of r against want.
func CheckAgent(t testing.TB, r *floor.Report, id string, want AgentWant) {
	t.Helper()
	a := Agent(t, r, id)
	if want.Name != "" && a.Name != want.Name {
		t.Errorf("agent %s is named %q, want %q", id, a.Name, want.Name)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{{"handled", a.Handled, want.Handled}, {"missed", a.Missed, want.Missed}, {"transferred", a.Transferred, want.Transferred}} {
		if c.got != c.want {
			t.Errorf("agent %s %s = %d, want %d", id, c.name, c.got, c.want)
		}
	}
	if want.AHT != 0 {
		Approx(t, "agent "+id+" aht_s", a.AHTS, want.AHT)
	}
	if a.State != want.State || a.Reason != want.Reason {
		t.Errorf("agent %s is %s %q, want %s %q", id, a.State, a.Reason, want.State, want.Reason)
	}
	checkByKey(t, "agent "+id+" aux_by_reason", a.AuxByReason, want.Aux)
}

// checkByKey checks a map of figures by key, to 1e-9.
func checkByKey[N int64 | float64](t testing.TB, what string, got, want map[string]N) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || math.Abs(float64(g-w)) > 1e-9 {
			t.Errorf("%s %s = %v, want %v", what, k, g, w)
		}
	}
}
