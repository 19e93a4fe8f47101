package ami

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// TestAsterisk11 plays testdata/asterisk11.ami: the events and headers of
// Asterisk 11 read as those of 12 and later.
func TestAsterisk11(t *testing.T) {
	r := play(t, fixture(t, "asterisk11.ami"), "1.3", source.Options{})
	// Offered v1, v2; v1 answered after 23 s (over 20), v2 abandoned by
	// the caller after 2 s (short). SL = 0 / (1 + 1 - 1) = 0; ASA 23;
	// AHT +93 - +33 = 60; abandon rate (1 - 1) / (2 - 1) = 0.
	want := sourcetest.Calls{Offered: 2, Answered: 1, Abandoned: 1, Short: 1,
		ByReason: map[string]int64{feed.ReasonCaller: 1}, SL: 0, ASA: 23, AHT: 60}
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, want)
	sourcetest.Approx(t, "abandon_rate", r.report.Floor.AbandonRate, 0)
	if r.find(feed.TypeAnswered, "1700000010.1", at(33)) == nil {
		t.Error("v1 is not answered at +33")
	}
	sourcetest.CheckAgent(t, r.report, "Karthik", sourcetest.AgentWant{Handled: 1, Missed: 1, State: feed.StateOffline, Aux: map[string]float64{"Break": 60}})
	if len(r.report.Agents) != 1 {
		t.Errorf("%d agents: SIP/1001 and Karthik are one", len(r.report.Agents))
	}
	if r.tally.Malformed != 0 {
		t.Errorf("malformed: %s", r.tally.FirstMalformed)
	}
}
