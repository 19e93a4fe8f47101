package ami

import (
	"context"
	"crypto/tls"
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
	"github.com/floorwatch/floorwatch/source/sourcetest"
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

// fold feeds events to a floor as a client of the bridge sees them: the
// goals file's queues first, then the events.
func fold(t *testing.T, events []*feed.Event, g *floor.Goals) *floor.Floor {
	t.Helper()
	var all []*feed.Event
	if len(events) > 0 {
		for _, c := range g.QueueConfigs() {
			all = append(all, &feed.Event{Type: feed.TypeQueueConfig, TS: events[0].TS, Queue: c.Queue, Config: c})
		}
	}
	return sourcetest.Fold(t, append(all, events...), floor.Options{})
}

func (r *result) queue(t *testing.T, id string) floor.QueueReport {
	t.Helper()
	return sourcetest.Queue(t, r.report, id)
}

func (r *result) find(typ, id string, ts time.Time) *feed.Event {
	return sourcetest.Find(r.events, typ, id, ts)
}
