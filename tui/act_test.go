package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/live"
)

// drillHub is the fixed floor as a drill: testdata/drill.jsonl adds its
// drill.started line and five actions (one of them by another trainee, two
// refused).
func drillHub(t testing.TB) *live.Hub {
	t.Helper()
	h := testHub(t)
	f, err := os.Open("testdata/drill.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := h.Replay(f); err != nil {
		t.Fatal(err)
	}
	return h
}

// trainee is a drill that takes commands: the frames it was handed.
type trainee struct {
	frames []map[string]any
	refuse error
}

func (tr *trainee) act(frame []byte) error {
	var f map[string]any
	if err := json.Unmarshal(frame, &f); err != nil {
		return err
	}
	tr.frames = append(tr.frames, f)
	return tr.refuse
}

// pressRun presses a key and runs the command it returns, as Bubble Tea
// would, feeding the message back.
func pressRun(m *Model, k string) {
	_, cmd := m.Update(keyMsg(k))
	for cmd != nil {
		msg := cmd()
		if _, ok := msg.(actSentMsg); !ok {
			return
		}
		_, cmd = m.Update(msg)
	}
}

// The forms, the briefing and the action log at the smallest supported
// terminal and a wide one.
func TestGoldenDrill(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"briefing", nil},
		// Any key closes the briefing; on the Queues view, overtime.
		{"overtime_form", []string{"x", "2", "o", "3", "tab", "tab", "down", " "}},
		{"overflow_form", []string{"x", "2", "down", "f", "9", "0", "tab", "down"}},
		{"move_form", []string{"x", "3", "m"}},
		{"release_form", []string{"x", "3", "down", "r"}},
		{"action_log", []string{"x", "L", "down"}},
		{"help", []string{"x", "?"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				var tr trainee
				m := newModelWith(t, drillHub(t), size[0], size[1], Options{Act: tr.act})
				press(m, sc.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}

// A trainee moves an agent: the frame carries the command as the form
// says, and the footer shows the drill's answer when it comes, by id.
func TestActSendsAndShowsTheResult(t *testing.T) {
	hub := drillHub(t)
	var tr trainee
	m := newModelWith(t, hub, 120, 40, Options{Act: tr.act})
	press(m, "x", "3") // the briefing closes; the Agents view, Cleo Park first
	a := m.selectedAgent()
	press(m, "m", "down", " ") // Cleo has support: tick the second queue too
	pressRun(m, "enter")
	if len(tr.frames) != 1 {
		t.Fatalf("%d frames sent, want 1", len(tr.frames))
	}
	f := tr.frames[0]
	if f["type"] != "drill.command" || f["command"] != "move" || f["agent"] != a.Agent || f["id"] == nil || fmt.Sprint(f["queues"]) != "[sales support]" {
		t.Fatalf("sent %v", f)
	}
	if got := m.View(); !strings.Contains(got, "sent, waiting for the drill") {
		t.Errorf("the footer does not say the command is on its way:\n%s", got)
	}
	q, _ := json.Marshal(f["queues"])
	line := fmt.Sprintf(`{"type":"drill.action","seq":117,"ts":"2026-11-23T08:29:55.000Z","id":%q,"by":"local","command":"move","agent":%q,"queues":%s,"result":"ok"}`,
		f["id"], a.Agent, q)
	if err := hub.Replay(strings.NewReader(line)); err != nil {
		t.Fatal(err)
	}
	m.Update(frameMsg{})
	want := "✓ move " + a.Agent + " → sales, support: ok" // in the picker's order, worst queue first
	if got := m.View(); !strings.Contains(got, want) {
		t.Errorf("the footer does not show %q:\n%s", want, got)
	}
	press(m, "L")
	if got := m.View(); !strings.Contains(got, "Actions: 6 actions, 2 refused") {
		t.Errorf("the action log does not count the new action:\n%s", got)
	}
}

// What cannot be sent is said at once, in the form or in the footer.
func TestActRefusals(t *testing.T) {
	var tr trainee
	m := newModelWith(t, drillHub(t), 120, 40, Options{Act: tr.act})
	press(m, "x", "2", "o", "t", "w", "o")
	pressRun(m, "enter")
	if len(tr.frames) != 0 || !strings.Contains(m.View(), `agents: "two" is not a number of agents`) {
		t.Errorf("an overtime of \"two\" agents: %d frames sent; screen:\n%s", len(tr.frames), m.View())
	}
	press(m, "esc", "1", "m")
	if !strings.Contains(m.View(), "act from the Agents (3) or Queues (2) view") {
		t.Errorf("a command key on the Overview says nothing:\n%s", m.View())
	}
	tr.refuse = errors.New("refused: the drill is over")
	press(m, "2", "c", "3", "0")
	pressRun(m, "enter")
	if !strings.Contains(m.View(), "✗ callback billing after 30s: refused: the drill is over") {
		t.Errorf("a command the drill could not take:\n%s", m.View())
	}

	// A key that may watch but not act is told why, and sends nothing.
	m = newModelWith(t, drillHub(t), 120, 40, Options{CannotAct: "your key may watch this drill but not act in it"})
	if !strings.Contains(m.View(), "your key may watch this drill but not act in it") {
		t.Errorf("the briefing does not say the viewer cannot act:\n%s", m.View())
	}
	press(m, "x", "3", "m")
	if !strings.Contains(m.View(), "your key may watch this drill but not act in it") || m.act.form != nil {
		t.Errorf("a watcher's m:\n%s", m.View())
	}
}

// On a feed that is not a drill nothing of the drill shows: no key, no
// help line, no briefing.
func TestNoDrillNoActing(t *testing.T) {
	var tr trainee
	m := newModelWith(t, testHub(t), 160, 48, Options{Act: tr.act})
	before := m.View()
	press(m, "3", "m", "r", "h", "o", "f", "c", "L", "i")
	for _, k := range []string{"enter", "tab"} {
		pressRun(m, k)
	}
	press(m, "?")
	help := m.View()
	for _, word := range []string{"move agent", "action log", "briefing", "Briefing"} {
		if strings.Contains(help, word) || strings.Contains(before, word) {
			t.Errorf("%q shows on a feed that is not a drill:\n%s", word, help)
		}
	}
	if len(tr.frames) != 0 || m.act.form != nil {
		t.Errorf("%d frames sent on a feed that is not a drill", len(tr.frames))
	}
}

// Every form and the log fit every size, whatever the cursor.
func TestDrillScreensFit(t *testing.T) {
	hub := drillHub(t)
	for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {50, 12}} {
		var tr trainee
		m := newModelWith(t, hub, size[0], size[1], Options{Act: tr.act})
		checkFits(t, m.View(), size[0], size[1])
		for _, keys := range [][]string{{"2", "o"}, {"2", "f"}, {"2", "c"}, {"3", "m"}, {"3", "h"}, {"2", "enter", "m"},
			{"2", "enter", "f"}, {"L"}, {"L", "G"}, {"i"}} {
			press(m, "x", "1")
			press(m, keys...)
			press(m, "tab", "j", "j", "j")
			checkFits(t, m.View(), size[0], size[1])
			press(m, "esc", "esc", "esc")
		}
	}
}
