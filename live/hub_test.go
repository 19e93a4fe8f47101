package live

import (
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/floor"
)

const (
	hello = `{"type":"hello","v":1,"feed":"f","stream":"s1","seq":3,"ts":"2026-11-23T08:00:00.000Z"}`
	ev1   = `{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:01.000Z","call":"c1","queue":"q"}`
	ev2   = `{"type":"call.offered","seq":2,"ts":"2026-11-23T08:00:02.000Z","call":"c2","queue":"q"}`
	ev3   = `{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:03.000Z","call":"c3","queue":"q"}`
)

func TestFrameStopsAtAGapAndResumes(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	if h.Frame([]byte(hello+"\n"+ev1+"\n"+ev3+"\n")) != true {
		t.Fatal("a jump from 1 to 3 did not ask for a resync")
	}
	stream, since, ok := h.Resume()
	if stream != "s1" || since != 1 || !ok {
		t.Fatalf("resume from %q %d %v, want s1 1", stream, since, ok)
	}
	if h.Frame([]byte(hello + "\n" + ev2 + "\n" + ev3)) {
		t.Fatal("the resumed feed asked for another resync")
	}
	r := h.Report(floor.All)
	if r.Floor.Offered != 3 || r.Feed.Gaps != 1 || r.Feed.Events != 3 {
		t.Errorf("after resync: offered %d, gaps %d, events %d; want 3, 1, 3", r.Floor.Offered, r.Feed.Gaps, r.Feed.Events)
	}
}

func TestSubscribersAreCoalescedAndNeverBlock(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	ch, cancel := h.Subscribe()
	defer cancel()
	// Nobody reads ch while 100 frames go in: the fold must not block.
	for range 100 {
		h.Frame([]byte(hello))
	}
	<-ch
	select {
	case <-ch:
		t.Fatal("100 changes gave more than one pending wake-up")
	default:
	}
}

func TestReportIsCachedUntilAChange(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	h.Frame([]byte(hello + "\n" + ev1))
	a, b := h.Report(floor.All), h.Report(floor.All)
	if a != b {
		t.Error("two reports of the same version were computed twice")
	}
	h.Frame([]byte(ev2))
	if c := h.Report(floor.All); c == a || c.Floor.Offered != 2 {
		t.Errorf("after a change: same report or offered %d", c.Floor.Offered)
	}
}

func TestReplayCountsEveryLine(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	long := `{"type":"call.offered","seq":3,"ts":"2026-11-23T08:00:03.000Z","call":"c3","queue":"q","pad":"` + strings.Repeat("x", 200000) + `"}`
	if err := h.Replay(strings.NewReader(ev1 + "\r\n\n" + "garbage\n" + ev2 + "\n" + long)); err != nil {
		t.Fatal(err)
	}
	st := h.Report(floor.All).Feed
	if st.Events != 3 || st.BadLines != 1 {
		t.Errorf("events %d bad %d, want 3 and 1 (a 200 kB line is still a line)", st.Events, st.BadLines)
	}
}
