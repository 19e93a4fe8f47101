package floor

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// historyFloor: three calls in three minutes, the second one late.
//
//	08:00:00 c1 offered, answered 08:00:05 (within 20 s)
//	08:01:00 c2 offered, answered 08:01:30 (late)
//	08:02:10 c3 offered, answered 08:02:20 (within)
//
// and the clock at 08:02:40.
func historyFloor(s *script) {
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20, "sl_target", 0.8)
	s.must(0, "call.offered", "call", "c1", "queue", "q1")
	s.must(5, "call.answered", "call", "c1", "queue", "q1", "agent", "a1")
	s.must(60, "call.offered", "call", "c2", "queue", "q1")
	s.must(90, "call.answered", "call", "c2", "queue", "q1", "agent", "a2")
	s.must(130, "call.offered", "call", "c3", "queue", "q1")
	s.must(140, "call.answered", "call", "c3", "queue", "q1", "agent", "a1")
	s.f.IngestLine(fmt.Appendf(nil, `{"type":"heartbeat","seq":%d,"ts":%q}`, s.seq, ts(160)), s.mode)
}

func series(t *testing.T, what string, got []float64, want map[int]float64, rest float64) {
	t.Helper()
	if len(got) != historyPoints {
		t.Fatalf("%s: %d points, want %d", what, len(got), historyPoints)
	}
	for i, v := range got {
		w, ok := want[i]
		if !ok {
			w = rest
		}
		if v != w && !(math.IsNaN(v) && math.IsNaN(w)) {
			t.Errorf("%s[%d] = %v, want %v", what, i, v, w)
		}
	}
}

// The sparklines' points are minutes of the floor clock; the service level
// at each point is the window's as it stood at that minute's end, and the
// last point is the headline.
func TestHistoryOnTheFloorClock(t *testing.T) {
	s := newScript(t, Options{})
	historyFloor(s)
	nan := math.NaN()

	// Points 57, 58, 59 are 08:00, 08:01 and 08:02 (the minute of now).
	today := s.f.Report(Today)
	h := today.History
	eq(t, "end", h.End, t0.Add(160*time.Second))
	eq(t, "step", h.Step, time.Minute)
	eq(t, "span", h.Span(), time.Hour)
	series(t, "arrivals", h.Arrivals, map[int]float64{57: 1, 58: 1, 59: 1}, 0)
	series(t, "waiting", h.Waiting, map[int]float64{57: 1, 58: 1, 59: 1}, 0)
	// Today at 08:01: c1 alone, 1/1; at 08:02: c1 and c2, 1/2; now: 2/3.
	series(t, "SL today", h.ServiceLevel, map[int]float64{57: 1, 58: 0.5, 59: 2.0 / 3}, nan)
	approx(t, "headline", today.Floor.ServiceLevel, 2.0/3)
	eq(t, "label", h.Labels.ServiceLevel, "SL today so far, at each minute")

	// Over the last 2 minutes: at 08:01, [07:59, 08:01) holds c1: 1/1; at
	// 08:02, c1 and c2: 1/2; now, [08:00:40, 08:02:40] holds c2 and c3: 1/2.
	w2 := s.f.Report(Rolling(2 * time.Minute))
	series(t, "SL 2m", w2.History.ServiceLevel, map[int]float64{57: 1, 58: 0.5, 59: 0.5}, nan)
	approx(t, "2m headline", w2.Floor.ServiceLevel, 0.5)
	eq(t, "2m label", w2.History.Labels.ServiceLevel, "SL over the last 2m, at each minute")
}

// A dashboard that catches up (a hello with the final clock, then the
// history) draws the same hour as one that watched it happen: the points
// are the events' minutes, not the hello's.
func TestHistoryAfterCatchUpIsTheSame(t *testing.T) {
	watched := newScript(t, Options{})
	watched.mode = Live
	watched.f.IngestLine(hello("s", 0, 0), Live)
	historyFloor(watched)

	late := newScript(t, Options{})
	late.mode = Live
	late.f.IngestLine(hello("s", 7, 160), Live) // seven events to come
	if r := late.f.Report(Today); r.CaughtUp {
		t.Fatal("a floor with seven events to come says it has caught up")
	}
	historyFloor(late)

	a, b := watched.f.Report(Today), late.f.Report(Today)
	if !b.CaughtUp {
		t.Fatal("not caught up after the history")
	}
	for _, c := range []struct {
		what       string
		want, have []float64
	}{{"SL", a.History.ServiceLevel, b.History.ServiceLevel}, {"waiting", a.History.Waiting, b.History.Waiting},
		{"arrivals", a.History.Arrivals, b.History.Arrivals}} {
		want := map[int]float64{}
		for i, v := range c.want {
			want[i] = v
		}
		series(t, c.what+" after catch-up", c.have, want, 0)
	}
}
