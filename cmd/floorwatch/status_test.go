package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestStatusReplayJSON(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", "../../testdata/sample.jsonl", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Feed struct {
			LastSeq, Events, BadLines int64 `json:"-"`
		} `json:"-"`
		Now   string                     `json:"now"`
		Floor map[string]any             `json:"floor"`
		Queue []map[string]any           `json:"queues"`
		Agent []map[string]any           `json:"agents"`
		Raw   map[string]json.RawMessage `json:"-"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Now != "2026-11-23T08:08:20.000Z" {
		t.Errorf("now = %q", r.Now)
	}
	// The sample's floor, worked out by hand in testdata/README.md.
	if r.Floor["service_level"] != 0.75 || r.Floor["offered"] != 6.0 || r.Floor["waiting"] != 1.0 {
		t.Errorf("floor = %v", r.Floor)
	}
	for _, f := range []string{"offered", "answered", "abandoned", "short_abandoned", "answered_within", "service_level",
		"asa_s", "aht_s", "abandon_rate", "waiting", "longest_wait_s", "staffed", "available", "on_call", "wrap_up",
		"aux", "occupancy", "csat", "nps", "ces"} {
		if _, ok := r.Floor[f]; !ok {
			t.Errorf("floor has no %q", f)
		}
		if _, ok := r.Queue[0][f]; !ok {
			t.Errorf("queue has no %q", f)
		}
	}
	for _, f := range []string{"agent", "name", "state", "state_s", "handled", "aht_s", "missed", "transferred",
		"aux_s", "csat", "surveys", "occupancy", "aux_by_reason"} {
		if _, ok := r.Agent[0][f]; !ok {
			t.Errorf("agent has no %q", f)
		}
	}
	if r.Queue[0]["queue"] != "sales" || r.Queue[1]["queue"] != "support" {
		t.Errorf("queues not sorted by id: %v, %v", r.Queue[0]["queue"], r.Queue[1]["queue"])
	}
}

func TestStatusReplayText(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", "../../testdata/sample.jsonl", "--window", "5m")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"window 5m", "service level", "support", "Ann Lee", "aux (break)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text status lacks %q:\n%s", want, out)
		}
	}
}

func TestStatusMistakes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"status"}, 2, "give exactly one of --feed URL or --replay FILE"},
		{[]string{"status", "--replay", "x", "--feed", "ws://127.0.0.1:1/"}, 2, "exactly one"},
		{[]string{"status", "--replay", "/no/such/file.jsonl"}, 1, "no such file"},
		{[]string{"status", "--replay", "../../testdata/sample.jsonl", "--window", "fortnight"}, 2, "--window"},
		{[]string{"status", "--replay", "../../testdata/sample.jsonl", "--goals", "/no/goals.yaml"}, 1, "no such file"},
		{[]string{"status", "--feed", "http://example.invalid/"}, 2, "want ws:// or wss://"},
		{[]string{"status", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	} {
		code, _, errs := runCmd(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestStatusUnreachableFeedFailsClearly(t *testing.T) {
	code, _, errs := runCmd("status", "--feed", "ws://127.0.0.1:1/", "--timeout", "3s")
	if code != 1 || !strings.Contains(errs, "127.0.0.1:1") {
		t.Errorf("exit %d, stderr %q; want 1 and a message naming the address", code, errs)
	}
}
