package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// An agent's own card: Cleo Park (a3) is off three goals; Ben Okri (a2) has
// a comment from a low-scored survey.
func TestGoldenCard(t *testing.T) {
	for _, tc := range []struct {
		agent string
		keys  []string
	}{{"a3", nil}, {"a2", nil}, {"a2", []string{"?"}}} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			name := fmt.Sprintf("%s_%dx%d", tc.agent, size[0], size[1])
			if len(tc.keys) > 0 {
				name += "_help"
			}
			t.Run(name, func(t *testing.T) {
				m := newModelWith(t, testHub(t), size[0], size[1], Options{Agent: tc.agent})
				press(m, tc.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}

// everyKey is every key a person can press: each printable character but
// q (which quits), and the named keys.
func everyKey() []tea.KeyMsg {
	var keys []tea.KeyMsg
	for r := rune(' '); r < 0x7f; r++ {
		if r != 'q' {
			keys = append(keys, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
	for _, t := range []tea.KeyType{tea.KeyEnter, tea.KeyEsc, tea.KeyTab, tea.KeyShiftTab, tea.KeyUp, tea.KeyDown,
		tea.KeyLeft, tea.KeyRight, tea.KeyHome, tea.KeyEnd, tea.KeyPgUp, tea.KeyPgDown, tea.KeySpace, tea.KeyBackspace,
		tea.KeyCtrlU, tea.KeyCtrlD, tea.KeyF1} {
		keys = append(keys, tea.KeyMsg{Type: t})
	}
	return keys
}

// othersOf are patterns for what an agent's screens must never show of the
// floor in the recording: every other agent's id and name, call ids and
// callers.
func othersOf(t *testing.T, hub *live.Hub, agent string) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, a := range hub.Report(floor.All).Agents {
		if a.Agent == agent {
			continue
		}
		out = append(out, regexp.MustCompile(`\b`+regexp.QuoteMeta(a.Agent)+`\b`))
		if a.Name != "" {
			out = append(out, regexp.MustCompile(regexp.QuoteMeta(a.Name)))
			first, _, _ := strings.Cut(a.Name, " ")
			out = append(out, regexp.MustCompile(`\b`+regexp.QuoteMeta(first)+`\b`))
		}
	}
	return append(out, regexp.MustCompile(`\bc\d+\b`), regexp.MustCompile(`\+\d{6,}|cust-`))
}

// An agent's dashboard shows their own card whatever key they press: no
// tab, view, filter, help or flash names another agent, a call or a caller,
// on a floor with low-score comments and callers to call back.
func TestCardShowsNoOneElse(t *testing.T) {
	for _, tc := range []struct {
		floor, agent, name, own string
	}{
		{"testdata/floor.jsonl", "a2", "Ben Okri", "Waited too long"},
		{"testdata/floor.jsonl", "a3", "Cleo Park", "5th of 6"},
		{recoveryFloor, "a1", "Ana Silva", "Took two calls to reach anyone"},
		{recoveryFloor, "a2", "Ben Okri", "1 transferred"},
	} {
		hub := replayHub(t, tc.floor)
		forbidden := othersOf(t, hub, tc.agent)
		for _, size := range [][2]int{{80, 24}, {50, 12}, {200, 60}} {
			m := newModelWith(t, hub, size[0], size[1], Options{Agent: tc.agent})
			check := func(after string) {
				t.Helper()
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				for _, re := range forbidden {
					if loc := re.FindString(frame); loc != "" {
						t.Fatalf("%s's card at %dx%d shows %q after %s:\n%s", tc.agent, size[0], size[1], loc, after, frame)
					}
				}
			}
			check("opening")
			if size[0] == 80 && !strings.Contains(m.View(), tc.name) || size[0] == 200 && !strings.Contains(m.View(), tc.own) {
				t.Errorf("%s's card at %dx%d lacks their own %q / %q:\n%s", tc.agent, size[0], size[1], tc.name, tc.own, m.View())
			}
			// Each key from the card, and each again from its help.
			for _, k := range everyKey() {
				m.Update(k)
				check(k.String())
				m.Update(keyMsg("?"))
				m.Update(k)
				check("? then " + k.String())
			}
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
			check("the mouse wheel")
		}
	}
}

// ssh … status --json for an agent: their own entry and the team's
// totals, in the shape the README documents, and nothing else.
func TestCardJSON(t *testing.T) {
	hub := replayHub(t, recoveryFloor)
	c, ok := NewCard(hub.Report(floor.Today), "a1")
	if !ok {
		t.Fatal("no card for a1")
	}
	var b bytes.Buffer
	if err := WriteCard(&b, c, true); err != nil {
		t.Fatal(err)
	}
	for _, re := range othersOf(t, hub, "a1") {
		if loc := re.FindString(b.String()); loc != "" {
			t.Fatalf("the card's JSON shows %q:\n%s", loc, b.String())
		}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if keys := slices.Sorted(maps.Keys(doc)); !slices.Equal(keys, []string{"agent", "comments", "now", "place", "team", "window"}) {
		t.Errorf("top-level fields %v", keys)
	}
	var got struct {
		Agent struct {
			Agent, Name string
			Handled     int64
			Call        *string
		}
		Place Place
		Team  struct {
			AgentsWorked int `json:"agents_worked"`
			Offered      int
		}
		Comments []struct{ Comment string }
	}
	json.Unmarshal(b.Bytes(), &got)
	if got.Agent.Agent != "a1" || got.Agent.Name != "Ana Silva" || got.Agent.Call != nil || got.Place.Rank < 1 ||
		got.Team.AgentsWorked != 2 || got.Team.Offered == 0 || len(got.Comments) != 1 || got.Comments[0].Comment != "Took two calls to reach anyone" {
		t.Errorf("card JSON:\n%s", b.String())
	}
	if _, ok := NewCard(hub.Report(floor.Today), "a9"); ok {
		t.Error("a card for an agent the floor does not know")
	}
}

// The text form of the card, as ssh … status prints it.
func TestGoldenCardText(t *testing.T) {
	c, _ := NewCard(testHub(t).Report(floor.Today), "a3")
	var b bytes.Buffer
	if err := WriteCard(&b, c, false); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 102: "102nd", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %s", n, got)
		}
	}
}

// Agents a source names only in calls (call records have no agent states)
// are signed in with their state unknown, not "offline 0:00" for ever.
func TestStateUnknown(t *testing.T) {
	hub := foldHub(t, strings.NewReader(strings.Join([]string{
		`{"type":"agent.state","seq":1,"ts":"2026-11-23T08:00:00.000Z","agent":"a1","name":"Ada","state":"offline","queues":["sales"]}`,
		`{"type":"call.offered","seq":2,"ts":"2026-11-23T08:00:00.000Z","call":"c1","queue":"sales"}`,
		`{"type":"call.answered","seq":3,"ts":"2026-11-23T08:00:10.000Z","call":"c1","queue":"sales","agent":"b7"}`,
		`{"type":"heartbeat","seq":3,"ts":"2026-11-23T08:05:00.000Z"}`,
	}, "\n")))
	m := newModel(t, hub, 120, 30)
	press(m, "3")
	frame := m.View()
	if !regexp.MustCompile(`b7\s+state unknown`).MatchString(frame) || !regexp.MustCompile(`Ada\s+offline 5:00`).MatchString(frame) {
		t.Errorf("agents view:\n%s", frame)
	}
	card := newModelWith(t, hub, 80, 24, Options{Agent: "b7"}).View()
	if !strings.Contains(card, "signed in, state unknown") {
		t.Errorf("b7's card:\n%s", card)
	}
}
