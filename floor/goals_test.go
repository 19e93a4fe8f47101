package floor

import "testing"

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
