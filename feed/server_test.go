package feed_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// A fresh connection gets hello and a snapshot at the feed's last seq, then
// every event published after it, then heartbeats naming the last seq sent.
func TestServerHelloSnapshotThenLive(t *testing.T) {
	s := newServer(t, feed.ServerOptions{Heartbeat: 20 * time.Millisecond})
	url := serve(t, s)
	evs := floorScript(1) // queue.config, a1..a3, then call c0's events
	s.Publish(evs[:4]...) // seq 1..4: the queue and the three agents
	c := dialRaw(t, url, nil)

	hello := c.expect(feed.TypeHello, 4)
	if hello.Event.Stream != s.Stream() || hello.Event.Feed != "test" || len(s.Stream()) != 16 {
		t.Fatalf("hello stream %q feed %q, want stream %q feed test", hello.Event.Stream, hello.Event.Feed, s.Stream())
	}
	snap := c.expect(feed.TypeSnapshot, 4).Event.Snapshot
	if len(snap.Queues) != 1 || snap.Queues[0].Queue != "support" || len(snap.Agents) != 3 || len(snap.Calls) != 0 {
		t.Fatalf("snapshot %+v: want the support queue, 3 agents, no calls", snap)
	}

	s.Publish(evs[4])
	if d := c.expect(feed.TypeOffered, 5); d.Event.Call != "c0" {
		t.Fatalf("live event is for call %q, want c0", d.Event.Call)
	}
	for {
		d := c.next(true)
		if d.Event.Type == feed.TypeHeartbeat {
			if d.Event.Seq != 5 {
				t.Fatalf("heartbeat seq %d, want 5 (the last seq sent)", d.Event.Seq)
			}
			break
		}
		t.Fatalf("unexpected %s", d.Event.Type)
	}
}

// ?since=N&stream=ID resumes without a snapshot; ?since=0 replays the
// whole history; another stream's position gets a snapshot.
func TestServerResume(t *testing.T) {
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	evs := floorScript(3)
	s.Publish(evs[:10]...)

	c := dialRaw(t, url+"?since=6&stream="+s.Stream(), nil)
	c.expect(feed.TypeHello, 10)
	for seq := int64(7); seq <= 10; seq++ {
		c.expect(evs[seq-1].Type, seq) // a snapshot here would fail
	}

	all := dialRaw(t, url+"?since=0", nil)
	all.expect(feed.TypeHello, 10)
	for seq := int64(1); seq <= 10; seq++ {
		if d := all.next(false); d.Event.Seq != seq || d.Event.Type == feed.TypeSnapshot {
			t.Fatalf("since=0: got %s seq %d, want event seq %d", d.Event.Type, d.Event.Seq, seq)
		}
	}

	other := dialRaw(t, url+"?since=6&stream=0123456789abcdef", nil)
	other.expect(feed.TypeHello, 10)
	other.expect(feed.TypeSnapshot, 10)

	caughtUp := dialRaw(t, url+"?since=10&stream="+s.Stream(), nil)
	caughtUp.expect(feed.TypeHello, 10)
	s.Publish(evs[10])
	caughtUp.expect(evs[10].Type, 11)
}

func TestServerResumeSeqCheck(t *testing.T) {
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	for _, q := range []string{"?since=abc", "?since=-1"} {
		_, resp, err := websocket.DefaultDialer.Dial(url+q, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: err %v resp %v, want 400", q, err, resp)
		}
	}
}

// The ring keeps the last History events: older positions get a snapshot,
// and ?since=0 gets Base's snapshot of the state just before the oldest
// retained event, then the retained events.
func TestServerHistoryRing(t *testing.T) {
	evs := floorScript(2)
	// seq 1..12: config, a1, a2, a3, offered c0, answered c0, ended c0,
	// wrapped c0, survey c0, offered c1, answered c1, ended c1.
	s := newServer(t, feed.ServerOptions{History: 5, Base: floor.New(floor.Options{})})
	url := serve(t, s)
	s.Publish(evs[:12]...) // the ring holds 8..12; 1..7 went into Base

	c := dialRaw(t, url+"?since=7&stream="+s.Stream(), nil)
	c.expect(feed.TypeHello, 12)
	for seq := int64(8); seq <= 12; seq++ {
		c.expect(evs[seq-1].Type, seq)
	}

	old := dialRaw(t, url+"?since=6&stream="+s.Stream(), nil)
	old.expect(feed.TypeHello, 12)
	old.expect(feed.TypeSnapshot, 12)

	all := dialRaw(t, url+"?since=0", nil)
	all.expect(feed.TypeHello, 12)
	snap := all.expect(feed.TypeSnapshot, 7)
	// After seq 7 call c0 has ended and is in wrap-up with a1.
	calls := snap.Event.Snapshot.Calls
	if len(calls) != 1 || calls[0].Call != "c0" || calls[0].Agent != "a1" || calls[0].Ended.IsZero() {
		t.Fatalf("base snapshot calls %+v, want c0 in wrap-up with a1", calls)
	}
	if !snap.Event.TS.Equal(evs[6].TS) {
		t.Fatalf("base snapshot ts %v, want %v (the ts of seq 7)", snap.Event.TS, evs[6].TS)
	}
	for seq := int64(8); seq <= 12; seq++ {
		all.expect(evs[seq-1].Type, seq)
	}

	noBase := newServer(t, feed.ServerOptions{History: 5})
	noBase.Publish(floorScript(2)[:12]...)
	nb := dialRaw(t, serve(t, noBase)+"?since=0", nil)
	nb.expect(feed.TypeHello, 12)
	nb.expect(feed.TypeSnapshot, 12)
}

