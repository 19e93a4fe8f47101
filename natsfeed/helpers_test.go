package natsfeed

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/simulator"
)

// day is a simulated floor's events, numbered as a feed numbers them.
func day(t testing.TB, scenario string, seed int64, d time.Duration) []*feed.Event {
	t.Helper()
	sc, err := simulator.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(sc, simulator.Options{Seed: &seed, Duration: d})
	var evs []*feed.Event
	// The simulator reuses its events: keep a decoded copy of each.
	err = simulator.Run(context.Background(), sim, 0, func(batch []*feed.Event) {
		for _, ev := range batch {
			ev.Seq = int64(len(evs) + 1)
			d := feed.Decode(feed.Encode(ev))
			evs = append(evs, &d.Event)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// recorded is the report of evs folded as a recording: the figures of a
// client that lost nothing.
func recorded(evs []*feed.Event) *floor.Report {
	f := floor.New(floor.Options{})
	for _, ev := range evs {
		f.IngestLine(feed.Encode(ev), floor.Recording)
	}
	return f.Report(floor.All)
}

// figures is what must agree between two folds of one floor: the call and
// agent figures and the line counts (not the feed's name or stream id).
func figures(t *testing.T, r *floor.Report) string {
	t.Helper()
	st := r.Feed
	b, err := json.Marshal(struct {
		Events, Bad, Unknown, Dups, Gaps, Last int64
		Now                                    floor.Time
		Floor                                  floor.Metrics
		Queues                                 []floor.QueueReport
		Agents                                 []floor.AgentReport
	}{st.Events, st.BadLines, st.Unknown, st.Duplicates, st.Gaps, st.LastSeq, r.Now, r.Floor, r.Queues, r.Agents})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// producer is a test's producer clock: the ts of the last event it
// published, as a simulation's clock is.
type producer struct {
	mu sync.Mutex
	at time.Time
}

func (c *producer) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

// send publishes evs on p, moving the producer's clock with them.
func (c *producer) send(p *Publisher, evs ...*feed.Event) {
	for _, ev := range evs {
		c.mu.Lock()
		c.at = ev.TS
		c.mu.Unlock()
		p.Publish(ev)
	}
}

// publisher starts a publisher for site on url, its clock at start the
// first event's, closed when the test ends.
func publisher(t testing.TB, url, site string, first *feed.Event, opt PublisherOptions) (*Publisher, *producer) {
	t.Helper()
	clock := &producer{at: first.TS}
	opt.URL, opt.Site, opt.Clock = url, site, clock.now
	opt.Logf = t.Logf
	p, err := NewPublisher(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p.Close(ctx)
	})
	return p, clock
}

// drain waits until p has published everything it holds.
func drain(t testing.TB, p *Publisher) {
	t.Helper()
	eventually(t, 20*time.Second, "the publisher to drain", func() bool { return p.Stats().Pending == 0 })
}

func eventually(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// catchUp reads url into a new hub as `status --feed` does.
func catchUp(t *testing.T, url string, fopts floor.Options) (*live.Hub, *Client) {
	t.Helper()
	hub := live.NewHub(floor.New(fopts))
	c, err := NewClient(url, hub, fopts, Options{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	return hub, c
}
