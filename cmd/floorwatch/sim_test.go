package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/feed"
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
