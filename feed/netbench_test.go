package feed_test

import (
	"context"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// benchEvents is a long valid script, its calls renamed each lap so that
// a benchmark can publish any number of events.
func benchEvents(n int) []*feed.Event {
	script := floorScript(2000)
	evs := make([]*feed.Event, 0, n)
	for lap := 0; len(evs) < n; lap++ {
		for _, ev := range script[4:] {
			if len(evs) == n {
				break
			}
			e := *ev
			e.Call = ev.Call + "-" + string(rune('a'+lap%26)) + string(rune('a'+lap/26%26))
			e.TS = ev.TS.Add(time.Duration(lap) * 2000 * time.Minute)
			evs = append(evs, &e)
		}
	}
	return append(floorScript(0), evs...)
}

// BenchmarkPublish: what the server adds per event with no client
// connected: seq, encoding, the tracker's fold and the history ring.
func BenchmarkPublish(b *testing.B) {
	evs := benchEvents(b.N)
	s := newServer(b, feed.ServerOptions{})
	b.ResetTimer()
	for i := 0; i < len(evs); i += 100 {
		s.Publish(evs[i:min(i+100, len(evs))]...)
	}
	b.ReportMetric(float64(len(evs))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStream: events published in batches of 100 until a client on
// 127.0.0.1 has folded all of them into a hub: the whole pipe, server fold
// and client decode+fold included.
func BenchmarkStream(b *testing.B) {
	evs := benchEvents(b.N)
	s := newServer(b, feed.ServerOptions{})
	url := serve(b, s)
	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := feed.NewClient(url, hub, feed.ClientOptions{})
	if err != nil {
		b.Fatal(err)
	}
	hub.SetConn(c.Status)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	for hub.Conn().State != feed.ConnLive {
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	for i := 0; i < len(evs); i += 100 {
		s.Publish(evs[i:min(i+100, len(evs))]...)
		if i%20000 == 0 {
			// Stay within the client's send queue, as a live feed does.
			for _, since, _ := hub.Resume(); int64(i)-since > 50000; _, since, _ = hub.Resume() {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}
	for _, since, _ := hub.Resume(); since < int64(len(evs)); _, since, _ = hub.Resume() {
		time.Sleep(50 * time.Microsecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(evs))/b.Elapsed().Seconds(), "events/s")
	if st := hub.Report(floor.All).Feed; st.Gaps+st.BadLines+st.Duplicates != 0 {
		b.Fatalf("the stream was not clean: %+v", st)
	}
}
