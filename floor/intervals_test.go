package floor

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// secAt is t as a script's seconds after t0.
func secAt(t time.Time) float64 { return t.Sub(t0).Seconds() }

// intervalWant is an interval's figures worked out by hand; nil ratios are
// null.
type intervalWant struct {
	start                                       string // RFC 3339
	offered, answered, within, abandoned, short int64
	sl, asa, aht, abandonRate                   *float64
	reasons                                     map[string]int64
	inProgress                                  bool
}

func f64(v float64) *float64 { return &v }

func checkIntervals(t *testing.T, what string, got []Interval, want []intervalWant) {
	t.Helper()
	if len(got) != len(want) {
		starts := make([]string, len(got))
		for i, iv := range got {
			starts[i] = iv.Start.UTC().Format(time.RFC3339)
		}
		t.Fatalf("%s: %d intervals %v, want %d", what, len(got), starts, len(want))
	}
	for i, w := range want {
		g, at := got[i], what+" "+w.start
		eq(t, at+" start", g.Start.UTC().Format(time.RFC3339), w.start)
		eq(t, at+" offered", g.Offered, w.offered)
		eq(t, at+" answered", g.Answered, w.answered)
		eq(t, at+" answered_within", g.AnsweredWithin, w.within)
		eq(t, at+" abandoned", g.Abandoned, w.abandoned)
		eq(t, at+" short_abandoned", g.ShortAbandoned, w.short)
		for _, r := range []struct {
			name      string
			got, want *float64
		}{{"service_level", g.ServiceLevel, w.sl}, {"asa_s", g.ASAS, w.asa}, {"aht_s", g.AHTS, w.aht},
			{"abandon_rate", g.AbandonRate, w.abandonRate}} {
			if r.want == nil {
				isNull(t, at+" "+r.name, r.got)
			} else {
				approx(t, at+" "+r.name, r.got, *r.want)
			}
		}
		reasons := w.reasons
		if reasons == nil {
			reasons = map[string]int64{}
		}
		byReason(t, at, g.AbandonedByReason, reasons)
		eq(t, at+" in progress", g.InProgress, w.inProgress)
	}
}

// dayFloor: two queues, calls on and around the half-hours of 08:00-10:30
// UTC (t0 is 08:00), worked out by hand in TestIntervalsWorkedByHand.
func dayFloor(t *testing.T) *script {
	s := newScript(t, Options{})
	s.must(0, "queue.config", "queue", "q1", "sl_threshold_s", 20, "short_abandon_s", 5)
	s.must(1790, "call.offered", "call", "c1", "queue", "q1")                 // 08:29:50
	s.must(1800, "call.offered", "call", "c2", "queue", "q1")                 // 08:30:00, on the boundary
	s.must(1803, "call.abandoned", "call", "c2", "queue", "q1")               // 3 s: short
	s.must(1805, "call.answered", "call", "c1", "queue", "q1", "agent", "a1") // 08:30:05, waited 15 s
	s.must(1980, "call.ended", "call", "c1", "agent", "a1")                   // 08:33
	s.must(2105, "call.wrapped", "call", "c1", "agent", "a1")                 // 08:35:05: 300 s from the answer
	s.must(3540, "call.offered", "call", "c3", "queue", "q1")                 // 08:59
	s.must(3600, "call.abandoned", "call", "c3", "queue", "q1")               // 09:00:00 on the boundary, 60 s
	s.must(4200, "call.offered", "call", "c5", "queue", "q2")                 // 09:10, q2's first call
	s.must(4210, "call.answered", "call", "c5", "queue", "q2", "agent", "a2") // 10 s
	s.must(7500, "call.offered", "call", "c4", "queue", "q1")                 // 10:05
	s.must(7530, "call.answered", "call", "c4", "queue", "q1", "agent", "a1") // 30 s: late
	s.must(7560, "call.ended", "call", "c4", "agent", "a1")                   //
	s.must(7710, "call.wrapped", "call", "c4", "agent", "a1")                 // 10:08:30: 180 s
	return s
}

