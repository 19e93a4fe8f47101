package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/simulator"
)

func TestSimMaxSpeedRecords(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run.jsonl")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sim", "--scenario", "outage-recovery", "--speed", "max", "--duration", "30m", "--record", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for i, l := range lines {
		d := feed.Decode(l)
		if d.Err != nil || d.Event.Seq != int64(i+1) {
			t.Fatalf("line %d: %s (%v)", i+1, l, d.Err)
		}
	}
	if len(lines) < 100 || !strings.Contains(stderr.String(), "outage-recovery ended") {
		t.Errorf("%d lines; stderr %q", len(lines), stderr.String())
	}
}

func TestSimListAndUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sim", "--list"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "steady-day") {
		t.Errorf("--list: exit %d, %q", code, stdout.String())
	}
	if code := run([]string{"sim", "--speed", "fast"}, &stdout, &stderr); code != 2 {
		t.Errorf("--speed fast: exit %d, want 2", code)
	}
	stderr.Reset()
	if code := run([]string{"sim", "--scenario", "nope"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "bundled: callout") {
		t.Errorf("--scenario nope: exit %d, %q", code, stderr.String())
	}
}

// TestListScenariosLength: a length that is not whole hours is written in
// full ("1h30m"; it once came out as "1h3").
func TestListScenariosLength(t *testing.T) {
	var out bytes.Buffer
	list := []simulator.BundledScenario{
		{Name: "day", Scenario: &simulator.Scenario{Duration: simulator.Duration(8 * time.Hour), Description: "a day"}},
		{Name: "drill", Scenario: &simulator.Scenario{Duration: simulator.Duration(90 * time.Minute)}},
		{Name: "short", Scenario: &simulator.Scenario{Duration: simulator.Duration(30 * time.Minute)}},
	}
	if err := listScenarios(&out, list); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"day    8h      a day", "drill  1h30m", "short  30m"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list has no %q:\n%s", want, out.String())
		}
	}
}
