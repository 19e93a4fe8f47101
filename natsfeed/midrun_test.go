package natsfeed

import (
	"context"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/natsfeed/natstest"
)

// seekBack is how far the consumers look back in these tests: past the
// publishers' last snapshots (one a second here), not back to their hellos.
const seekBack = 1500 * time.Millisecond

// publishMidRun publishes the first half of a morning at each site, lets
// the publishers snapshot it for a while (their hellos fall out of the
// consumers' look back), then, from the consumers' start on the wall
// clock, the rest; it returns each site's events and the start.
func publishMidRun(t *testing.T, url string, sites []string, seeds []int64) ([][]*feed.Event, time.Time) {
	t.Helper()
	var (
		evs   [][]*feed.Event
		pubs  []*Publisher
		clock []*producer
	)
	for i, site := range sites {
		e := day(t, "steady-day", seeds[i], time.Hour)
		p, c := publisher(t, url, site, e[0], PublisherOptions{Feed: "steady-day", SnapshotEvery: 200 * time.Millisecond})
		c.send(p, e[:len(e)/2]...)
		evs, pubs, clock = append(evs, e), append(pubs, p), append(clock, c)
	}
	time.Sleep(2*seekBack + time.Second)
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	for i, p := range pubs {
		clock[i].send(p, evs[i][len(evs[i])/2:]...)
		drain(t, p)
	}
	return evs, start
}

// readFrom folds url from since, looking back seekBack, as `status --feed`.
func readFrom(t *testing.T, url string, since time.Time, seekBack time.Duration) *live.Hub {
	t.Helper()
	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := NewClient(url, hub, floor.Options{}, Options{Since: since, SeekBack: seekBack})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	return hub
}

// state is what a consumer starting mid-run must get right whatever it
// missed: who is staffed and in which state, and what is live now.
func state(r *floor.Report) [6]int {
	f := r.Floor
	return [6]int{f.Staffed, f.Available, f.OnCall, f.WrapUp, f.Aux, f.Waiting}
}

// A consumer starting mid-run (its --since, or the day start of a
// publisher that runs for days) starts from the publisher's latest
// snapshot before that time: no line contradicts what it holds, and the
// floor now is the whole run's. Without looking back it starts blind.
func TestConsumerStartingMidRunHasTheState(t *testing.T) {
	srv := natstest.Start(t)
	runs, start := publishMidRun(t, srv.URL(), []string{"paris"}, []int64{7})
	evs := runs[0]
	want := state(recorded(evs))

	r := readFrom(t, srv.URL()+"/paris", start, seekBack).Report(floor.All)
	if r.Feed.BadLines != 0 || state(r) != want {
		t.Errorf("from the snapshot: %d bad lines (%s), state %v; want none and %v", r.Feed.BadLines, r.Feed.LastError, state(r), want)
	}
	// Only what came after the snapshot is counted: fewer offers than the
	// whole run, more than none.
	if whole := recorded(evs).Floor.Offered; r.Floor.Offered == 0 || r.Floor.Offered >= whole {
		t.Errorf("offered %d from the snapshot, the whole run %d", r.Floor.Offered, whole)
	}

	// Looking back less than the wait since the snapshot finds none: the
	// consumer starts at its time, and what it lacks shows.
	blind := readFrom(t, srv.URL()+"/paris", start, time.Millisecond).Report(floor.All)
	if blind.Feed.BadLines == 0 && state(blind) == want {
		t.Errorf("a consumer that does not look back for the snapshot got it all the same: the test proves nothing")
	}
}

// Two sites started mid-run: each site's snapshot replaces only its own
// part of the sites' fold, and the floor now is the two runs' together.
func TestTwoSitesStartingMidRun(t *testing.T) {
	srv := natstest.Start(t)
	runs, start := publishMidRun(t, srv.URL(), []string{"paris", "lisbon"}, []int64{7, 11})
	paris, lisbon := runs[0], runs[1]
	hub := readFrom(t, srv.URL()+"/paris,lisbon", start, seekBack)
	r := hub.Report(floor.All)
	p, l := state(recorded(paris)), state(recorded(lisbon))
	var want [6]int
	for i := range want {
		want[i] = p[i] + l[i]
	}
	if r.Feed.BadLines != 0 || state(r) != want {
		t.Errorf("both sites: %d bad lines (%s), state %v; want none and %v", r.Feed.BadLines, r.Feed.LastError, state(r), want)
	}
	for _, a := range r.Agents {
		if len(a.Agent) < 6 || (a.Agent[:6] != "paris/" && a.Agent[:7] != "lisbon/") {
			t.Errorf("agent %q is not a site's", a.Agent)
			break
		}
	}
}
