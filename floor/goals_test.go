package floor

import (
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
