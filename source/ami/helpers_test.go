package ami

import (
	"context"
	"crypto/tls"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/ami/amitest"
)

// T is the time the fixtures count from: "+10" in a comment is T+10.
var T = time.Unix(1700000000, 0).UTC()

func at(sec float64) time.Time { return T.Add(time.Duration(sec * float64(time.Second))) }

const (
	testUser   = "floorwatch"
	testSecret = "s3cret"
	ami20      = "9.0.0" // the greeting's AMI version on Asterisk 20
)

// fixture reads a script for the fake manager from testdata.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func goals(t *testing.T, yaml string) *floor.Goals {
	t.Helper()
	g, err := floor.ParseGoals([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// result is a script played to the source: its events, tally, and the
// floor they fold into.
type result struct {
	events []*feed.Event
	tally  source.Tally
	floor  *floor.Floor
	report *floor.Report
}

// play serves script from a fake manager on 127.0.0.1, runs the source on
// it until every packet is read, and folds what it emitted, as the bridge
// would serve it: the goals file's queues first, then the events, each
// with its seq. Every event must apply.
func play(t *testing.T, script, version string, opt source.Options) *result {
	t.Helper()
	m := amitest.Start(t, script, testUser, testSecret, version, nil)
	return playOn(t, m, "ami://"+testUser+"@"+m.Addr, opt, nil)
}

func playOn(t *testing.T, m *amitest.Manager, spec string, opt source.Options, roots *tls.Config) *result {
	t.Helper()
	t.Setenv(SecretEnv, testSecret)
	src, err := openTest(spec, opt, roots)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu     sync.Mutex
		events []*feed.Event
	)
	done := make(chan error, 1)
	go func() {
		done <- src.Run(ctx, func(ev *feed.Event) {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		})
	}()
	select {
	case <-m.Played():
	case err := <-done:
		t.Fatalf("the source stopped before the script was played: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the fake manager did not play its script within 10 s")
	}
	deadline := time.Now().Add(10 * time.Second)
	for src.Tally().Lines < int64(m.Sent()) {
		if time.Now().After(deadline) {
			t.Fatalf("the source read %d of %d packets", src.Tally().Lines, m.Sent())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	r := &result{events: events, tally: src.Tally()}
	r.floor = fold(t, events, opt.Goals)
	r.report = r.floor.Report(floor.All)
	return r
}

// openTest opens spec as the bridge does, with the client's timings made
// short for a test (and roots trusted for amis://).
func openTest(spec string, opt source.Options, roots *tls.Config) (*Source, error) {
	scheme, arg, _ := strings.Cut(spec, ":")
	port, useTLS := "5038", scheme == "amis"
	s, err := newSource(scheme, port, arg, opt, useTLS)
	if err != nil {
		return nil, err
	}
	if roots != nil {
		s.tls.RootCAs = roots.RootCAs
	}
	s.timing.minBackoff, s.timing.maxBackoff, s.timing.tick = 10*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond
	if s.first, err = s.connect(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// fold feeds events to a floor as a client of the bridge sees them,
// failing on an event out of time order or one the floor does not apply.
func fold(t *testing.T, events []*feed.Event, g *floor.Goals) *floor.Floor {
	t.Helper()
	f := floor.New(floor.Options{})
	var last time.Time
	var seq int64
	ingest := func(e feed.Event) {
		seq++
		e.Seq = seq
		line := feed.Encode(&e)
		if e.TS.Before(last) {
			t.Errorf("event %d is before the one before it (%v): %s", seq, last, line)
		}
		last = e.TS
		if o := f.IngestLine(line, floor.Recording); o != floor.Applied {
			t.Errorf("event %d not applied (%v: %s): %s", seq, o, f.Stats().LastError, line)
		}
	}
	for i, ev := range events {
		if i == 0 {
			for _, c := range g.QueueConfigs() {
				ingest(feed.Event{Type: feed.TypeQueueConfig, TS: ev.TS, Queue: c.Queue, Config: c})
			}
		}
		ingest(*ev)
	}
	if b := f.Stats().BadLines; b != 0 {
		t.Errorf("%d bad lines", b)
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

// find is the event of type typ about call (or agent, for agent.state)
// at time ts; nil when there is none.
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

func hasNote(t source.Tally, part string) bool {
	for _, n := range t.Notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}
