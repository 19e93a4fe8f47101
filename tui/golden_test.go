package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Each view of the fixed floor, at the smallest supported terminal and a
// wide one: the whole screen as text, colour off, clocks fixed. Run
// `go test ./tui -run Golden -update` after an intended change and read the
// diff of testdata/*.golden.
func TestGoldenViews(t *testing.T) {
	views := []struct {
		name string
		keys []string
	}{
		{"overview", nil},
		{"queues", []string{"2"}},
		{"agents", []string{"3"}},
		{"recovery", []string{"4"}},
		{"recognition", []string{"5"}},
		{"flow", []string{"6"}},
		{"alerts", []string{"7"}},
		// Down to Sales (second worst), enter.
		{"queue_detail", []string{"2", "down", "enter"}},
		// From the overview: past the three queues to the first agent.
		{"agent_detail", []string{"down", "down", "down", "enter"}},
		{"help", []string{"?"}},
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				m := newModel(t, testHub(t), size[0], size[1])
				press(m, v.keys...)
				frame := m.View()
				checkFits(t, frame, size[0], size[1])
				golden.RequireEqual(t, frame)
			})
		}
	}
}

func TestTooSmallSaysSo(t *testing.T) {
	m := newModel(t, testHub(t), 40, 10)
	frame := m.View()
	checkFits(t, frame, 40, 10)
	golden.RequireEqual(t, frame)
}

// Every view of the 2,000-agent floor, at several sizes, with the cursor
// moved deep into the lists: no line wider than the window, no more lines
// than it has.
func TestEveryViewFits(t *testing.T) {
	hub := bigFloor(t)
	for _, size := range [][2]int{{80, 24}, {100, 30}, {160, 48}, {50, 12}, {49, 30}} {
		m := newModel(t, hub, size[0], size[1])
		for _, keys := range [][]string{nil, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"2", "G", "enter"},
			{"3", "G", "enter"}, {"4", "G", "enter"}, {"4", "d"}, {"?"}, {"3", "/", "a"}, {"8", "n", "t", "k"}} {
			press(m, "1")
			press(m, keys...)
			press(m, "j", "j", "j")
			checkFits(t, m.View(), size[0], size[1])
			press(m, "esc", "esc", "esc")
		}
	}
}
