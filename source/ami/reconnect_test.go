package ami

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/ami/amitest"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// figures is what must agree between two ways of seeing one floor.
func figures(t *testing.T, r *result) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Floor, Queues, Agents any
	}{r.report.Floor, r.report.Queues, r.report.Agents})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDroppedMidCall: a connection lost while d1 and d2 are in
// conversation and d3 waits, resumed 30 s later, gives the figures of
// the same morning seen unbroken: the same calls, counted once; d2's end,
// unseen, placed at Ben's LastCall.
func TestDroppedMidCall(t *testing.T) {
	g := goals(t, "queues:\n  support: {wrap_s: 5}\n")
	unbroken := play(t, fixture(t, "reconnect-unbroken.ami"), ami20, source.Options{Goals: g})
	dropped := play(t, fixture(t, "reconnect-dropped.ami"), ami20, source.Options{Goals: g})

	// Offered d1, d2, d3; answered after 5, 5 and 50 s (2 within 20):
	// SL 2/3, ASA 20. AHT: d1 +75 - +15 = 60, d2 +55 - +25 = 30, d3 +105
	// - +80 = 25: 115/3.
	want := sourcetest.Calls{Offered: 3, Answered: 3, Within: 2, SL: 2.0 / 3, ASA: 20, AHT: 115.0 / 3}
	sourcetest.CheckCalls(t, "unbroken", unbroken.report.Floor, want)
	sourcetest.CheckCalls(t, "dropped", dropped.report.Floor, want)
	if a, b := figures(t, unbroken), figures(t, dropped); a != b {
		t.Errorf("a dropped connection changes the figures:\nunbroken %s\n dropped %s", a, b)
	}
	if !sourcetest.HasNote(dropped.tally, "lost 1 times (0 of them a PBX restart): 1 conversations ended at the member's LastCall") {
		t.Errorf("notes: %q", dropped.tally.Notes)
	}
}

// TestVanished: calls that changed while the bridge was away. v1 and v4
// are nowhere at reconnect: offered, with no outcome invented, and off the
// floor (a snapshot line); v2's late AgentConnect answers it exactly; v3,
// found waiting in sales, waits there.
func TestVanished(t *testing.T) {
	r := play(t, fixture(t, "reconnect-vanished.ami"), ami20, source.Options{})
	snapshots := 0
	for _, ev := range r.events {
		if ev.Type == feed.TypeSnapshot {
			snapshots++
			if !ev.TS.Equal(at(60)) {
				t.Errorf("the snapshot line is at %v, want +60", ev.TS)
			}
		}
	}
	if snapshots != 1 {
		t.Errorf("%d snapshot lines, want 1", snapshots)
	}
	// support: v1 to v4 offered; v2 answered after 47 s; v1, v3 and v4 no
	// outcome in support. Nothing waits.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 4, Answered: 1, SL: 0, ASA: 47, AHT: 51})
	// sales: v3 answered after 20 s (a snapshot's call is not an offer).
	sourcetest.CheckCalls(t, "sales", r.queue(t, "sales").Metrics, sourcetest.Calls{Answered: 1, Within: 1, SL: 1, ASA: 20, AHT: 30})
	if r.find(feed.TypeAnswered, "1700000012.72", at(59)) == nil {
		t.Error("v2 is not answered at +59")
	}
	if !sourcetest.HasNote(r.tally, "2 calls left their queue unseen") || !sourcetest.HasNote(r.tally, "0 calls completed and 1 abandoned that the bridge did not see") {
		t.Errorf("notes: %q", r.tally.Notes)
	}
}

// TestRestart: a PBX restart while the bridge is away (FullyBooted's
// Uptime shorter than the outage): the old process's calls end at the
// loss, the new one's Uniqueids are new calls, nothing is bad.
func TestRestart(t *testing.T) {
	r := play(t, fixture(t, "restart.ami"), ami20, source.Options{})
	if ev := r.find(feed.TypeAbandoned, "1700000020.83", at(30)); ev == nil || ev.Reason != feed.ReasonWithdraw {
		t.Errorf("r1: %+v, want withdrawn at the loss, +30", ev)
	}
	if r.find(feed.TypeEnded, "1700000010.81", at(30)) == nil {
		t.Error("r2 does not end at the loss, +30")
	}
	if ev := r.find(feed.TypeOffered, "1700000058.3", at(58)); ev == nil {
		t.Error("r3 is not offered at +58 (Wait 2 at +60)")
	}
	// r2 answered after 2 s, r3 after 6; r1 withdrawn after 10 s. AHT: r2
	// +30 - +12 = 18, r3 +100 - +64 = 36: 27.
	sourcetest.CheckCalls(t, "support", r.queue(t, "support").Metrics, sourcetest.Calls{Offered: 3, Answered: 2, Within: 2, Abandoned: 1,
		ByReason: map[string]int64{feed.ReasonWithdraw: 1}, SL: 2.0 / 3, ASA: 4, AHT: 27})
	sourcetest.CheckAgent(t, r.report, "Ana", sourcetest.AgentWant{Handled: 2, State: feed.StateAvailable})
	if !sourcetest.HasNote(r.tally, "(1 of them a PBX restart)") {
		t.Errorf("notes: %q", r.tally.Notes)
	}
}

// TestLostSaysSo: while the manager cannot be reached, the tally says since
// when and why (the bridge puts it in the feed's heartbeats); it is ""
// while connected.
func TestLostSaysSo(t *testing.T) {
	m := amitest.Start(t, fixture(t, "reconnect-unbroken.ami"), testUser, testSecret, ami20, nil)
	t.Setenv(SecretEnv, testSecret)
	src, err := openTest("ami://"+testUser+"@"+m.Addr, source.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, func(*feed.Event) {}) }()
	defer func() {
		cancel()
		<-done
	}()
	<-m.Played()
	if lost := src.Tally().Lost; lost != "" {
		t.Errorf("connected, yet lost = %q", lost)
	}
	m.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for src.Tally().Lost == "" {
		if time.Now().After(deadline) {
			t.Fatal("the manager is gone and the tally does not say so")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if lost := src.Tally().Lost; !strings.HasPrefix(lost, "since ") || !strings.HasSuffix(lost, "; reconnecting") {
		t.Errorf("lost = %q, want since when, why, and that it is reconnecting", lost)
	}
}
