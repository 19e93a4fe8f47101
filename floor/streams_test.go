package floor

import (
	"fmt"
	"testing"
	"time"
)

// hello is a feed's hello line on stream at t0+sec announcing seq.
func hello(stream string, seq int64, sec float64) []byte {
	return fmt.Appendf(nil, `{"type":"hello","v":1,"feed":"drill","stream":%q,"seq":%d,"ts":%q}`, stream, seq, ts(sec))
}

// A simulation run again from its start (a new stream whose clock is
// behind the floor's) starts a new floor: nothing of the first run is
// added to the second, and the report says a new floor began. A new stream
// that carries on the clock (a feed server restarted mid-day) keeps the
// floor.
func TestRerunStartsANewFloor(t *testing.T) {
	g, err := ParseGoals([]byte("alerts: {long_wait: 1}"))
	if err != nil {
		t.Fatal(err)
	}
	s := newScript(t, Options{Goals: g})
	s.mode = Live
	s.f.IngestLine(hello("run1", 0, 0), Live)
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20)
	s.must(0, "agent.state", "agent", "a1", "state", "available", "queues", []string{"q1"})
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(30, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(60, "call.offered", "call", "c2", "queue", "q1")
	// c2 has waited 60 s ≥ 1 × 20 s at 08:02: a long-wait alert.
	s.f.IngestLine(fmt.Appendf(nil, `{"type":"heartbeat","seq":%d,"ts":%q}`, s.seq, ts(3600)), Live)
	before := s.f.Report(Today)
	eq(t, "first run offered", before.Floor.Offered, 2)
	if len(before.Alerts) != 1 || before.Alerts[0].Kind != AlertLongWait || !before.Alerts[0].Began.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("first run alerts %+v, want one long wait from 08:02", before.Alerts)
	}
	if before.NewFloor != nil {
		t.Fatalf("NewFloor %+v before any rerun", before.NewFloor)
	}

	// The drill again from 08:00.
	s.f.IngestLine(hello("run2", 0, 0), Live)
	r := s.f.Report(Today)
	want := NewFloor{Count: 1, Stream: "run2", At: t0, Previous: t0.Add(time.Hour)}
	if r.NewFloor == nil || *r.NewFloor != want {
		t.Fatalf("NewFloor = %+v, want %+v", r.NewFloor, want)
	}
	eq(t, "now", r.Now.Time, t0)
	eq(t, "queues", len(r.Queues), 0)
	eq(t, "agents", len(r.Agents), 0)
	eq(t, "events", r.Feed.Events, 0)
	eq(t, "alerts", len(r.Alerts), 0)
	eq(t, "feed name kept", r.Feed.Name, "drill")
	// The same call ids again are new calls, not contradictions.
	s.seq = 0
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(5, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	r = s.f.Report(Today)
	eq(t, "second run offered", r.Floor.Offered, 1)
	approx(t, "second run SL", r.Floor.ServiceLevel, 1)

	// A restarted server that carries on the clock keeps the floor.
	s.f.IngestLine(hello("run3", 0, 10), Live)
	s.seq = 0
	s.must(20, "call.offered", "call", "c3", "queue", "q1")
	r = s.f.Report(Today)
	eq(t, "offered across a restart", r.Floor.Offered, 2)
	eq(t, "still the first rerun", r.NewFloor.Count, 1)

	// A second rerun is counted, so a view that showed the first banner
	// knows there is another.
	s.f.IngestLine(hello("run4", 0, 0), Live)
	eq(t, "reruns", s.f.Report(Today).NewFloor.Count, 2)
}
