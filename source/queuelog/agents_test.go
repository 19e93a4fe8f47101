package queuelog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
	"github.com/floorwatch/floorwatch/source/sourcetest"
)

// TestAgentsFileMissing: the file is read when the source is opened.
func TestAgentsFileMissing(t *testing.T) {
	if _, err := source.Open("queue-log:x", source.Options{AgentsFile: filepath.Join(t.TempDir(), "none.yaml")}); err == nil {
		t.Error("a missing --agents file is not an error")
	}
}

// TestJoiningNames: without --agents, names equal but for case, and
// interfaces sharing their device part with each other or with a member
// name, are one agent; other names stay apart and are noted.
func TestJoiningNames(t *testing.T) {
	r := convert(t, []byte(`1700000001|MANAGER|support|SIP/1001|ADDMEMBER|
1700000002|MANAGER|sales|Local/1001@from-queue/n|ADDMEMBER|
1700000003|1700000003.1|NONE|1001|AGENTLOGIN|PJSIP/1001-00000001
1700000004|MANAGER|support|PJSIP/2002|ADDMEMBER|
1700000010|c1|support|NONE|ENTERQUEUE||1|1
1700000012|c1|support|Karthik|RINGNOANSWER|2000
1700000014|c1|support|karthik|CONNECT|4|p|1
`), Config{})
	if got := len(r.report.Agents); got != 3 {
		t.Errorf("%d agents, want 3 (SIP/1001, PJSIP/2002, Karthik)", got)
	}
	if a := r.agent(t, "SIP/1001"); strings.Join(a.Queues, ",") != "sales,support" || a.State != feed.StateAvailable {
		t.Errorf("SIP/1001: %+v", a)
	}
	sourcetest.CheckAgent(t, r.report, "Karthik", sourcetest.AgentWant{Handled: 1, Missed: 1, AHT: sourcetest.Null, State: feed.StateOnCall})
	want := "could not join agent names: SIP/1001, Local/1001@from-queue/n, 1001, PJSIP/2002 logged in (ADDMEMBER, AGENTLOGIN) but took no call; Karthik took calls but never logged in. If they are the same people, join them with --agents FILE"
	if !sourcetest.HasNote(r.tally, want) {
		t.Errorf("notes %q", r.tally.Notes)
	}
}

// TestAgentsFileJoins: with --agents, the file's names are one agent with
// its display name, and names the file does not list are noted.
func TestAgentsFileJoins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agents.yaml")
	os.WriteFile(path, []byte("agents:\n  a017: {name: Karthik Rao, aka: [SIP/1001, Karthik]}\n"), 0o644)
	a, err := asterisk.LoadAgents(path)
	if err != nil {
		t.Fatal(err)
	}
	r := convert(t, []byte(`1700000001|MANAGER|support|SIP/1001|ADDMEMBER|
1700000002|NONE|support|KARTHIK|PAUSE|Lunch
1700000003|MANAGER|support|Local/1001@from-queue/n|REMOVEMEMBER|
1700000004|MANAGER|support|SIP/3003|ADDMEMBER|
`), Config{Agents: a})
	// Local/1001@… is not listed but shares SIP/1001's device: a017 too.
	sourcetest.CheckAgent(t, r.report, "a017", sourcetest.AgentWant{AHT: sourcetest.Null, State: feed.StateOffline, Aux: map[string]float64{"Lunch": 1}})
	if got := r.agent(t, "a017").Name; got != "Karthik Rao" {
		t.Errorf("name %q", got)
	}
	if !sourcetest.HasNote(r.tally, "agent names not in the --agents file (joined by name or device where they could be): Local/1001@from-queue/n, SIP/3003") {
		t.Errorf("notes %q", r.tally.Notes)
	}
}
