package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/simulator"
)

// recordDrill plays a drill (bundled, or a scenario file) with seed, the
// trainee sending c when the clock reaches at after the start, and writes
// it to a file as `record` would.
func recordDrill(t *testing.T, name string, seed int64, at time.Duration, c simulator.Command) string {
	t.Helper()
	sc, err := simulator.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(sc, simulator.Options{Seed: &seed, Drill: true})
	var out bytes.Buffer
	sent := false
	for seq := int64(0); sim.Step(); sim.Recycle() {
		if !sent && !sim.Now().Before(sc.Start.Add(at)) {
			sim.Command(c)
			sent = true
		}
		for _, ev := range sim.Events() {
			seq++
			ev.Seq = seq
			out.Write(append(feed.Encode(ev), '\n'))
		}
	}
	path := filepath.Join(t.TempDir(), filepath.Base(name)+".jsonl")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("floorwatch %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// TestDebriefWithoutIsStatusOfSim: the debrief's "without" figures are
// exactly, value for value, what `status --json` says of `sim --record`
// of the same scenario and seed, for the floor and every queue; and its
// "with" figures are what `status` says of the drill's recording.
func TestDebriefWithoutIsStatusOfSim(t *testing.T) {
	dir := t.TempDir()
	simRec := filepath.Join(dir, "sim.jsonl")
	runOK(t, "sim", "--scenario", "monday-surge", "--seed", "17", "--record", simRec)
	drillRec := recordDrill(t, "monday-surge", 17, 45*time.Minute,
		simulator.Command{ID: "k1", By: "local", Name: simulator.CmdMove, Agent: "a010", Queues: []string{"billing"}})

	var without, with, db map[string]any
	decode := func(s string, into *map[string]any) {
		if err := json.Unmarshal([]byte(s), into); err != nil {
			t.Fatalf("%v: %s", err, s)
		}
	}
	decode(runOK(t, "status", "--replay", simRec, "--json"), &without)
	decode(runOK(t, "status", "--replay", drillRec, "--json"), &with)
	decode(runOK(t, "debrief", drillRec, "--json"), &db)

	for _, key := range []string{"scenario", "seed", "score", "floor", "queues", "intervals", "actions"} {
		if _, ok := db[key]; !ok {
			t.Errorf("debrief --json has no %q", key)
		}
	}
	if db["scenario"] != "monday-surge" || db["seed"] != 17.0 {
		t.Errorf("scenario %v seed %v", db["scenario"], db["seed"])
	}
	same := func(what string, pair map[string]any, withStatus, withoutStatus map[string]any) {
		for side, status := range map[string]map[string]any{"with": withStatus, "without": withoutStatus} {
			figures := pair[side].(map[string]any)
			if len(figures) < 12 {
				t.Errorf("%s %s: %d figures", what, side, len(figures))
			}
			for k, v := range figures {
				if !reflect.DeepEqual(v, status[k]) {
					t.Errorf("%s %s %s: debrief %v, status %v", what, side, k, v, status[k])
				}
			}
		}
	}
	same("floor", db["floor"].(map[string]any), with["floor"].(map[string]any), without["floor"].(map[string]any))
	queues := db["queues"].([]any)
	if len(queues) != 2 {
		t.Fatalf("%d queues", len(queues))
	}
	for i, q := range queues {
		qd := q.(map[string]any)
		same(qd["queue"].(string), qd, with["queues"].([]any)[i].(map[string]any), without["queues"].([]any)[i].(map[string]any))
	}
	actions := db["actions"].([]any)
	if len(actions) != 1 || actions[0].(map[string]any)["command"] != "move" || actions[0].(map[string]any)["result"] != "ok" {
		t.Errorf("actions %v", actions)
	}
	if with["floor"].(map[string]any)["answered_within"] == without["floor"].(map[string]any)["answered_within"] {
		t.Error("moving an agent changed nothing: the test compares nothing")
	}
}

// TestDebriefOutputs: Markdown by default, the page with --html, and a
// wrong invocation says how to right it.
func TestDebriefOutputs(t *testing.T) {
	rec := recordDrill(t, "outage-recovery", 5, time.Hour,
		simulator.Command{By: "local", Name: simulator.CmdOvertime, Count: 2, Queues: []string{"support"}, For: "30m"})
	md := runOK(t, "debrief", rec)
	for _, want := range []string{"# Drill debrief: outage-recovery (seed 5)", "## Score:", "overtime: 2 agents on support for 30m"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown has no %q", want)
		}
	}
	page := filepath.Join(t.TempDir(), "d.html")
	if out := runOK(t, "debrief", rec, "--html", page); out != "" {
		t.Errorf("--html alone printed %q", out)
	}
	html, err := os.ReadFile(page)
	if err != nil || !bytes.Contains(html, []byte("<svg")) || bytes.Contains(html, []byte("<script")) {
		t.Errorf("the page: %v, %d bytes", err, len(html))
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"debrief"}, &stdout, &stderr); code != exitInvoked || !strings.Contains(stderr.String(), "RECORDING") {
		t.Errorf("no recording: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"debrief", rec, "--scenario", "callout"}, &stdout, &stderr); code != exitFailed ||
		!strings.Contains(stderr.String(), `a drill of scenario "outage-recovery"`) {
		t.Errorf("wrong scenario: exit %d, %q", code, stderr.String())
	}
}
