package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/safetext"
)

// hostileFeed holds, in every field a feed carries, text that tries to set
// the window title and the clipboard, clear the screen, reverse the text,
// and ids that are not UTF-8; beside it, names in Hebrew, Chinese and with
// an emoji (see tui/hostile_test.go).
const hostileFeed = "../../testdata/hostile.jsonl"

// assertInert fails on any line of out that holds a control character, a
// bidi override or bytes that are not UTF-8.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if !safetext.Is(line) {
			t.Errorf("%s, line %d, holds a control character: %q", what, i+1, line)
		}
	}
}

func TestStatusJSONOfAHostileFeed(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", hostileFeed, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertInert(t, "status --json", out)
	var r struct {
		Feed struct {
			Name string `json:"name"`
		} `json:"feed"`
		Queues []struct{ Queue, Name string } `json:"queues"`
		Agents []struct {
			Agent, Name, Reason string
		} `json:"agents"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := map[string]string{"feed": r.Feed.Name}
	for _, q := range r.Queues {
		got["queue "+q.Queue] = q.Name
	}
	for _, a := range r.Agents {
		got["agent "+a.Agent] = a.Name + " / " + a.Reason
	}
	for k, want := range map[string]string{
		"feed":               "acme^[]0;PWNED^G",
		"queue billing^[[2J": "Billing^[]52;c;cm0gLXJmIH4=^G",
		"queue heb":          "תמיכה",
		"queue zh":           "销售",
		`agent a\xff1`:       `Eve\u202eevil\u202c Moreau / lunch^[[2J\u009b31m`,
		`agent a\xfe1`:       "Mallory^[]0;owned^G / ",
		"agent a3":           "דנה כהן / ",
		"agent a4":           "王小明 / ",
		"agent a5":           "🎧 Zoë / ",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}

// The text form: nothing a terminal obeys, the honest names whole, and
// every column of the agents' table starting at the same cell on every
// row, however wide the names before it.
func TestStatusTextOfAHostileFeed(t *testing.T) {
	code, out, errs := runCmd("status", "--replay", hostileFeed)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertInert(t, "status", out)
	lines := strings.Split(out, "\n")
	header := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "AGENT") {
			header = i
		}
	}
	if header < 0 {
		t.Fatalf("no agents table:\n%s", out)
	}
	at := func(line, what string) int { return ansi.StringWidth(line[:strings.Index(line, what)]) }
	state := at(lines[header], "STATE")
	for _, name := range []string{"דנה כהן", "王小明", "🎧 Zoë"} {
		for _, l := range lines[header+1:] {
			if strings.Contains(l, name) && at(l, "available") != state {
				t.Errorf("%s's state starts at cell %d, the STATE header at %d:\n%s", name, at(l, "available"), state, out)
			}
		}
	}
}
