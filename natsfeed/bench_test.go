package natsfeed

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/natsfeed/natstest"
)

// A pipe from a producer to folded consumers: the websocket feed (a feed
// server and its clients) or NATS (a Publisher, the stream and Clients).
type pipe interface {
	publish(evs []*feed.Event)
}

type wsPipe struct{ srv *feed.Server }

func (p wsPipe) publish(evs []*feed.Event) {
	for i := 0; i < len(evs); i += 100 {
		p.srv.Publish(evs[i:min(i+100, len(evs))]...)
	}
}

type natsPipe struct{ p *Publisher }

func (p natsPipe) publish(evs []*feed.Event) { p.p.Publish(evs...) }

// openWS is a feed server on the loopback with consumers clients folding it.
func openWS(b *testing.B, ctx context.Context, consumers int) (pipe, []*live.Hub) {
	srv := feed.NewServer(feed.ServerOptions{Feed: "bench", Tracker: floor.New(floor.Options{})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ctx, ln, "", "")
	var hubs []*live.Hub
	for range consumers {
		hub := live.NewHub(floor.New(floor.Options{}))
		c, err := feed.NewClient("ws://"+ln.Addr().String()+"/", hub, feed.ClientOptions{})
		if err != nil {
			b.Fatal(err)
		}
		go c.Run(ctx)
		eventually(b, 10*time.Second, "the websocket client", func() bool { _, _, ok := hub.Resume(); return ok })
		hubs = append(hubs, hub)
	}
	return wsPipe{srv}, hubs
}

// openNATS is a publisher of a site of its own with consumers clients.
func openNATS(b *testing.B, ctx context.Context, srv *natstest.Server, site string, first *feed.Event, consumers int) (pipe, []*live.Hub) {
	p, _ := publisher(b, srv.URL(), site, first, PublisherOptions{})
	drain(b, p) // the hello: the stream exists
	var hubs []*live.Hub
	for range consumers {
		hub := live.NewHub(floor.New(floor.Options{}))
		c, err := NewClient(srv.URL()+"/"+site, hub, floor.Options{}, Options{Since: time.Now().Add(-time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		go c.Run(ctx)
		eventually(b, 10*time.Second, "the NATS client", func() bool { return c.Sites()[0].CaughtUp })
		hubs = append(hubs, hub)
	}
	return natsPipe{p}, hubs
}

// through publishes evs and returns how long until every consumer has
// folded them all.
func through(b *testing.B, p pipe, hubs []*live.Hub, evs []*feed.Event) time.Duration {
	start := time.Now()
	p.publish(evs)
	for _, h := range hubs {
		folded(b, h, int64(len(evs)))
	}
	return time.Since(start)
}

// folded waits, woken by the hub, until it has folded seq n.
func folded(b *testing.B, h *live.Hub, n int64) {
	changed, stop := h.Subscribe()
	defer stop()
	timeout := time.After(time.Minute)
	for h.Progress().Applied < n {
		select {
		case <-changed:
		case <-timeout:
			b.Fatalf("folded %d of %d events in a minute", h.Progress().Applied, n)
		}
	}
}

// Events per second from a producer to folded consumers through one
// stream, against the websocket feed's fan-out in the same run (each
// iteration runs both on the same events): docs/PERFORMANCE.md.
func BenchmarkNATSAgainstWebsocket(b *testing.B) {
	evs := day(b, "steady-day", 7, 8*time.Hour)
	srv := natstest.Start(b)
	for _, consumers := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("consumers=%d", consumers), func(b *testing.B) {
			var ws, nt time.Duration
			for i := range b.N {
				ctx, cancel := context.WithCancel(context.Background())
				p, hubs := openWS(b, ctx, consumers)
				ws += through(b, p, hubs, evs)
				p, hubs = openNATS(b, ctx, srv, fmt.Sprintf("b%d-%d", consumers, i), evs[0], consumers)
				nt += through(b, p, hubs, evs)
				cancel()
			}
			n := float64(len(evs) * b.N)
			b.ReportMetric(n/ws.Seconds(), "ws-events/s")
			b.ReportMetric(n/nt.Seconds(), "nats-events/s")
			b.ReportMetric(ws.Seconds()/nt.Seconds(), "nats/ws")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// From Publish to the consumer's fold, one event at a time on a quiet
// pipe: the latency a supervisor sees.
func BenchmarkPublishToFold(b *testing.B) {
	evs := day(b, "steady-day", 7, 8*time.Hour)
	srv := natstest.Start(b)
	for _, name := range []string{"websocket", "nats"} {
		b.Run(name, func(b *testing.B) {
			if b.N > len(evs) {
				b.Skipf("%d events, at most %d: set -benchtime", b.N, len(evs))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var p pipe
			var hubs []*live.Hub
			if name == "websocket" {
				p, hubs = openWS(b, ctx, 1)
			} else {
				p, hubs = openNATS(b, ctx, srv, "latency", evs[0], 1)
			}
			b.ResetTimer()
			for i := range b.N {
				p.publish(evs[i : i+1])
				folded(b, hubs[0], int64(i+1))
			}
		})
	}
}
