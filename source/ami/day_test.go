package ami

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// TestDay plays testdata/asterisk20-day.ami: a caller already waiting at
// connect, an answer within the goal and one over it, a miss, a caller
// hanging up, a timeout, pauses with reasons, a member added and removed.
func TestDay(t *testing.T) {
	g := goals(t, "queues:\n  support: {wrap_s: 10}\n")
	r := play(t, fixture(t, "asterisk20-day.ami"), ami20, source.Options{Goals: g})

	// support's threshold is the PBX's servicelevel, 30 s.
	if q := r.queue(t, "support"); q.SLThresholdS != 30 {
		t.Errorf("sl_threshold_s = %v, want 30 (QueueParams ServiceLevel)", q.SLThresholdS)
	}
	// Offered: c0 (waiting at connect, back-dated to -15), c1, c2, c3 = 4.
	// Answered: c0 after 23 s (within 30), c1 after 34 s (not) = 2.
	// Abandoned: c2 by the caller after 3 s (short), c3 by timeout after
	// 60 s = 2, 1 short.
	// SL (exclude_short) = 1 / (2 + 2 - 1) = 1/3. ASA = (23 + 34) / 2 =
	// 28.5. AHT = wrapped - answered: c0 +78 - +8 = 70, c1 +114 - +44 =
	// 70: 70.
	want := sourcetest.Calls{Offered: 4, Answered: 2, Within: 1, Abandoned: 2, Short: 1,
		ByReason: map[string]int64{feed.ReasonCaller: 1, feed.ReasonTimeout: 1},
		SL:       1.0 / 3, ASA: 28.5, AHT: 70}
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, want)
	sourcetest.CheckCalls(t, "floor", r.report.Floor, want)
	sourcetest.Approx(t, "abandon_rate", r.report.Floor.AbandonRate, 1.0/3) // (2-1)/(4-1)

	if ev := r.find(feed.TypeOffered, "1699999985.16", at(-15)); ev == nil || ev.Caller != "5550100" {
		t.Errorf("c0 is not offered at -15 with its caller: %+v", ev)
	}
	if r.find(feed.TypeAnswered, "1699999985.16", at(8)) == nil || r.find(feed.TypeAnswered, "1700000009.17", at(44)) == nil {
		t.Error("answers are not at the offer plus HoldTime")
	}
	if r.find(feed.TypeWrapped, "1699999985.16", at(78)) == nil {
		t.Error("c0's wrap-up does not end at +78 (wrap_s 10)")
	}
	// Ben: aux Lunch from T to +20; a miss (RingTime in ms), one call.
	sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Handled: 1, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "Ben", sourcetest.AgentWant{Handled: 1, Missed: 1, State: feed.StateAvailable, Aux: map[string]float64{"Lunch": 20}})
	// Cara: added at +120, paused for Training at +130, removed at +200.
	sourcetest.CheckAgent(t, r.report, "Cara", sourcetest.AgentWant{State: feed.StateOffline, Aux: map[string]float64{"Training": 70}})
	if a := r.find(feed.TypeAgentState, "Cara", at(130)); a == nil || a.State != feed.StateAux || a.Reason != "Training" {
		t.Errorf("Cara at +130: %+v", a)
	}
	if r.tally.Malformed != 0 {
		t.Errorf("malformed: %d (%s)", r.tally.Malformed, r.tally.FirstMalformed)
	}
}
