package live

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/alerts"
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

// abandoned is a caller's call that waited a minute and was abandoned.
func abandoned(seq int, call string) string {
	return fmt.Sprintf(`{"type":"call.offered","seq":%d,"ts":"2026-11-23T08:0%d:00.000Z","call":"%s","queue":"q","caller":"+3361234567%d"}`+"\n"+
		`{"type":"call.abandoned","seq":%d,"ts":"2026-11-23T08:0%d:00.000Z","call":"%s","queue":"q"}`, seq, seq, call, seq, seq+1, seq+1, call)
}

func TestDoneMarksAreSharedAndWakeEveryView(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	h.Frame([]byte(abandoned(1, "c1") + "\n" + abandoned(3, "c3")))
	items := h.Report(floor.All).Recovery
	if len(items) != 2 {
		t.Fatalf("%d recovery items, want 2", len(items))
	}
	ch, cancel := h.Subscribe()
	defer cancel()
	before := h.DoneMarks()
	at := time.Date(2026, 11, 23, 8, 10, 0, 0, time.UTC)
	h.MarkDone(items[0].Key(), "ana", at)
	select {
	case <-ch:
	default:
		t.Error("a mark did not wake the views")
	}
	if d, ok := h.DoneMarks()[items[0].Key()]; !ok || d.By != "ana" || !d.At.Equal(at) {
		t.Errorf("mark = %+v %v, want ana at %s", d, ok, at)
	}
	if len(before) != 0 {
		t.Error("a map handed out before the mark changed under its reader")
	}
	h.Undo(items[0].Key())
	if len(h.DoneMarks()) != 0 {
		t.Errorf("after undo: %v", h.DoneMarks())
	}
}

// Marks stay as bounded as the day's list: a mark whose item has left the
// list (a new day, a new floor) is let go at the next mark.
func TestDoneMarksOfItemsNoLongerListedAreLetGo(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	h.Frame([]byte(abandoned(1, "c1")))
	listed := h.Report(floor.All).Recovery[0].Key()
	h.MarkDone("abandon/gone@2026-11-22T08:00:00.000Z", "ben", time.Time{})
	h.MarkDone(listed, "ana", time.Time{})
	marks := h.DoneMarks()
	if _, ok := marks["abandon/gone@2026-11-22T08:00:00.000Z"]; ok || len(marks) != 1 {
		t.Errorf("marks %v, want only %s", marks, listed)
	}
}

// Marks kept across a restart come back for the items still on the day's
// list, and every change after is told to the hook that keeps them.
func TestDoneMarksRestoredAndKept(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	h.Frame([]byte(abandoned(1, "c1") + "\n" + abandoned(3, "c3")))
	items := h.Report(floor.All).Recovery
	at := time.Date(2026, 11, 23, 8, 10, 0, 0, time.UTC)
	h.RestoreMarks(Marks{Done: map[string]Done{items[1].Key(): {By: "ana", At: at}, "abandon/gone@2026-11-22T08:00:00.000Z": {By: "ben"}},
		Acks: map[string]alerts.Ack{"long_wait:q@gone": {By: "ana"}}})
	if marks := h.DoneMarks(); len(marks) != 1 || marks[items[1].Key()].By != "ana" || len(h.AlertAcks()) != 0 {
		t.Errorf("restored %v and %v, want only ana's mark on %s and no acknowledgement of an alert not in the log",
			marks, h.AlertAcks(), items[1].Key())
	}
	var told []Marks
	h.SetMarksHook(func(m Marks) { told = append(told, m) })
	h.MarkDone(items[0].Key(), "ben", at)
	h.Undo(items[1].Key())
	h.AckAlert("service_level:q@now", "ana", at)
	if len(told) != 3 || len(told[0].Done) != 2 || len(told[1].Done) != 1 || told[1].Done[items[0].Key()].By != "ben" ||
		len(told[2].Done) != 1 || told[2].Acks["service_level:q@now"].By != "ana" {
		t.Errorf("the hook was told %v, want both marks, then ben's alone, then with ana's acknowledgement", told)
	}
}

// A drill run again while a dashboard was away: it resumes the old stream,
// the server (restarted) answers with its new stream and a snapshot of now.
// The hub starts the new floor and asks for the new run from its start, so
// that its counts are the whole run's, not those after the snapshot.
func TestRerunIsReadFromItsStart(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	if h.Frame([]byte(hello + "\n" + ev1 + "\n" + ev2 + "\n" + ev3)) {
		t.Fatal("resync on the first run")
	}
	rerun := `{"type":"hello","v":1,"feed":"f","stream":"s2","seq":5,"ts":"2026-11-23T08:00:02.000Z"}`
	snapshot := `{"type":"snapshot","seq":5,"ts":"2026-11-23T08:00:02.000Z","queues":[],"agents":[],"calls":[]}`
	if !h.Frame([]byte(rerun + "\n" + snapshot)) {
		t.Fatal("a rerun answered with a snapshot did not ask again")
	}
	if stream, since, ok := h.Resume(); stream != "s2" || since != 0 || !ok {
		t.Fatalf("resume from %q %d, want s2 from 0", stream, since)
	}
	r := h.Report(floor.All)
	if r.NewFloor == nil || r.Floor.Offered != 0 || r.Feed.Events != 0 {
		t.Fatalf("after the rerun's hello: new floor %v, %d offered, %d events; want a new, empty floor", r.NewFloor, r.Floor.Offered, r.Feed.Events)
	}
	// Asked from the start, the server sends the run: nothing more to ask.
	first := `{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:01.000Z","call":"c9","queue":"q"}`
	if h.Frame([]byte(rerun + "\n" + first)) {
		t.Fatal("the rerun's history asked for another resync")
	}
	if r := h.Report(floor.All); r.Floor.Offered != 1 || r.NewFloor.Count != 1 {
		t.Errorf("the rerun's history: %d offered, new floor %d; want 1 and still the first new floor", r.Floor.Offered, r.NewFloor.Count)
	}
}

// Acknowledgements are shared by every view and stay as bounded as the
// day's alert log: one whose alert is no longer in it is let go at the
// next acknowledgement.
func TestAlertAcksAreSharedAndBounded(t *testing.T) {
	h := NewHub(floor.New(floor.Options{}))
	h.Frame([]byte(abandoned(1, "c1")))
	ch, cancel := h.Subscribe()
	defer cancel()
	at := time.Date(2026, 11, 23, 8, 10, 0, 0, time.UTC)
	h.AckAlert("long_wait:q@gone", "ana", at)
	select {
	case <-ch:
	default:
		t.Error("an acknowledgement did not wake the views")
	}
	if a := h.AlertAcks()["long_wait:q@gone"]; a.By != "ana" || !a.At.Equal(at) {
		t.Errorf("ack = %+v, want ana's at %s", a, at)
	}
	h.AckAlert("service_level:q@now", "ben", at)
	if acks := h.AlertAcks(); len(acks) != 1 || acks["service_level:q@now"].By != "ben" {
		t.Errorf("acks %v, want only ben's: the other's alert is not in the log", acks)
	}
}
