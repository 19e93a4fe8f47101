package live

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

// dayServer serves a whole simulated day (steady-day, about 22,000 events)
// as history on loopback, as `sim --listen` does once the run is over.
func dayServer(t *testing.T) (url string, events int64) {
	t.Helper()
	sc, err := simulator.Load("steady-day")
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(sc, simulator.Options{})
	srv := feed.NewServer(feed.ServerOptions{Feed: "day", Tracker: floor.New(floor.Options{}), Base: floor.New(floor.Options{}), Now: sim.Clock})
	if err := simulator.Run(context.Background(), sim, 0, func(b []*feed.Event) { srv.Publish(b...) }); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ctx, ln, "", "")
	}()
	t.Cleanup(func() { cancel(); <-served })
	return "ws://" + ln.Addr().String() + "/", srv.LastSeq()
}

// A dashboard catches up with a day's history as fast as `status --feed`
// reads it. The history comes in frames of up to 256 KiB, each folded
// under one lock as one change; a view that wakes on every change asks only
// for Progress (cheap) until caught up, and for a Report only then: a
// report per frame of half-folded history is work for figures nobody may
// see. Timings are logged: the profile of the catch-up.
func TestCatchUpAsFastAsStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("a day's catch-up: not under -short")
	}
	url, events := dayServer(t)

	// status --feed: the client's CatchUp, nobody watching.
	start := time.Now()
	plain := NewHub(floor.New(floor.Options{}))
	c, err := feed.NewClient(url, plain, feed.ClientOptions{FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	status := time.Since(start)

	// The dashboard: a live client, and a view woken by every change.
	start = time.Now()
	hub := NewHub(floor.New(floor.Options{}))
	wake, stopWatching := hub.Subscribe()
	defer stopWatching()
	c, err = feed.NewClient(url, hub, feed.ClientOptions{FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	go c.Run(runCtx)
	wakes, progress := 0, Progress{}
	for !progress.CaughtUp {
		select {
		case <-wake:
		case <-ctx.Done():
			t.Fatalf("not caught up: %+v", progress)
		}
		wakes++
		progress = hub.Progress()
	}
	r := hub.Report(floor.Today)
	dashboard := time.Since(start)

	t.Logf("%d events: status --feed caught up in %v; the dashboard in %v (%d wake-ups, then one report)",
		events, status.Round(time.Millisecond), dashboard.Round(time.Millisecond), wakes)
	if progress.Applied != events || progress.Target != events || r.Feed.Events != plain.Report(floor.Today).Feed.Events {
		t.Fatalf("caught up at %+v with %d events, want %d as status", progress, r.Feed.Events, events)
	}
	if !raceEnabled && dashboard > 2*status+500*time.Millisecond {
		t.Errorf("the dashboard took %v to catch up, status %v", dashboard, status)
	}
}
