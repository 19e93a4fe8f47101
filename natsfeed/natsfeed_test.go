package natsfeed

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/natsfeed/natstest"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, server, sites, err string
	}{
		{"nats://127.0.0.1:4222/paris", "nats://127.0.0.1:4222", "paris", ""},
		{"tls://nats.example.com:4222/paris,lisbon/", "tls://nats.example.com:4222", "paris,lisbon", ""},
		{"nats://127.0.0.1:4222", "", "", "name the sites"},
		{"nats://127.0.0.1:4222/paris,paris", "", "", "named twice"},
		{"nats://127.0.0.1:4222/par.is", "", "", "letters, digits"},
		{"nats://me:secret@127.0.0.1:4222/paris", "", "", "no credentials in the URL"},
		{"ws://127.0.0.1:4222/paris", "", "", "want nats:// or tls://"},
	} {
		server, sites, err := ParseURL(tc.url)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.url, err, tc.err)
		case tc.err == "" && (err != nil || server != tc.server || strings.Join(sites, ",") != tc.sites):
			t.Errorf("%s: %q %q %v, want %q %q", tc.url, server, sites, err, tc.server, tc.sites)
		}
		if strings.Contains(fmt.Sprint(err), "secret") {
			t.Errorf("%s: the error shows the password: %v", tc.url, err)
		}
	}
	if _, err := ServerURL("nats://127.0.0.1:4222/paris"); err == nil || !strings.Contains(err.Error(), "--site") {
		t.Errorf("a publisher's URL with a site: %v, want a pointer to --site", err)
	}
}

func TestDayStart(t *testing.T) {
	hour := 6
	g := &floor.Goals{Day: floor.DayGoal{StartHour: &hour, TimeZone: "Europe/Paris"}}
	// 04:30 UTC is 05:30 in Paris in winter: still the day that began
	// yesterday at 06:00 Paris time (05:00 UTC).
	got := DayStart(floor.Options{Goals: g}, time.Date(2026, 11, 25, 4, 30, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 24, 5, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("day start %s, want %s", got.UTC(), want)
	}
}

// A day published to NATS and read back by a client that starts late
// gives exactly the figures of its recording.
func TestPublishedDayReadsAsItsRecording(t *testing.T) {
	srv := natstest.Start(t)
	evs := day(t, "steady-day", 7, time.Hour)
	p, clock := publisher(t, srv.URL(), "paris", evs[0], PublisherOptions{Feed: "steady-day"})
	clock.send(p, evs...)
	drain(t, p)
	hub, c := catchUp(t, srv.URL()+"/paris", floor.Options{})
	if got, want := figures(t, hub.Report(floor.All)), figures(t, recorded(evs)); got != want {
		t.Errorf("read from NATS:\n%s\nwant the recording's:\n%s", got, want)
	}
	if s := c.Sites(); len(s) != 1 || s[0].Hub != hub || hub.Report(floor.All).Feed.Stream != p.Stream() {
		t.Errorf("one site: sites %v, stream %q; want the one, folded into the hub given, and the publisher's stream %q", s, hub.Report(floor.All).Feed.Stream, p.Stream())
	}
}

// A publisher that sends a message again because its acknowledgement was
// lost (the same Nats-Msg-Id twice) has it stored once.
func TestRetryIsStoredOnce(t *testing.T) {
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, StreamConfig(1)); err != nil {
		t.Fatal(err)
	}
	line := feed.Encode(&feed.Event{Type: feed.TypeOffered, Seq: 1, TS: time.Now(), Call: "c1", Queue: "billing"})
	var acks []*jetstream.PubAck
	for range 2 {
		m := nats.NewMsg(Subject("paris"))
		m.Data = line
		m.Header.Set(jetstream.MsgIDHeader, "run1:1")
		ack, err := js.PublishMsg(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, ack)
	}
	s, _ := js.Stream(ctx, StreamName)
	info, _ := s.Info(ctx)
	if info.State.Msgs != 1 || acks[0].Duplicate || !acks[1].Duplicate || acks[1].Sequence != acks[0].Sequence {
		t.Errorf("stored %d messages, acks %+v %+v; want one message, the second ack a duplicate of the first", info.State.Msgs, *acks[0], *acks[1])
	}
}

// A consumer cut off mid-day and started again resumes after the last
// message it folded: the end figures are those of a client that lost
// nothing.
func TestConsumerCutOffMidDayResumes(t *testing.T) {
	srv := natstest.Start(t)
	evs := day(t, "steady-day", 11, time.Hour)
	half := len(evs) / 2
	p, clock := publisher(t, srv.URL(), "paris", evs[0], PublisherOptions{})
	clock.send(p, evs[:half]...)
	drain(t, p)

	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := NewClient(srv.URL()+"/paris", hub, floor.Options{}, Options{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cut := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	eventually(t, 10*time.Second, "the first half", func() bool { return hub.Progress().Applied == int64(half) })
	cut()
	<-done
	if st := c.Status(); st.State != feed.ConnClosed {
		t.Errorf("after the cut the state is %q, want closed", st.State)
	}

	clock.send(p, evs[half:]...)
	drain(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	eventually(t, 10*time.Second, "the rest of the day", func() bool { return hub.Progress().Applied == int64(len(evs)) })
	if got, want := figures(t, hub.Report(floor.All)), figures(t, recorded(evs)); got != want {
		t.Errorf("resumed:\n%s\nwant:\n%s", got, want)
	}
}

// The server stopped mid-day and started again on the same store: the
// publisher holds what it could not send and sends it once, the consumer
// resumes after the last message it folded, and both end with the figures
// of a client that lost nothing.
func TestServerRestartMidDay(t *testing.T) {
	srv := natstest.Start(t)
	evs := day(t, "steady-day", 13, time.Hour)
	third := len(evs) / 3
	p, clock := publisher(t, srv.URL(), "paris", evs[0], PublisherOptions{})
	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := NewClient(srv.URL()+"/paris", hub, floor.Options{}, Options{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)

	clock.send(p, evs[:third]...)
	eventually(t, 10*time.Second, "the first third", func() bool { return hub.Progress().Applied == int64(third) })
	srv.Stop()
	eventually(t, 10*time.Second, "the client to see the server gone", func() bool { return c.Status().State == feed.ConnReconnecting })
	// Published while the server is down: held by the publisher.
	clock.send(p, evs[third:2*third]...)
	srv.Restart()
	clock.send(p, evs[2*third:]...)
	drain(t, p)
	eventually(t, 20*time.Second, "the whole day", func() bool { return hub.Progress().Applied == int64(len(evs)) })
	if got, want := figures(t, hub.Report(floor.All)), figures(t, recorded(evs)); got != want {
		t.Errorf("after the restart:\n%s\nwant:\n%s", got, want)
	}
	if st := c.Status(); st.State != feed.ConnLive {
		t.Errorf("state %q (%s), want live again", st.State, st.Err)
	}
	// Each event is in the stream once.
	fresh, _ := catchUp(t, srv.URL()+"/paris", floor.Options{})
	if st := fresh.Report(floor.All).Feed; st.Duplicates != 0 || st.Gaps != 0 || st.Events != int64(len(evs)) {
		t.Errorf("the stream holds %+v, want each of %d events once", st, len(evs))
	}
}
