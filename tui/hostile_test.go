package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/floorwatch/floorwatch/safetext"
)

// hostileFeed is a floor whose every kind of text from outside carries what
// a terminal would obey: the window title (ESC ]0;…BEL), the clipboard
// (ESC ]52;c;…BEL), ESC [2J, the C1 CSI U+009B, bidi overrides, invalid
// UTF-8 in ids; in the feed's name, queue ids and names, agent ids and
// names, an aux reason, callers, an abandon reason, a transfer target, a
// survey comment and a bad line. Beside them, names in Hebrew, Chinese and
// with an emoji, which must come through whole.
const hostileFeed = "../testdata/hostile.jsonl"

// legitNames are the hostile floor's honest names.
var legitNames = []string{"דנה כהן", "王小明", "🎧 Zoë", "תמיכה", "销售"}

// assertInert fails when out holds anything a terminal could act on: a C0
// control other than the newlines between lines, DEL, a C1 control, a bidi
// control, a byte that is not UTF-8. The tests' renderer draws no escape
// sequence of its own, so any ESC at all came from the feed.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if !safetext.Is(line) {
			t.Errorf("%s, line %d, holds a control character: %q", what, i+1, line)
		}
	}
}

// everyScreen walks the dashboard through every view, every detail the
// lists lead to, and the help, and returns each frame with its name.
func everyScreen(m *Model) map[string]string {
	frames := map[string]string{}
	shot := func(name string) { frames[name] = m.View() }
	for _, tab := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
		press(m, tab, "g")
		shot("view " + tab)
		for i := range m.rowsOf(m.view) {
			press(m, tab, "g")
			for range i {
				press(m, "down")
			}
			press(m, "enter")
			shot(fmt.Sprintf("view %s row %d", tab, i))
			press(m, "enter")
			shot(fmt.Sprintf("view %s row %d, deeper", tab, i))
		}
	}
	for _, scope := range []string{"n", "n", "n"} {
		press(m, "8", scope)
		shot("day of " + m.dayScopeLabel())
	}
	press(m, "1", "?")
	shot("help")
	press(m, "q")
	return frames
}

func TestHostileTextIsShownNeverObeyed(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, redact := range []bool{false, true} {
			m := newModelWith(t, replayHub(t, hostileFeed), size[0], size[1], Options{RedactCallers: redact})
			frames := everyScreen(m)
			var all strings.Builder
			for name, f := range frames {
				what := fmt.Sprintf("%dx%d redact=%v %s", size[0], size[1], redact, name)
				assertInert(t, what, f)
				checkFits(t, f, size[0], size[1])
				all.WriteString(f + "\n")
			}
			// The payloads are on screen, as text: proof they were drawn
			// and not left out.
			want := []string{"^[]52;c;", "^[[2J", `\u202e`, `\u009b`, "^G"}
			if size[0] == 160 {
				// Two raw ids, different bytes, print differently.
				want = append(want, `(a\xff1)`, `(a\xfe1)`, "acme^[]0;PWNED^G")
			}
			for _, w := range append(want, legitNames...) {
				if !strings.Contains(all.String(), w) {
					t.Errorf("%dx%d redact=%v: %q is on no screen", size[0], size[1], redact, w)
				}
			}
		}
	}
}

// A name in Hebrew, Chinese or with an emoji takes the cells a terminal
// gives it: every column after it starts where its header does.
func TestWideAndRightToLeftNamesKeepColumnsAligned(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := newModel(t, replayHub(t, hostileFeed), size[0], size[1])
		press(m, "3")
		frame := m.View()
		lines := strings.Split(frame, "\n")
		col := func(line, what string) int {
			i := strings.Index(line, what)
			if i < 0 {
				return -1
			}
			return ansi.StringWidth(line[:i])
		}
		header := -1
		for _, l := range lines {
			if c := col(l, "STATE"); c >= 0 {
				header = c
			}
		}
		if header < 0 {
			t.Fatalf("%dx%d: no STATE column:\n%s", size[0], size[1], frame)
		}
		for _, name := range []string{"דנה כהן", "王小明", "🎧 Zoë"} {
			for _, l := range lines {
				if !strings.Contains(l, name) {
					continue
				}
				if c := col(l, "available"); c != header {
					t.Errorf("%dx%d: %s's state starts at cell %d, its header at %d:\n%s", size[0], size[1], name, c, header, frame)
				}
				if w := ansi.StringWidth(l); w != ansi.StringWidth(lines[2]) {
					t.Errorf("%dx%d: %s's row is %d cells, the header %d", size[0], size[1], name, w, ansi.StringWidth(lines[2]))
				}
			}
		}
	}
}

// The hostile floor's main screens at 80×24, to read how text from outside
// looks once made harmless.
func TestGoldenHostile(t *testing.T) {
	for name, keys := range map[string][]string{"overview": nil, "agents": {"3"}, "recovery": {"4"}, "survey": {"4", "enter"}} {
		t.Run(name, func(t *testing.T) {
			m := newModel(t, replayHub(t, hostileFeed), 80, 24)
			press(m, keys...)
			golden.RequireEqual(t, m.View())
		})
	}
}

// FuzzHostileText puts any string everywhere the feed carries text, encoded
// as JSON would (escapes) and raw (bytes as they come), and draws every
// view: no control character ever reaches the screen.
func FuzzHostileText(f *testing.F) {
	for _, s := range []string{"\x1b]0;PWNED\x07", "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b[2J", "\u009b31m", "\u202eevil\u202c",
		"\xff\xfe", "דנה כהן", "王小明", "🎧 Zoë", "\x1bP\x1b\\", "\r\n\t", "a\u0308", "\u200f\u061c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc, _ := json.Marshal(s) // escapes control characters; invalid UTF-8 becomes U+FFFD
		raw := `"` + s + `"`      // the bytes as a feed may send them (the line may then be bad)
		var b strings.Builder
		line := func(seq int, body string) {
			fmt.Fprintf(&b, `{"seq":%d,"ts":"2026-11-23T10:00:%02d.000Z",%s}`+"\n", seq, seq, body)
		}
		b.WriteString(`{"type":"hello","v":1,"feed":` + string(esc) + `,"stream":"s","seq":9,"ts":"2026-11-23T10:00:00.000Z"}` + "\n")
		line(1, `"type":"queue.config","queue":`+raw+`,"name":`+string(esc))
		line(2, `"type":"queue.config","queue":"q","name":`+raw)
		line(3, `"type":"agent.state","agent":`+raw+`,"name":`+string(esc)+`,"state":"aux","reason":`+string(esc)+`,"queues":["q"]`)
		line(4, `"type":"agent.state","agent":"a","name":`+raw+`,"state":"available","queues":["q"]`)
		line(5, `"type":"call.offered","call":"c1","queue":"q","caller":`+string(esc))
		line(6, `"type":"call.abandoned","call":"c1","queue":"q","reason":`+string(esc))
		line(7, `"type":"call.offered","call":`+raw+`,"queue":"q","caller":`+raw)
		line(8, `"type":"call.answered","call":`+raw+`,"queue":"q","agent":"a"`)
		line(9, `"type":"survey.submitted","call":"c1","agent":"a","queue":"q","csat":1,"comment":`+string(esc))
		m := newModel(t, foldHub(t, strings.NewReader(b.String())), 80, 24)
		for name, frame := range everyScreen(m) {
			assertInert(t, name, frame)
		}
	})
}
