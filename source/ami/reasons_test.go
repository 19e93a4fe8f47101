package ami

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// TestAbandonReasons plays testdata/asterisk18-reasons.ami: each way a
// caller leaves a queue unanswered, told apart by what comes around the
// QueueCallerAbandon, and an answer whose AgentConnect comes 5 s after
// the Leave.
func TestAbandonReasons(t *testing.T) {
	r := play(t, fixture(t, "asterisk18-reasons.ami"), "7.0.3", source.Options{})

	// support: offered r1, r2, r4, r5, r7; answered r2 after 13 s
	// (within 20); abandoned r1 (exit key), r4 (withdrawn), r5 and r7
	// (timeout), each after 30 s. SL = 1 / (1 + 4) = 0.2; ASA 13; AHT
	// +95 - +63 = 32.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 5, Answered: 1, Within: 1, Abandoned: 4,
		ByReason: map[string]int64{feed.ReasonExitKey: 1, feed.ReasonWithdraw: 1, feed.ReasonTimeout: 2},
		SL:       0.2, ASA: 13, AHT: 32})
	// sales: r3 (QUEUESTATUS LEAVEEMPTY) and r6 (Dan paused, no
	// QUEUESTATUS) abandoned with no_agents, r7 by its caller after 9 s
	// (not short); SL 0 / 3.
	sourcetest.CheckCalls(t, "sales", r.queue(t, "sales").Metrics, sourcetest.Calls{Offered: 3, Abandoned: 3,
		ByReason: map[string]int64{feed.ReasonNoAgents: 2, feed.ReasonCaller: 1}, SL: 0, ASA: sourcetest.Null, AHT: sourcetest.Null})
	if r.find(feed.TypeAbandoned, "1700000220.43", at(250)) == nil || r.find(feed.TypeOffered, "1700000220.43", at(251)) == nil {
		t.Error("r7 is not abandoned in support at +250 and offered in sales at +251")
	}
	if q := r.queue(t, "sales"); q.SLThresholdS != feed.DefaultSLThresholdS {
		t.Errorf("sales sl_threshold_s = %v: a servicelevel of 0 is no goal", q.SLThresholdS)
	}
	if r.find(feed.TypeAbandoned, "1700000010.31", at(40)) == nil {
		t.Error("r1 is not abandoned at its Leave, +40")
	}
	if r.find(feed.TypeAnswered, "1700000050.33", at(63)) == nil {
		t.Error("r2 is not answered at +63")
	}
	sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Handled: 1, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "Dan", sourcetest.AgentWant{State: feed.StateAux, Reason: "Meeting", Aux: map[string]float64{"Meeting": 260}})
}
