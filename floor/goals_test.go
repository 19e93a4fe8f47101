package floor

import (
	"strings"
	"testing"
	"time"
)

// The example shipped in the repository must stay valid.
func TestExampleGoalsLoad(t *testing.T) {
	g, err := LoadGoals("../examples/goals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if *g.Day.StartHour != 6 || g.Day.loc.String() != "Europe/London" || *g.Queues["support"].SLTarget != 0.85 || *g.Agents["a07"].AHTS != 480 {
		t.Errorf("example goals read as %+v", g)
	}
	ag := g.agentGoals("a07")
	if *ag.AHTS != 480 || *ag.CSAT != 4.2 {
		t.Errorf("a07's goals = %+v, want own AHT 480 with the team's CSAT 4.2", ag)
	}
	r := g.alertRules()
	if r.pauses["lunch"] != 45*time.Minute || r.window != DefaultAlertWindow || r.queue("sales").abandonRate != 0.08 ||
		r.queue("support").abandonRate != DefaultMaxAbandonRate || *g.Team.OccupancyMinStaffedS != 1800 {
		t.Errorf("example alerts and pauses read as %+v", r)
	}
}

// A bridge announces the goals file's queues; a name from the file shows
// where the feed gives none, and the wrap-up time reaches the source.
func TestGoalsQueueConfigsAndWrapUp(t *testing.T) {
	g, err := ParseGoals([]byte("queues:\n  sales:\n    name: Sales\n    sl_threshold_s: 30\n    wrap_s: 15\n  \"bad\\e]0;x\\a\":\n    sl_target: 0.9\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs := g.QueueConfigs()
	if len(cs) != 2 || cs[0].Queue != "bad^[]0;x^G" || cs[0].SLTarget != 0.9 || cs[0].SLThresholdS != 20 {
		t.Fatalf("configs %+v: want the hostile id cleaned, with the defaults where the file is silent", cs)
	}
	if s := cs[1]; s.Queue != "sales" || s.Name != "Sales" || s.SLThresholdS != 30 || s.SLTarget != 0.8 || s.SLMode != "exclude_short" {
		t.Errorf("sales %+v", s)
	}
	if g.WrapUp("sales") != 15*time.Second || g.WrapUp("bad^[]0;x^G") != 0 || (*Goals)(nil).WrapUp("x") != 0 {
		t.Error("wrap-up times")
	}
	if _, err := ParseGoals([]byte("queues:\n  q:\n    wrap_s: -1\n")); err == nil {
		t.Error("a negative wrap-up was accepted")
	}
}

// Agent goals are judged on the day whatever the window, and occupancy only
// once the agent has been staffed the goal's minimum.
func TestAgentFlagsJudgedOnTheDay(t *testing.T) {
	g, err := ParseGoals([]byte("team: {aux_s: 600, missed: 0, occupancy: 0.5}"))
	if err != nil {
		t.Fatal(err)
	}
	s := newScript(t, Options{Goals: g})
	s.must(0, "agent.state", "agent", "a1", "state", "aux", "reason", "break", "queues", []string{"q1"})
	s.must(900, "agent.state", "agent", "a1", "state", "available") // 15 min aux > 10
	s.must(1200, "call.offered", "call", "c1", "queue", "q1")
	s.must(1210, "call.missed", "call", "c1", "queue", "q1", "agent", "a1") // 1 missed > 0
	s.must(1215, "call.abandoned", "call", "c1", "queue", "q1")
	s.must(3000, "agent.state", "agent", "a2", "state", "available", "queues", []string{"q1"})
	s.must(3600, "agent.state", "agent", "a3", "state", "offline")

	// At 09:00 over the last 5 minutes a1 had no aux and missed nothing,
	// but the day's 15 minutes of aux and one miss are what the goals
	// limit. a1 has been staffed 60 minutes, available for 45 of them:
	// occupancy 0 under 50%. a2, staffed 10 minutes, is not judged yet.
	r := s.f.Report(Rolling(5 * time.Minute))
	a1 := agentOf(t, r, "a1")
	eq(t, "window aux", a1.AuxS, 0)
	eq(t, "window missed", a1.Missed, 0)
	eq(t, "day aux", a1.Day.AuxS, 900)
	eq(t, "day missed", a1.Day.Missed, 1)
	eq(t, "day staffed", a1.Day.StaffedS, 3600)
	eq(t, "a1 flags", strings.Join(a1.Flags, ","), "aux,missed,occupancy")
	a2 := agentOf(t, r, "a2")
	eq(t, "a2 staffed", a2.Day.StaffedS, 600)
	eq(t, "a2 flags", strings.Join(a2.Flags, ","), "")

	// A file can judge sooner.
	g.Team.OccupancyMinStaffedS = ptr(300.0)
	s2 := newScript(t, Options{Goals: g})
	s2.must(3000, "agent.state", "agent", "a2", "state", "available")
	s2.must(3600, "agent.state", "agent", "a3", "state", "offline")
	eq(t, "a2 flags with a 5-minute minimum", strings.Join(agentOf(t, s2.f.Report(Today), "a2").Flags, ","), "occupancy")
}
