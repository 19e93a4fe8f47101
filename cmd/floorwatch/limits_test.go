package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLimitFlags replays the sample with a poisoned heartbeat at its end,
// and with the bounds set from the command line.
func TestLimitFlags(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	poisoned := filepath.Join(t.TempDir(), "poisoned.jsonl")
	line := `{"type":"heartbeat","seq":33,"ts":"2027-06-01T00:00:00.000Z"}` + "\n"
	if err := os.WriteFile(poisoned, append(sample, line...), 0o644); err != nil {
		t.Fatal(err)
	}
	status := func(args ...string) (now string, bad int64, lastErr string) {
		t.Helper()
		code, out, errs := runCmd(append([]string{"status", "--replay", poisoned, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var r struct {
			Now  string `json:"now"`
			Feed struct {
				BadLines  int64  `json:"bad_lines"`
				LastError string `json:"last_error"`
			} `json:"feed"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return r.Now, r.Feed.BadLines, r.Feed.LastError
	}

	now, bad, why := status()
	if now != "2026-11-23T08:08:20.000Z" || bad != 1 ||
		!strings.HasSuffix(why, "ts: 2027-06-01T00:00:00.000Z is 189 days ahead of the floor clock 2026-11-23T08:08:20.000Z; a jump over 92d is refused (--max-clock-jump)") {
		t.Errorf("defaults: now %s, %d bad: %s", now, bad, why)
	}
	if now, bad, why = status("--max-clock-jump", "200d"); now != "2027-06-01T00:00:00.000Z" || bad != 0 {
		t.Errorf("--max-clock-jump 200d: now %s, %d bad: %s", now, bad, why)
	}
	// The sample has two queues: the second is refused, and every line of
	// a call in it.
	if _, bad, why = status("--max-queues", "1", "--max-clock-jump", "200d"); bad == 0 || !strings.Contains(why, "(--max-queues)") {
		t.Errorf("--max-queues 1: %d bad: %s", bad, why)
	}

	for _, args := range [][]string{{"--max-agents", "0"}, {"--max-line", "-1"}, {"--max-clock-jump", "soon"}} {
		if code, _, errs := runCmd(append([]string{"status", "--replay", poisoned}, args...)...); code != 2 || !strings.Contains(errs, args[0][1:]) {
			t.Errorf("%v: exit %d, %s", args, code, errs)
		}
	}
	// Every command that folds a feed takes them.
	for _, cmd := range []string{"status", "watch", "demo", "serve"} {
		_, help, _ := runCmd(cmd, "--help")
		for _, f := range []string{"-max-clock-jump", "-max-queues", "-max-agents", "-max-calls", "-max-line"} {
			if !strings.Contains(help, f) {
				t.Errorf("%s has no %s", cmd, f)
			}
		}
	}
}
