package sshserve

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/safetext"
	"github.com/floorwatch/floorwatch/tui"
)

// ownSequences are the escape sequences a session's own renderer writes, and
// no others: colours (SGR), cursor moves, erasing a line, private modes
// (alternate screen, mouse, bracketed paste, cursor), the device-attribute
// and background-colour queries, and one clear of the screen as it enters
// the alternate screen. The feed's ESC [2J, ESC ]0 or ESC ]52 are none of
// them; every ESC of the feed is shown as "^[".
var ownSequences = regexp.MustCompile(`\x1b\[\?1049h\x1b\[2J|\x1b\[[0-9;]*[mABCDGHK]|\x1b\[2K|` +
	`\x1b\[\?[0-9]+[hl]|\x1b\[c|\x1b\]11;\?(?:\x07|\x1b\\)`)

// assertInert fails when what a session wrote holds anything a terminal
// could obey other than the renderer's own sequences: another escape
// sequence (a window title, the clipboard), a C0 or C1 control, a bidi
// override, bytes that are not UTF-8.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	text := ownSequences.ReplaceAllString(out, "")
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		// A bare CR returns to the line start between frames.
		if line = strings.ReplaceAll(line, "\r", ""); !safetext.Is(line) {
			t.Errorf("%s, line %d, holds a control character: %q", what, i+1, line)
		}
	}
}

// hostileHub folds ../testdata/hostile.jsonl: text that tries to set the
// window title and the clipboard, clear the screen, reverse the text, in
// every field a feed carries (see tui/hostile_test.go).
func hostileHub(t *testing.T) *live.Hub {
	t.Helper()
	f, err := os.Open("../testdata/hostile.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hub := live.NewHub(floor.New(floor.Options{}))
	if err := hub.Replay(f); err != nil {
		t.Fatal(err)
	}
	return hub
}

// A supervisor's real session on a hostile floor: the dashboard through
// every view, then `status` and `status --json`; nothing the feed wrote is
// obeyed, and the names in Hebrew, Chinese and with an emoji come through.
func TestHostileTextNeverReachesASession(t *testing.T) {
	hub := hostileHub(t)
	ts := startServer(t, func(c *Config) {
		c.Dashboard = func(r *lipgloss.Renderer, _ Viewer) (tea.Model, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			return tui.New(hub, tui.Options{Renderer: r, Context: ctx}), cancel
		}
		c.Status = hubStatus(hub)
	})
	c := ts.client(t)
	tm := openTerminal(t, c, 160, 48, "")
	tm.waitFor("acme^[]0;PWNED^G", 10*time.Second)
	for _, step := range []struct{ key, want string }{
		{"2", "Billing^[]52;c;cm0gLXJmIH4=^G"},
		{"3", "Eve\\u202eevil\\u202c Moreau"},
		{"4", "+1555^[]52;c;AAAA^G 0199"},
		{"\r", "low survey"},
		{"7", "Alerts"},
		{"?", "Reading the screen"},
	} {
		if _, err := tm.stdin.Write([]byte(step.key)); err != nil {
			t.Fatal(err)
		}
		tm.waitFor(step.want, 5*time.Second)
	}
	tm.stdin.Write([]byte("q")) // closes the help and quits
	if code := tm.exit(10 * time.Second); code != 0 {
		t.Errorf("dashboard exit %d", code)
	}
	out := tm.out.String()
	assertInert(t, "the dashboard", out)
	for _, name := range []string{"דנה כהן", "王小明", "🎧 Zoë", "תמיכה", "销售"} {
		if !strings.Contains(out, name) {
			t.Errorf("the dashboard never showed %q", name)
		}
	}

	for _, cmd := range []string{"status", "status --json"} {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		got, err := sess.CombinedOutput(cmd)
		sess.Close()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, got)
		}
		assertInert(t, cmd, string(got))
		for _, name := range []string{"דנה כהן", "王小明", "🎧 Zoë"} {
			if !strings.Contains(string(got), name) {
				t.Errorf("%s lacks %q:\n%s", cmd, name, got)
			}
		}
	}
}
