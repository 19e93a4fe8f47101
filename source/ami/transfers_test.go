package ami

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

// TestTransfers plays testdata/asterisk16-transfers.ami: a blind transfer
// out of the floor, a blind transfer into another queue whose Join comes
// before the AgentComplete, and an attended transfer out.
func TestTransfers(t *testing.T) {
	r := play(t, fixture(t, "asterisk16-transfers.ami"), "5.0.5", source.Options{})

	if ev := r.find(feed.TypeTransferred, "1700000010.51", at(72)); ev == nil || ev.To != "5551234@from-internal" || ev.Queue != "" {
		t.Errorf("t1: %+v, want a transfer out to 5551234@from-internal at +72", ev)
	}
	if ev := r.find(feed.TypeTransferred, "1700000100.53", at(130)); ev == nil || ev.Queue != "sales" {
		t.Errorf("t2: %+v, want a transfer into sales at +130", ev)
	}
	if ev := r.find(feed.TypeTransferred, "1700000300.57", at(330)); ev == nil || ev.To != "2002" {
		t.Errorf("t3: %+v, want a transfer out to 2002 at +330", ev)
	}
	// support: t1, t2, t3 answered after 2, 4 and 5 s, all within 30;
	// each left by a transfer, so no AHT sample. ASA 11/3.
	checkCalls(t, "support", r.queue(t, "support").Metrics, calls{offered: 3, answered: 3, within: 3,
		sl: 1, asa: 11.0 / 3, aht: null})
	// sales: t2, offered at +130, answered at +140 by Ben, wrapped at
	// +215 (his Wrapuptime 15): ASA 10, AHT 75.
	checkCalls(t, "sales", r.queue(t, "sales").Metrics, calls{offered: 1, answered: 1, within: 1,
		sl: 1, asa: 10, aht: 75})
	checkCalls(t, "floor", r.report.Floor, calls{offered: 4, answered: 4, within: 4, sl: 1, asa: 5.25, aht: 75})
	checkAgent(t, r, "Ana", agentWant{handled: 3, transferred: 3, state: feed.StateAvailable})
	checkAgent(t, r, "Ben", agentWant{handled: 1, state: feed.StateAvailable})
	if r.tally.Malformed != 0 {
		t.Errorf("malformed: %s", r.tally.FirstMalformed)
	}
}
