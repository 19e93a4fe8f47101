package feed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// closedWith reads until the server closes, failing on anything but the
// close code, heartbeats included: after the end there is nothing to beat.
func (r *rawConn) closedWith(code int) {
	r.t.Helper()
	if len(r.held) > 0 {
		r.t.Fatalf("%s seq %d before the close", r.held[0].Event.Type, r.held[0].Event.Seq)
	}
	r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := r.ws.ReadMessage()
	var ce *websocket.CloseError
	if err == nil || !errors.As(err, &ce) || ce.Code != code {
		r.t.Fatalf("got %q, %v; want close code %d", data, err, code)
	}
}

// A client that connects after the run ended gets the whole run and then
// the same close as the clients that watched it: 1000, the feed is over.
func TestEndedFeedServesLateClients(t *testing.T) {
	s := newServer(t, feed.ServerOptions{Heartbeat: 10 * time.Millisecond})
	url := serve(t, s)
	evs := floorScript(3)
	last := s.Publish(evs...)
	s.End()
	time.Sleep(30 * time.Millisecond) // heartbeat time, had the server any left

	c := dialRaw(t, url+"?since=0", nil)
	c.expect(feed.TypeHello, last)
	for seq := int64(1); seq <= last; seq++ {
		c.expect(evs[seq-1].Type, seq)
	}
	c.closedWith(websocket.CloseNormalClosure)

	// Without since: the run's end state as a snapshot, then the close.
	c = dialRaw(t, url, nil)
	c.expect(feed.TypeHello, last)
	c.expect(feed.TypeSnapshot, last)
	c.closedWith(websocket.CloseNormalClosure)

	// A server going away (a restart) still sends no one anything.
	s2 := newServer(t, feed.ServerOptions{})
	url2 := serve(t, s2)
	s2.Close()
	dialRaw(t, url2, nil).closedWith(websocket.CloseGoingAway)
}

// status --feed of a finished run reads it all; a dashboard's client gets
// it all and stops, told the feed has ended.
func TestFinishedFeedCatchUpAndRun(t *testing.T) {
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	evs := floorScript(20)
	s.Publish(evs...)
	s.End()
	want := cleanReport(t, evs)

	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := feed.NewClient(url, hub, feed.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		t.Fatalf("CatchUp of a finished feed: %v", err)
	}
	if got := reportJSON(t, hub); got != want {
		t.Fatalf("caught up to\n%s\nwant\n%s", got, want)
	}

	hub = live.NewHub(floor.New(floor.Options{}))
	c, _ = feed.NewClient(url, hub, feed.ClientOptions{FromStart: true})
	if err := c.Run(ctx); !errors.Is(err, feed.ErrFeedEnded) {
		t.Fatalf("Run: %v, want ErrFeedEnded", err)
	}
	if got := reportJSON(t, hub); got != want {
		t.Fatalf("ran to\n%s\nwant\n%s", got, want)
	}
	if st := c.Status(); st.State != feed.ConnClosed {
		t.Errorf("status %+v after the end", st)
	}
}
