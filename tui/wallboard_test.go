package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/floor"
)

// The wallboard of the fixed floor from the smallest supported terminal to
// a 4K TV's: without colour (NO_COLOR), so every grade must read in its
// word. Billing (66.7%, goal 90%) and Sales (60.0%, goal 80%) are MISSED,
// Support (100%, goal 80%) OK.
func TestGoldenWallboard(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}, {320, 90}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newModelWith(t, testHub(t), size[0], size[1], Options{Wallboard: true})
			frame := m.View()
			checkFits(t, frame, size[0], size[1])
			golden.RequireEqual(t, frame)
		})
	}
}

// The digits grow with the screen: a 4K TV's terminal draws them at four
// times the size of the classic terminal's, and every queue on one page.
func TestWallboardScalesWithTheScreen(t *testing.T) {
	for _, tc := range []struct {
		w, h, k, perPage int
	}{
		{80, 24, 1, 2}, {160, 48, 2, 4}, {200, 60, 2, 3}, {320, 90, 4, 4},
	} {
		g, ok := boardLayout(3, tc.w, tc.h-2)
		if !ok || g.k != tc.k || g.perPage() != tc.perPage {
			t.Errorf("%dx%d: scale %d, %d a page (ok %v); want scale %d, %d a page", tc.w, tc.h, g.k, g.perPage(), ok, tc.k, tc.perPage)
		}
	}
}

func TestWallboardWords(t *testing.T) {
	sl := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name    string
		sl      *float64
		longest *float64
		want    string
	}{
		{"on goal", sl(0.85), nil, "OK"},
		{"on goal to the point", sl(0.80), sl(20), "OK"},
		{"on goal, a caller past the threshold", sl(0.85), sl(21), "AT RISK"},
		{"under by less than 5 points", sl(0.76), nil, "AT RISK"},
		{"under by 5 points or more", sl(0.7499), nil, "MISSED"},
		{"no call yet", nil, nil, "NO CALLS"},
		{"no call yet, a caller past the threshold", nil, sl(30), "AT RISK"},
	} {
		q := &floor.QueueReport{SLThresholdS: 20, Metrics: floor.Metrics{ServiceLevel: tc.sl, SLTarget: 0.8, LongestWaitS: tc.longest}}
		if got := boardWords[boardLevel(q)]; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// Rounded down: 79.99% is not 80%.
	if got := boardPct(sl(0.7999)); got != "79%" {
		t.Errorf("79.99%% shows as %s", got)
	}
}

// Queues that do not all fit take turns, a page every wallRotate on the
// wall clock, and the top line says which page is up.
func TestWallboardPagesTurn(t *testing.T) {
	now := wallNow
	m := newModelWith(t, testHub(t), 80, 24, Options{Wallboard: true})
	m.opts.Now = func() time.Time { return now }
	page := func() string {
		frame := m.View()
		checkFits(t, frame, 80, 24)
		return frame
	}
	first := page()
	if !strings.Contains(first, "page 1/2") || !strings.Contains(first, "Billing") || strings.Contains(first, "Support") {
		t.Fatalf("first page:\n%s", first)
	}
	now = now.Add(wallRotate)
	m.Update(secondMsg{})
	second := page()
	if !strings.Contains(second, "page 2/2") || !strings.Contains(second, "Support") || strings.Contains(second, "Billing") {
		t.Fatalf("after %s:\n%s", wallRotate, second)
	}
	now = now.Add(wallRotate)
	m.Update(secondMsg{})
	if again := page(); !strings.Contains(again, "page 1/2") {
		t.Fatalf("pages do not come round again:\n%s", again)
	}
}

// b puts the wallboard up from any view and takes it down again; esc too.
// On the wallboard the other screens' keys do nothing, and its help lists
// its own keys and what its words mean.
func TestWallboardKeys(t *testing.T) {
	m := newModel(t, testHub(t), 160, 48)
	press(m, "3", "b")
	if !m.board.on || !strings.Contains(m.View(), "★ TOP") {
		t.Fatalf("b did not put the wallboard up:\n%s", m.View())
	}
	press(m, "1", "tab", "/", "enter", "d", "a")
	if !m.board.on || m.filtering {
		t.Fatal("a dashboard key acted behind the wallboard")
	}
	press(m, "?")
	help := m.View()
	for _, want := range []string{`b\s+wallboard`, `esc\s+back`, `w\s+window`, "AT RISK less than 5 points under goal"} {
		if !regexp.MustCompile(want).MatchString(help) {
			t.Errorf("the wallboard's help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "acknowledge") {
		t.Errorf("the wallboard's help lists the dashboard's keys:\n%s", help)
	}
	press(m, "x", "w")
	if m.window != floor.Rolling(time.Hour) {
		t.Errorf("w on the wallboard left the window at %s", m.window)
	}
	press(m, "b")
	if m.board.on || m.view != viewAgents {
		t.Fatalf("b did not go back to the Agents view (board %v, view %d)", m.board.on, m.view)
	}
	press(m, "b", "esc")
	if m.board.on {
		t.Fatal("esc did not take the wallboard down")
	}
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}); cmd == nil {
		t.Fatal("q does not quit")
	}
}

// Every size from too small to a wall of 50 queues: nothing wider or taller
// than the window, and the words there even on a screen too small for one
// panel.
func TestWallboardFits(t *testing.T) {
	hub := bigFloor(t)
	for _, size := range [][2]int{{50, 12}, {60, 15}, {80, 24}, {100, 30}, {160, 48}, {200, 60}, {320, 90}, {400, 120}} {
		m := newModelWith(t, hub, size[0], size[1], Options{Wallboard: true})
		frame := m.View()
		checkFits(t, frame, size[0], size[1])
		if !strings.Contains(frame, "QUEUE 00") && !strings.Contains(frame, "Queue 00") {
			t.Errorf("%dx%d: the first queue is not on the first page:\n%s", size[0], size[1], frame)
		}
	}
	small := newModelWith(t, testHub(t), 50, 12, Options{Wallboard: true}).View()
	for _, want := range []string{"BILLING  66% MISSED", "SUPPORT  100% OK"} {
		if !strings.Contains(small, want) {
			t.Errorf("50x12 lacks %q:\n%s", want, small)
		}
	}
}

// The block font writes every letter it has at every scale with the same
// shape: scale 2 is scale 1 with each pixel doubled.
func TestBigScaledKeepsTheShape(t *testing.T) {
	one, two := bigScaled("AT RISK 12:05%", 1), bigScaled("AT RISK 12:05%", 2)
	if len(two) != 6 || len([]rune(two[0])) != 2*len([]rune(one[0])) {
		t.Fatalf("scale 2 is %d lines of %d cells; scale 1 %d of %d", len(two), len([]rune(two[0])), len(one), len([]rune(one[0])))
	}
	// The top half of scale 1's first line is scale 2's first line, cell
	// for cell doubled.
	for x, c := range []rune(one[0]) {
		top := c == '█' || c == '▀'
		if got := []rune(two[0])[2*x]; (got == '█') != top {
			t.Fatalf("cell %d: %q at scale 1, %q at scale 2", x, c, got)
		}
	}
	if !hasGlyphs("AT RISK") || hasGlyphs("Über") {
		t.Error("hasGlyphs is wrong about the font")
	}
}