func TestIntervalsWorkedByHand(t *testing.T) {
	s := dayFloor(t)
	r := s.f.Report(All.WithIntervals(30 * time.Minute))
	eq(t, "interval size", r.IntervalSize, 30*time.Minute)
	// q1 (exclude_short): c1 is offered at 08:29:50 and answered at
	// 08:30:05, so its offer is in 08:00 and its answer, wait and AHT
	// sample in 08:30; c2, offered on the 08:30 boundary, is 08:30's, and
	// so is c3's offer at 08:59; c3's abandon at 09:00:00 is 09:00's. 09:30
	// has no call; 10:00 holds now.
	checkIntervals(t, "q1", queueOf(t, r, "q1").Intervals, []intervalWant{
		{start: "2026-11-23T08:00:00Z", offered: 1, abandonRate: f64(0)}, // nothing judged: SL null
		{start: "2026-11-23T08:30:00Z", offered: 2, answered: 1, within: 1, abandoned: 1, short: 1, // SL 1/(1+1-1)
			sl: f64(1), asa: f64(15), aht: f64(300), abandonRate: f64(0), reasons: map[string]int64{"caller": 1}}, // (1-1)/(2-1)
		{start: "2026-11-23T09:00:00Z", abandoned: 1, sl: f64(0), reasons: map[string]int64{"caller": 1}}, // 0/(0+1); abandon rate 1/0: null
		{start: "2026-11-23T09:30:00Z"},
		{start: "2026-11-23T10:00:00Z", offered: 1, answered: 1, sl: f64(0), asa: f64(30), aht: f64(180),
			abandonRate: f64(0), inProgress: true},
	})
	// q2's list starts at its own first call.
	checkIntervals(t, "q2", queueOf(t, r, "q2").Intervals, []intervalWant{
		{start: "2026-11-23T09:00:00Z", offered: 1, answered: 1, within: 1, sl: f64(1), asa: f64(10), abandonRate: f64(0)},
		{start: "2026-11-23T09:30:00Z"},
		{start: "2026-11-23T10:00:00Z", inProgress: true},
	})
	// The floor adds the queues up: 09:00 is q1's late abandon and q2's
	// answer within goal, 1 / (1 + 1).
	floor := r.Floor.Intervals
	checkIntervals(t, "floor", floor[2:3], []intervalWant{
		{start: "2026-11-23T09:00:00Z", offered: 1, answered: 1, within: 1, abandoned: 1, sl: f64(0.5), asa: f64(10),
			abandonRate: f64(1), reasons: map[string]int64{"caller": 1}},
	})
	eq(t, "floor intervals", len(floor), 5)

	// Over the same span the intervals add up to the window's figures.
	var sum Metrics
	for _, iv := range floor {
		sum.Offered += iv.Offered
		sum.Answered += iv.Answered
		sum.AnsweredWithin += iv.AnsweredWithin
		sum.Abandoned += iv.Abandoned
		sum.ShortAbandoned += iv.ShortAbandoned
	}
	m := r.Floor
	if sum.Offered != m.Offered || sum.Answered != m.Answered || sum.AnsweredWithin != m.AnsweredWithin ||
		sum.Abandoned != m.Abandoned || sum.ShortAbandoned != m.ShortAbandoned {
		t.Errorf("intervals add up to %+v, the window says %+v", sum, m)
	}
	if !r.IntervalsFrom.IsZero() {
		t.Errorf("intervals from %v: nothing was let go", r.IntervalsFrom)
	}

	// Fifteen minutes: c1's offer (08:29:50) and answer (08:30:05) fall in
	// 08:15 and 08:30, c3's offer in 08:45.
	r15 := s.f.Report(All.WithIntervals(15 * time.Minute))
	q1 := queueOf(t, r15, "q1").Intervals
	eq(t, "15m intervals from 08:15 to 10:00", len(q1), 8)
	eq(t, "08:15 offered", q1[0].Offered, 1)
	eq(t, "08:45 offered", q1[2].Offered, 1)
	eq(t, "10:00 ends at", q1[7].End, t0.Add(2*time.Hour+15*time.Minute))

	// Without --intervals the JSON has no intervals; with them, each list
	// is there, [] for a queue with no call.
	s.must(7800, "queue.config", "queue", "q3")
	b, _ := json.Marshal(s.f.Report(All))
	if strings.Contains(string(b), `"intervals"`) {
		t.Errorf("intervals without asking: %s", b)
	}
	b, _ = json.Marshal(s.f.Report(All.WithIntervals(time.Hour)))
	if !strings.Contains(string(b), `"queue":"q3","name":"","offered":0`) || !strings.Contains(string(b), `"intervals":[]`) ||
		!strings.Contains(string(b), `"intervals":[{"start":"2026-11-23T08:00:00.000Z","offered":3,`) {
		t.Errorf("JSON: %s", b)
	}
}