func TestServerToken(t *testing.T) {
	s := newServer(t, feed.ServerOptions{Token: "s3cret"})
	url := serve(t, s)
	for name, h := range map[string]http.Header{
		"none":  nil,
		"wrong": {"Authorization": {"Bearer nope"}},
		"bare":  {"Authorization": {"s3cret"}},
	} {
		_, resp, err := websocket.DefaultDialer.Dial(url, h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s token: err %v resp %v, want 401", name, err, resp)
		}
	}
	c := dialRaw(t, url, http.Header{"Authorization": {"Bearer s3cret"}})
	c.expect(feed.TypeHello, 0)
}

// A client that stops reading is closed with CloseTooSlow once SendBudget
// bytes pile up for it, while a client that reads gets every event in
// order, never held up.
func TestServerDropsSlowConsumer(t *testing.T) {
	s := newServer(t, feed.ServerOptions{SendBudget: 256 << 10, Tracker: discard{}})
	url := serve(t, s)

	fast := dialRaw(t, url, nil)
	fast.expect(feed.TypeHello, 0)
	fast.expect(feed.TypeSnapshot, 0)

	// The slow client reads nothing, so its socket buffers fill (under 1 MB
	// here) and the server's writes to it block.
	slow, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()

	evs := floorScript(25000) // ~96,000 events, ~13 MB on the wire
	var got atomic.Int64
	fastDone := make(chan error, 1)
	go func() { fastDone <- readSeqs(fast.ws, int64(len(evs)), &got) }()

	slowClose := make(chan error, 1)
	dropped := false
	for i := 0; i < len(evs); i += 40 {
		// The fast client keeps up: the publisher never runs more than 200
		// events (some 30 KB) ahead of it. The slow one reads nothing at all.
		for int64(i)-got.Load() > 200 {
			select {
			case err := <-fastDone:
				t.Fatalf("fast client: %v", err)
			case <-time.After(100 * time.Microsecond):
			}
		}
		s.Publish(evs[i:min(i+40, len(evs))]...)
		if !dropped && s.Clients() == 1 {
			dropped = true
			go func() {
				// Read through the backlog to the close frame.
				for {
					slow.SetReadDeadline(time.Now().Add(5 * time.Second))
					if _, _, err := slow.ReadMessage(); err != nil {
						slowClose <- err
						return
					}
				}
			}()
		}
	}
	if !dropped {
		t.Fatal("the slow client was never dropped")
	}
	select {
	case err := <-fastDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("fast client stuck at seq %d of %d", got.Load(), len(evs))
	}
	if s.Clients() != 1 {
		t.Fatalf("%d clients, want only the fast one", s.Clients())
	}
	err = <-slowClose
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != feed.CloseTooSlow || ce.Text != "floorwatch: more than 256 KiB waiting for this client; reconnect with ?since=" {
		t.Fatalf("slow client ended with %v, want close code %d and the reason", err, feed.CloseTooSlow)
	}
}

// readSeqs reads frames until it has seen seq last, checking that event
// seqs run 1, 2, 3, ... with nothing missing; got follows its progress.
func readSeqs(ws *websocket.Conn, last int64, got *atomic.Int64) error {
	for got.Load() < last {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("after seq %d: %w", got.Load(), err)
		}
		var out error
		feed.EachLine(data, func(line []byte) bool {
			d := feed.Decode(line)
			if d.Event.Type == feed.TypeHeartbeat {
				return true
			}
			if d.Event.Seq != got.Load()+1 {
				out = fmt.Errorf("got seq %d after %d", d.Event.Seq, got.Load())
				return false
			}
			got.Store(d.Event.Seq)
			return true
		})
		if out != nil {
			return out
		}
	}
	return nil
}

// discard tracks nothing: for tests about transport alone.
type discard struct{}

func (discard) Track([]byte)            {}
func (discard) Snapshot() feed.Snapshot { return feed.Snapshot{} }

// Close sends what was published, then 1001; End sends it, then 1000.
func TestServerCloseAndEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(*feed.Server)
		code int
	}{
		{"close", (*feed.Server).Close, websocket.CloseGoingAway},
		{"end", (*feed.Server).End, websocket.CloseNormalClosure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, feed.ServerOptions{})
			c := dialRaw(t, serve(t, s), nil)
			c.expect(feed.TypeHello, 0)
			c.expect(feed.TypeSnapshot, 0)
			s.Publish(floorScript(0)...)
			tc.stop(s)
			if s.Publish(floorScript(1)[4]) != 4 {
				t.Fatal("a stopped server published")
			}
			for seq := int64(1); seq <= 4; seq++ {
				c.expect(floorScript(0)[seq-1].Type, seq)
			}
			c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			for {
				_, _, err := c.ws.ReadMessage()
				if err == nil {
					continue // a heartbeat
				}
				var ce *websocket.CloseError
				if !errors.As(err, &ce) || ce.Code != tc.code {
					t.Fatalf("ended with %v, want close code %d", err, tc.code)
				}
				break
			}
		})
	}
}

// Serve binds where it is told and stops when its context ends.
func TestServerServeStops(t *testing.T) {
	s := newServer(t, feed.ServerOptions{})
	ln := mustListen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, "", "") }()
	c := dialRaw(t, "ws://"+ln.Addr().String()+"/", nil)
	c.expect(feed.TypeHello, 0)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if err := s.Serve(context.Background(), mustListen(t), "cert.pem", ""); err == nil {
		t.Fatal("Serve accepted a certificate without a key")
	}
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
