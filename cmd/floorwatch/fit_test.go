package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/simulator"
)

// TestFitThenRehearse: a recording fitted to a scenario file, with a
// twist from the command line, that the simulator then plays.
func TestFitThenRehearse(t *testing.T) {
	dir := t.TempDir()
	rec, out := filepath.Join(dir, "tuesday.jsonl"), filepath.Join(dir, "tuesday.yaml")
	runOK(t, "sim", "--scenario", "lunch-rush", "--record", rec)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"fit", rec, "-o", out, "--twist", `{type: callout, at: "12:15", agents: 4}`}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stderr.String(), "demo --scenario "+out) {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	sc, err := simulator.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "tuesday" || len(sc.Drills) == 0 || sc.Drills[len(sc.Drills)-1].Type != simulator.DrillCallout {
		t.Errorf("fitted %q with drills %+v", sc.Name, sc.Drills)
	}
	again := filepath.Join(dir, "again.jsonl")
	runOK(t, "sim", "--scenario", out, "--duration", "1h", "--record", again)
	if data, err := os.ReadFile(again); err != nil || bytes.Count(data, []byte("call.offered")) < 100 {
		t.Errorf("the fitted day plays %d offers (%v)", bytes.Count(data, []byte("call.offered")), err)
	}
	if yaml := runOK(t, "fit", rec, "--tz", "Europe/Paris"); !strings.Contains(yaml, "start: 2026-11-24T11:00:00+01:00") ||
		!strings.Contains(yaml, `{at: "11:00", calls_per_hour:`) {
		t.Errorf("--tz: the times of day are not Paris's:\n%s", yaml)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fit"}, exitInvoked, "give the recording"},
		{[]string{"fit", rec, "--twist", "{type: storm}"}, exitFailed, `"storm" is not a drill`},
		{[]string{"fit", rec, "--twist", `{at: "10:00"}`}, exitInvoked, "no type"},
		{[]string{"fit", rec, "--tz", "Mars/Olympus"}, exitInvoked, "--tz"},
	} {
		stderr.Reset()
		if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr.String())
		}
	}
}
