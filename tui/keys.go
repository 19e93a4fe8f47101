package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the dashboard answers to. The help screen and the
// footer are generated from these bindings, so they cannot drift from what
// the keys do.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	NextView, PrevView key.Binding
	// Views: the number keys, 1 for the first tab to 8 for the last.
	Views key.Binding

	Enter, Back key.Binding
	Filter      key.Binding
	Sort        key.Binding
	Window      key.Binding
	Done        key.Binding // a recovery item called back, or back on the list
	Ack, AckAll key.Binding
	Help, Quit  key.Binding
	// Wallboard switches to and from the big-digit screen for the wall.
	Wallboard key.Binding
	// The Day view's (day.go): the floor or the next (N: previous) queue,
	// and the interval size.
	DayScope, DaySize key.Binding

	// A replay's keys (watch --replay); disabled on a live feed.
	Pause, Faster, Slower key.Binding
	SeekBack, SeekFwd     key.Binding
	SeekStart, SeekEnd    key.Binding

	// A drill's keys (act.go), disabled unless the feed is a drill: the
	// commands, on an agent or a queue; the action log and the briefing.
	Move, Release, SendHome      key.Binding
	Overtime, Overflow, Callback key.Binding
	Actions, Briefing            key.Binding
	// A command's form (actform.go).
	Send, Cancel, FieldNext, FieldPrev, Tick key.Binding
}

// DefaultKeyMap is the standard key map.
func DefaultKeyMap() KeyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      b("g/home", "first row", "g", "home"),
		Bottom:   b("G/end", "last row", "G", "end"),
		NextView: b("tab", "next view", "tab"),
		PrevView: b("shift+tab", "previous view", "shift+tab"),
		Views:    b("1-8", "overview…day", "1", "2", "3", "4", "5", "6", "7", "8"),
		Enter:    b("enter", "drill down", "enter"),
		Back:     b("esc", "back", "esc"),
		Filter:   b("/", "filter", "/"),
		Sort:     b("s", "sort", "s"),
		Window:   b("w", "window", "w"),
		Done:     b("d", "done/undo", "d"),
		Ack:      b("a", "acknowledge", "a"),
		AckAll:   b("A", "acknowledge all", "A"),
		Help:     b("?", "help", "?"),
		Quit:     b("q", "quit", "q", "ctrl+c"),

		Wallboard: b("b", "wallboard", "b"),
		DayScope:  b("n/N", "day: floor or queue", "n", "N"),
		DaySize:   b("t", "day: 15m/30m/1h", "t"),

		Pause:     off(b("space", "pause/play", " ")),
		Faster:    off(b("+", "faster", "+", "=")),
		Slower:    off(b("-", "slower", "-")),
		SeekBack:  off(b("←", "back 5 min", "left")),
		SeekFwd:   off(b("→", "on 5 min", "right")),
		SeekStart: off(b("home", "to the start", "home")),
		SeekEnd:   off(b("end", "to the end", "end")),

		Move:     off(b("m", "move agent", "m")),
		Release:  off(b("r", "release from aux", "r")),
		SendHome: off(b("h", "send home", "h")),
		Overtime: off(b("o", "overtime", "o")),
		Overflow: off(b("f", "overflow", "f")),
		Callback: off(b("c", "call backs", "c")),
		Actions:  off(b("L", "action log", "L")),
		Briefing: off(b("i", "briefing", "i")),

		Send:      b("enter", "send", "enter"),
		Cancel:    b("esc", "cancel", "esc"),
		FieldNext: b("tab", "next field", "tab"),
		FieldPrev: b("shift+tab", "previous field", "shift+tab"),
		Tick:      b("space", "tick", " "),
	}
}

func off(b key.Binding) key.Binding {
	b.SetEnabled(false)
	return b
}

// forReplay turns the replay keys on; home and end then seek, and g and G
// alone move to the first and last row.
func (k *KeyMap) forReplay() {
	for _, b := range []*key.Binding{&k.Pause, &k.Faster, &k.Slower, &k.SeekBack, &k.SeekFwd, &k.SeekStart, &k.SeekEnd} {
		b.SetEnabled(true)
	}
	k.Top = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "first row"))
	k.Bottom = key.NewBinding(key.WithKeys("G"), key.WithHelp("G", "last row"))
}

// keyHelp adapts a KeyMap to bubbles/help for one view: only keys that do
// something there are offered.
type keyHelp struct {
	k    KeyMap
	view view
}

// ShortHelp is the footer line.
func (h keyHelp) ShortHelp() []key.Binding {
	k := h.k
	out := []key.Binding{k.NextView, k.Up}
	out = append(out, h.viewKeys()...)
	return append(out, k.Actions, k.Pause, k.Faster, k.SeekFwd, k.Window, k.Help, k.Quit)
}

func (h keyHelp) viewKeys() []key.Binding {
	k := h.k
	switch h.view {
	case viewOverview, viewRecognition:
		return []key.Binding{k.Enter}
	case viewQueues:
		return []key.Binding{k.Enter, k.Overflow, k.Callback, k.Overtime}
	case viewRecovery:
		return []key.Binding{k.Enter, k.Done}
	case viewRecoveryDetail:
		return []key.Binding{k.Done, k.Back}
	case viewAgents:
		return []key.Binding{k.Enter, k.Sort, k.Filter, k.Move, k.Release, k.SendHome, k.Overtime}
	case viewAlerts:
		return []key.Binding{k.Ack, k.AckAll}
	case viewQueueDetail:
		return []key.Binding{k.Back, k.Move, k.Release, k.SendHome, k.Overflow, k.Callback, k.Overtime}
	case viewAgentDetail:
		return []key.Binding{k.Back, k.Move, k.Release, k.SendHome, k.Overtime}
	case viewActions:
		return []key.Binding{k.Back, k.Briefing}
	case viewDay:
		return []key.Binding{k.DayScope, k.DaySize}
	}
	return nil
}

// FullHelp is the `?` screen: every binding, in columns. An agent's card
// and the wallboard list only their own keys.
func (h keyHelp) FullHelp() [][]key.Binding {
	k := h.k
	replay := []key.Binding{k.Pause, k.Faster, k.Slower, k.SeekBack, k.SeekFwd, k.SeekStart, k.SeekEnd}
	switch h.view {
	case viewCard:
		return [][]key.Binding{{k.Help, k.Quit}}
	case viewWallboard:
		return [][]key.Binding{{k.Wallboard, k.Back, k.Window, k.Help, k.Quit}, replay}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextView, k.PrevView, k.Views},
		{k.Enter, k.Back, k.Filter, k.Sort, k.Window, k.DayScope, k.DaySize},
		{k.Done, k.Ack, k.AckAll, k.Wallboard, k.Help, k.Quit},
		replay,
		{k.Move, k.Release, k.SendHome, k.Overtime, k.Overflow, k.Callback, k.Actions, k.Briefing},
	}
}
