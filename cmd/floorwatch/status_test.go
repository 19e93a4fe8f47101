package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
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

// A version 1 recording prints what it printed before protocol 1.1: every
// key of the saved output has the same value; 1.1 only adds keys.
func TestStatusVersion1Unchanged(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", "../../testdata/sample.jsonl", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	before, err := os.ReadFile("../../testdata/sample.status-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var was, now map[string]any
	if err := json.Unmarshal(before, &was); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &now); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	keepsEveryKey(t, "", was, now)
	// The new key: the sample's two abandons (c3, c4 in support) carry no
	// reason, so both are the caller's; sales lost none.
	floor := now["floor"].(map[string]any)
	queues := now["queues"].([]any)
	for what, got := range map[string]any{
		"floor":   floor["abandoned_by_reason"],
		"sales":   queues[0].(map[string]any)["abandoned_by_reason"],
		"support": queues[1].(map[string]any)["abandoned_by_reason"],
	} {
		want := map[string]any{"caller": 2.0}
		if what == "sales" {
			want = map[string]any{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s abandoned_by_reason = %v, want %v", what, got, want)
		}
	}
}

// keepsEveryKey fails for each value of was that now lacks or differs.
func keepsEveryKey(t *testing.T, path string, was, now any) {
	t.Helper()
	switch w := was.(type) {
	case map[string]any:
		n, ok := now.(map[string]any)
		if !ok {
			t.Errorf("%s: was an object, now %v", path, now)
			return
		}
		for k, v := range w {
			if _, ok := n[k]; !ok {
				t.Errorf("%s.%s: gone", path, k)
				continue
			}
			keepsEveryKey(t, path+"."+k, v, n[k])
		}
	case []any:
		n, ok := now.([]any)
		if !ok || len(n) != len(w) {
			t.Errorf("%s: was %d items, now %v", path, len(w), now)
			return
		}
		for i := range w {
			keepsEveryKey(t, fmt.Sprintf("%s[%d]", path, i), w[i], n[i])
		}
	default:
		if !reflect.DeepEqual(was, now) {
			t.Errorf("%s: was %v, now %v", path, was, now)
		}
	}
}

// The protocol 1.1 sample (figures in testdata/README.md): abandons by
// reason in both forms, names beside ids in the text.
func TestStatusProtocol11(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", "../../testdata/protocol-1.1.jsonl", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Floor  map[string]any   `json:"floor"`
		Queues []map[string]any `json:"queues"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for what, tc := range map[string]struct {
		got  any
		want map[string]any
	}{
		"floor":   {r.Floor["abandoned_by_reason"], map[string]any{"caller": 2.0, "no_agents": 1.0, "timeout": 1.0, "queue_full": 1.0}},
		"billing": {r.Queues[0]["abandoned_by_reason"], map[string]any{"caller": 1.0, "timeout": 1.0, "queue_full": 1.0}},
		"support": {r.Queues[1]["abandoned_by_reason"], map[string]any{"caller": 1.0, "no_agents": 1.0}},
	} {
		if !reflect.DeepEqual(tc.got, map[string]any(tc.want)) {
			t.Errorf("%s abandoned_by_reason = %v, want %v", what, tc.got, tc.want)
		}
	}

	code, out, errs = runCmd("status", "--replay", "../../testdata/protocol-1.1.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []*regexp.Regexp{
		// The floor line: 5 abandons, 1 short, the most frequent reason first.
		regexp.MustCompile(`abandoned 5 \(1 short; caller 2, no_agents 1, queue_full 1, timeout 1\)`),
		// Queue rows: id, then name, and the abandons by reason.
		regexp.MustCompile(`(?m)^billing +Billing +100\.0% .* 3 \(caller 1, queue_full 1, timeout 1\) +66\.7%`),
		regexp.MustCompile(`(?m)^support +Support +50\.0% .* 2 \(caller 1, no_agents 1\) +50\.0%`),
		// Agent rows: id, then name.
		regexp.MustCompile(`(?m)^a1 +Ann Lee +available`),
		regexp.MustCompile(`(?m)^a2 +Raj Patel +available`),
	} {
		if !want.MatchString(out) {
			t.Errorf("text status lacks %v:\n%s", want, out)
		}
	}
}
