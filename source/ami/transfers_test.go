package ami

import (
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/sourcetest"
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
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 3, Answered: 3, Within: 3,
		SL: 1, ASA: 11.0 / 3, AHT: sourcetest.Null})
	// sales: t2, offered at +130, answered at +140 by Ben, wrapped at
	// +215 (his Wrapuptime 15): ASA 10, AHT 75.
	sourcetest.CheckCalls(t, "sales", r.queue(t, "sales").Metrics, sourcetest.Calls{Offered: 1, Answered: 1, Within: 1,
		SL: 1, ASA: 10, AHT: 75})
	sourcetest.CheckCalls(t, "floor", r.report.Floor, sourcetest.Calls{Offered: 4, Answered: 4, Within: 4, SL: 1, ASA: 5.25, AHT: 75})
	sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Handled: 3, Transferred: 3, State: feed.StateAvailable})
	sourcetest.CheckAgent(t, r.report, "Ben", sourcetest.AgentWant{Handled: 1, State: feed.StateAvailable})
	if r.tally.Malformed != 0 {
		t.Errorf("malformed: %s", r.tally.FirstMalformed)
	}
}