// An event exactly on a boundary belongs to the interval that starts there;
// now on a boundary is the first instant of the interval in progress.
func TestIntervalBoundaries(t *testing.T) {
	s := dayFloor(t)
	s.must(9000, "call.offered", "call", "c6", "queue", "q1") // 10:30:00 exactly
	r := s.f.Report(All.WithIntervals(30 * time.Minute))
	q1 := queueOf(t, r, "q1").Intervals
	last := q1[len(q1)-1]
	eq(t, "last interval", last.Start.UTC(), t0.Add(150*time.Minute))
	eq(t, "its offers", last.Offered, 1)
	eq(t, "in progress", last.InProgress, true)
	eq(t, "the one before holds c4 only", q1[len(q1)-2].Offered, 1)
}

// The rolling and today windows start their lists at the interval that holds
// the window's start: each interval's own figures, whole.
func TestIntervalsOfEachWindow(t *testing.T) {
	s := dayFloor(t)
	r := s.f.Report(Rolling(time.Hour).WithIntervals(30 * time.Minute)) // now 10:08:30: from 09:08:30
	q1 := queueOf(t, r, "q1").Intervals
	eq(t, "q1's first interval in the last hour", q1[0].Start.UTC(), t0.Add(time.Hour)) // 09:00 holds the window's start
	eq(t, "q1 intervals", len(q1), 3)
	eq(t, "09:00 is whole", q1[0].Abandoned, 1)
	r = s.f.Report(Today.WithIntervals(time.Hour))
	eq(t, "today's floor intervals", len(r.Floor.Intervals), 3) // 08:00, 09:00, 10:00
	eq(t, "day start", r.DayStart, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
}

// A night shift in India: the day starts at local midnight, 18:30 UTC, and
// hourly intervals are aligned to the local clock, on the half hours of
// UTC.
func TestIntervalsAcrossMidnightInAZone(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	s := newScript(t, Options{Location: kolkata})
	at := func(h, m, sec int) float64 { return secAt(time.Date(2026, 11, 23, h, m, sec, 0, kolkata)) }
	s.must(at(23, 10, 0), "call.offered", "call", "n1", "queue", "q1")
	s.must(at(23, 10, 10), "call.answered", "call", "n1", "queue", "q1", "agent", "a1")
	s.must(at(23, 59, 50), "call.offered", "call", "n2", "queue", "q1")
	s.must(at(24, 0, 5), "call.answered", "call", "n2", "queue", "q1", "agent", "a2") // 00:00:05 the next day
	s.must(at(24, 40, 0), "call.offered", "call", "n3", "queue", "q1")
	all := s.f.Report(All.WithIntervals(time.Hour))
	checkIntervals(t, "all", all.Floor.Intervals, []intervalWant{
		{start: "2026-11-23T17:30:00Z", offered: 2, answered: 1, within: 1, sl: f64(1), asa: f64(10), abandonRate: f64(0)},
		{start: "2026-11-23T18:30:00Z", offered: 1, answered: 1, within: 1, sl: f64(1), asa: f64(15), abandonRate: f64(0), inProgress: true},
	})
	today := s.f.Report(Today.WithIntervals(time.Hour))
	eq(t, "the day starts at local midnight", today.DayStart, time.Date(2026, 11, 24, 0, 0, 0, 0, kolkata).UTC())
	checkIntervals(t, "today", today.Floor.Intervals, []intervalWant{
		{start: "2026-11-23T18:30:00Z", offered: 1, answered: 1, within: 1, sl: f64(1), asa: f64(15), abandonRate: f64(0), inProgress: true},
	})
	// Today's figures are the sum of today's intervals.
	eq(t, "today offered", today.Floor.Offered, 1)
	eq(t, "today answered", today.Floor.Answered, 1)
	var b strings.Builder
	if err := WriteText(&b, all); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"floor by 1h (Asia/Kolkata)", "2026-11-23 23:00 IST", "2026-11-24 00:00 IST"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// Europe/Paris: when the clocks go back, 02:00-03:00 happens twice and is
// two intervals; when they go forward it never happens and is none. Lord
// Howe Island moves by half an hour: the hourly interval across its change
// lasts 90 minutes, and none overlaps another.
func TestIntervalsAcrossDaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(y int, mo time.Month, d, h, m int) float64 {
		return secAt(time.Date(y, mo, d, h, m, 0, 0, time.UTC))
	}
	s := newScript(t, Options{Location: paris})
	// 25 October 2026: 03:00 CEST (01:00 UTC) becomes 02:00 CET.
	s.must(utc(2026, 10, 24, 23, 30), "call.offered", "call", "a", "queue", "q1") // 01:30 CEST
	s.must(utc(2026, 10, 25, 0, 30), "call.offered", "call", "b", "queue", "q1")  // 02:30 CEST
	s.must(utc(2026, 10, 25, 1, 30), "call.offered", "call", "c", "queue", "q1")  // 02:30 CET
	s.must(utc(2026, 10, 25, 2, 30), "call.offered", "call", "d", "queue", "q1")  // 03:30 CET
	r := s.f.Report(All.WithIntervals(time.Hour))
	checkIntervals(t, "fall back", r.Floor.Intervals, []intervalWant{
		{start: "2026-10-24T23:00:00Z", offered: 1, abandonRate: f64(0)},
		{start: "2026-10-25T00:00:00Z", offered: 1, abandonRate: f64(0)},
		{start: "2026-10-25T01:00:00Z", offered: 1, abandonRate: f64(0)},
		{start: "2026-10-25T02:00:00Z", offered: 1, abandonRate: f64(0), inProgress: true},
	})
	var b strings.Builder
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}

	s = newScript(t, Options{Location: paris})
	// 29 March 2026: 02:00 CET (01:00 UTC) becomes 03:00 CEST.
	s.must(utc(2026, 3, 29, 0, 30), "call.offered", "call", "a", "queue", "q1") // 01:30 CET
	s.must(utc(2026, 3, 29, 1, 30), "call.offered", "call", "b", "queue", "q1") // 03:30 CEST
	r = s.f.Report(All.WithIntervals(30 * time.Minute))
	checkIntervals(t, "spring forward", r.Floor.Intervals, []intervalWant{
		{start: "2026-03-29T00:30:00Z", offered: 1, abandonRate: f64(0)}, // 01:30 CET
		{start: "2026-03-29T01:00:00Z"},                                  // 03:00 CEST
		{start: "2026-03-29T01:30:00Z", offered: 1, abandonRate: f64(0), inProgress: true},
	})

	lordHowe, err := time.LoadLocation("Australia/Lord_Howe")
	if err != nil {
		t.Fatal(err)
	}
	s = newScript(t, Options{Location: lordHowe})
	// 5 April 2026, 02:00 +11 (15:00 UTC) becomes 01:30 +10:30.
	s.must(utc(2026, 4, 4, 13, 10), "call.offered", "call", "a", "queue", "q1")
	s.must(utc(2026, 4, 4, 17, 10), "call.offered", "call", "b", "queue", "q1")
	list := s.f.Report(All.WithIntervals(time.Hour)).Floor.Intervals
	eq(t, "hours from 00:00 +11 to 03:00 +10:30", len(list), 4) // 00:00, 01:00 (90 min), 02:00, 03:00
	for i, iv := range list {
		if iv.Start.In(lordHowe).Minute() != 0 {
			t.Errorf("%v does not start on the local hour", iv.Start.In(lordHowe))
		}
		if i > 0 && !list[i-1].End.Equal(iv.Start.Time) {
			t.Errorf("interval %d starts at %v, the one before ends at %v", i, iv.Start, list[i-1].End)
		}
		if want := time.Hour; iv.Start.UTC().Hour() == 14 {
			if got := iv.End.Sub(iv.Start.Time); got != want+30*time.Minute {
				t.Errorf("the interval across the change lasts %v", got)
			}
		}
	}
}

// Intervals reach back a week: a longer recording keeps every call in the
// window's figures and says where its intervals begin.
func TestIntervalsKeepAWeek(t *testing.T) {
	s := newScript(t, Options{})
	for day := range 9 {
		sec := float64(day) * 86400
		s.must(sec, "call.offered", "call", "d"+string(rune('0'+day)), "queue", "q1")
	}
	r := s.f.Report(All.WithIntervals(time.Hour))
	eq(t, "offered", r.Floor.Offered, 9)
	first := r.Floor.Intervals[0]
	eq(t, "first interval", first.Start.UTC(), t0.Add(2*24*time.Hour)) // the oldest kept whole hour with a call
	want := t0.Add(8 * 24 * time.Hour).Truncate(15 * time.Minute).Add(-(maxQuarters - 1) * 15 * time.Minute)
	eq(t, "intervals from", r.IntervalsFrom, want.Add(45*time.Minute)) // the first whole hour
	if n := len(s.f.queues["q1"].quarters.slots); n > maxQuarters {
		t.Errorf("q1 keeps %d quarters", n)
	}
}
