package tui

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// wallNow is the injected wall clock of every test.
var wallNow = time.Date(2026, 11, 23, 8, 30, 1, 0, time.UTC)

// asciiRenderer draws without colour, the same on every machine.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// testHub is the fixed floor: testdata/floor.jsonl folded with
// testdata/goals.yaml (08:00 to 08:30 on the floor clock).
func testHub(t testing.TB) *live.Hub {
	t.Helper()
	g, err := floor.LoadGoals("testdata/goals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := live.NewHub(floor.New(floor.Options{Goals: g}))
	f, err := os.Open("testdata/floor.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := h.Replay(f); err != nil {
		t.Fatal(err)
	}
	return h
}

// newModel is a dashboard on hub at w×h with a fixed clock and no colour.
func newModel(t testing.TB, hub *live.Hub, w, h int) *Model {
	t.Helper()
	return newModelWith(t, hub, w, h, Options{})
}

// newModelWith is newModel with other options; the renderer, clock and
// window are the tests' own.
func newModelWith(t testing.TB, hub *live.Hub, w, h int, opts Options) *Model {
	t.Helper()
	opts.Renderer, opts.Now, opts.Window = asciiRenderer(), func() time.Time { return wallNow }, floor.Rolling(30*time.Minute)
	m := New(hub, opts).(*Model)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// replayHub folds the recording at path on a fresh floor.
func replayHub(t testing.TB, path string) *live.Hub {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return foldHub(t, f)
}

// foldHub folds a recording on a fresh floor.
func foldHub(t testing.TB, r io.Reader) *live.Hub {
	t.Helper()
	h := live.NewHub(floor.New(floor.Options{}))
	if err := h.Replay(r); err != nil {
		t.Fatal(err)
	}
	return h
}

// press sends keys, one message each: a name bubbletea knows ("enter",
// "esc", "tab", "down") or runes.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// checkFits fails when any line of the frame is wider than w or there are
// more than h lines.
func checkFits(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) > h {
		t.Errorf("%d lines in a %d-line window", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide in a %d-cell window: %q", i+1, lw, w, l)
		}
	}
}
