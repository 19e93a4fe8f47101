package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The sample (testdata/README.md) is eight minutes: one quarter-hour, whose
// figures are the floor's; its chat c2 (sales, then transferred to support)
// is a chat in both queues.
func TestStatusIntervalsAndChannelsJSON(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", "../../testdata/sample.jsonl", "--json", "--intervals", "15m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Floor struct {
			Intervals []map[string]any `json:"intervals"`
		} `json:"floor"`
		Queues []struct {
			Queue     string           `json:"queue"`
			Intervals []map[string]any `json:"intervals"`
		} `json:"queues"`
		Channels []map[string]any `json:"channels"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(r.Floor.Intervals) != 1 {
		t.Fatalf("floor intervals %v", r.Floor.Intervals)
	}
	iv := r.Floor.Intervals[0]
	var keys []string
	for k := range iv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"abandon_rate", "abandoned", "abandoned_by_reason", "aht_s", "answered", "answered_within", "asa_s",
		"offered", "service_level", "short_abandoned", "start"}; !slices.Equal(keys, want) {
		t.Errorf("interval keys %v, want %v", keys, want)
	}
	for k, want := range map[string]any{"start": "2026-11-23T08:00:00.000Z", "offered": 6.0, "answered": 3.0, "answered_within": 3.0,
		"abandoned": 2.0, "short_abandoned": 1.0, "service_level": 0.75, "asa_s": 13.0, "aht_s": 157.5, "abandon_rate": 0.2} {
		if iv[k] != want {
			t.Errorf("floor interval %s = %v, want %v", k, iv[k], want)
		}
	}
	if len(r.Queues) != 2 || len(r.Queues[0].Intervals) != 1 || r.Queues[0].Intervals[0]["offered"] != 2.0 {
		t.Errorf("queues' intervals %+v", r.Queues)
	}
	// chat: c2 answered within goal in sales (30 s) and, transferred, in
	// support (5 s): 2 / 2. voice: support's c1 within, c3 short, c4 late,
	// sales' c5 waiting: (1 + 0) / ((1 + 2 - 1) + 0).
	if len(r.Channels) != 2 || r.Channels[0]["channel"] != "chat" || r.Channels[0]["offered"] != 2.0 ||
		r.Channels[0]["service_level"] != 1.0 || r.Channels[1]["channel"] != "voice" || r.Channels[1]["service_level"] != 0.5 ||
		r.Channels[1]["waiting"] != 1.0 || r.Channels[1]["longest_wait_s"] != 20.0 {
		t.Errorf("channels %v", r.Channels)
	}
	// Without --intervals there are none.
	_, out, _ = runCmd("status", "--replay", "../../testdata/sample.jsonl", "--json")
	if strings.Contains(out, `"intervals"`) || !strings.Contains(out, `"channels"`) {
		t.Errorf("status --json without --intervals:\n%s", out)
	}
}

// The night the clocks go back in Paris: --tz aligns the hours to the
// local clock, and 02:00 happens twice.
func TestStatusIntervalsInAZone(t *testing.T) {
	var lines []string
	for i, at := range []string{"2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"} {
		lines = append(lines, fmt.Sprintf(`{"type":"call.offered","seq":%d,"ts":%q,"call":"c%d","queue":"q1"}`, i+1, at, i))
	}
	path := filepath.Join(t.TempDir(), "night.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("status", "--replay", path, "--intervals", "1h", "--tz", "Europe/Paris")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"floor by 1h (Europe/Paris)", "01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET   1 ", "in progress"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCmd("status", "--replay", path, "--intervals", "1h", "--tz", "Europe/Paris", "--json")
	if !strings.Contains(out, `"start": "2026-10-25T01:00:00.000Z"`) {
		t.Errorf("JSON intervals:\n%s", out)
	}
}

func TestStatusIntervalsMistakes(t *testing.T) {
	goals := filepath.Join(t.TempDir(), "goals.yaml")
	if err := os.WriteFile(goals, []byte("day: {time_zone: Europe/London}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--intervals", "20m"}, "--intervals: intervals \"20m\": want 15m, 30m or 1h"},
		{[]string{"--tz", "Mars/Olympus"}, `--tz "Mars/Olympus" is not a time zone`},
		{[]string{"--tz", "Europe/Paris", "--goals", goals}, "disagree"},
	} {
		code, _, errs := runCmd(append([]string{"status", "--replay", "../../testdata/sample.jsonl"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	// The same zone twice is no mistake.
	if err := os.WriteFile(goals, []byte("day: {time_zone: Europe/Paris}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd("status", "--replay", "../../testdata/sample.jsonl", "--tz", "Europe/Paris", "--goals", goals); code != 0 {
		t.Errorf("the goals file's own zone: exit %d, %s", code, errs)
	}
}
