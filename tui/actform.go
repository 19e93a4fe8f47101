package tui

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/paginator"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// actForm is a command's form: what it applies to, what it does, and the
// fields the trainee fills (none for release and send home: the form is
// then the confirmation).
type actForm struct {
	d       feed.Drill // the command, its fixed agent or queue set
	title   string
	note    string // what the command will do, in a sentence
	fields  []actField
	focus   int
	problem string // why the last enter sent nothing
}

// actField is one field: a text input (a number, a duration) or a picker
// of queues, ticked (several) or chosen by the cursor (one).
type actField struct {
	label string
	fill  func(d *feed.Drill, value string) error // a text field's value into the command
	input textinput.Model
	pick  *list.Model
	multi bool
}

// queueItem is a queue in a picker.
type queueItem struct {
	id, label, status string
	ticked            bool
}

func (q *queueItem) FilterValue() string { return q.id }

// pickDelegate draws a picker's rows with the dashboard's styles (the
// list's own come from the global renderer, wrong over SSH).
type pickDelegate struct {
	s       *Styles
	multi   bool
	focused bool
}

func (pickDelegate) Height() int                         { return 1 }
func (pickDelegate) Spacing() int                        { return 0 }
func (pickDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

func (d pickDelegate) Render(w io.Writer, l list.Model, i int, it list.Item) {
	q := it.(*queueItem)
	here := i == l.Index()
	mark, box := "  ", ""
	if here && d.focused {
		mark = "› "
	}
	switch {
	case d.multi && q.ticked:
		box = "[x] "
	case d.multi:
		box = "[ ] "
	case here:
		box = "(•) "
	default:
		box = "( ) "
	}
	st := d.s.App
	if here && d.focused {
		st = d.s.Selected
	}
	line := mark + box + q.label + "  " + d.s.Muted.Render(q.status)
	fmt.Fprint(w, st.Render(ansi.Truncate(line, l.Width(), "…")))
}

// Fields.

func (m *Model) textField(label, placeholder, value string, fill func(*feed.Drill, string) error) actField {
	in := textinput.New()
	in.Prompt, in.Placeholder, in.CharLimit, in.Width = "", placeholder, 12, 12
	in.SetValue(value)
	in.TextStyle, in.PlaceholderStyle, in.Cursor.Style = m.styles.App, m.styles.Muted, m.styles.Filter
	// A static cursor: a blinking one would redraw every session's screen
	// twice a second for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	return actField{label: label, fill: fill, input: in}
}

// queuePicker lists the queues of the floor but skip, worst first as
// everywhere, with their service level and calls waiting; ticked are
// pre-ticked.
func (m *Model) queuePicker(label string, multi bool, ticked []string, skip string) actField {
	var items []list.Item
	for _, q := range m.queues {
		if q.Queue == skip {
			continue
		}
		lvl := slLevel(q.ServiceLevel, q.SLTarget)
		it := &queueItem{id: q.Queue, label: q.Label(),
			status: fmt.Sprintf("SL %s %s · %d waiting · %d staffed", pct(q.ServiceLevel), levelMark(lvl), q.Waiting, q.Staffed)}
		it.ticked = slices.Contains(ticked, q.Queue)
		items = append(items, it)
	}
	l := list.New(items, pickDelegate{s: &m.styles, multi: multi}, 0, 0)
	l.SetShowTitle(false)
	l.SetShowStatusBar(false)
	l.SetFilteringEnabled(false)
	l.SetShowHelp(false)
	l.DisableQuitKeybindings()
	l.Paginator.Type = paginator.Arabic
	l.Styles.PaginationStyle, l.Styles.ArabicPagination = m.styles.Muted, m.styles.Muted
	return actField{label: label, pick: &l, multi: multi}
}

// The text fields' readers.

func fillCount(d *feed.Drill, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return fmt.Errorf("agents: %q is not a number of agents; type one such as 2", v)
	}
	d.Count = n
	return nil
}

func fillFor(d *feed.Drill, v string) error {
	d.For = strings.TrimSpace(v) // the drill reads the duration, and says what is wrong with it
	return nil
}

// fillAfter reads seconds; empty ends the overflow or the call backs.
func fillAfter(d *feed.Drill, v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return nil
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s < 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return fmt.Errorf("after: %q is not a number of seconds; type one such as 60, or leave it empty to end it", v)
	}
	d.AfterS = &s
	return nil
}

// The forms.

func (m *Model) agentForm(msg tea.KeyMsg, a *floor.AgentReport) *actForm {
	k := m.keys
	who := a.Label() + " (" + a.Agent + ")"
	now := stateLabel(a.State)
	if a.Reason != "" {
		now += " (" + a.Reason + ")"
	}
	now += " for " + dur(a.StateS)
	f := &actForm{d: feed.Drill{Agent: a.Agent}}
	switch {
	case key.Matches(msg, k.Move):
		f.d.Command, f.title = feed.CommandMove, "Move "+who
		f.note = "Skills now: " + strings.Join(a.Queues, ", ") + ". They become the queues ticked; " +
			"an idle agent takes the longest-waiting call of them at once."
		f.fields = []actField{m.queuePicker("queues", true, a.Queues, "")}
	case key.Matches(msg, k.Release):
		f.d.Command, f.title = feed.CommandRelease, "Release "+who+" from aux"
		f.note = "Now " + now + ". Their aux ends now: they are available and take a waiting call."
	default:
		f.d.Command, f.title = feed.CommandSendHome, "Send "+who+" home"
		f.note = "Now " + now + ". They log off now, or after the call they are on, for the rest of the drill."
	}
	return f
}

// overtimeForm calls in agents, on q's queue when there is one.
func (m *Model) overtimeForm(q *floor.QueueReport) *actForm {
	var ticked []string
	if q != nil {
		ticked = []string{q.Queue}
	}
	return &actForm{d: feed.Drill{Command: feed.CommandOvertime}, title: "Call in overtime",
		note: "Extra agents log in now with the queues ticked, and log off when the time is up, after their call. " +
			"Every agent-hour counts against the drill's goal.",
		fields: []actField{
			m.textField("agents", "e.g. 2", "", fillCount),
			m.textField("for", "30m", "30m", fillFor),
			m.queuePicker("queues", true, ticked, ""),
		}}
}

// overflowForm sends q's long waits to another queue; nil when there is
// no other.
func (m *Model) overflowForm(q *floor.QueueReport) *actForm {
	to := m.queuePicker("to", false, nil, q.Queue)
	if len(to.pick.Items()) == 0 {
		return nil
	}
	return &actForm{d: feed.Drill{Command: feed.CommandOverflow, Queue: q.Queue}, title: "Overflow " + q.Label() + " (" + q.Queue + ")",
		note: "Calls that have waited this long leave " + q.Label() + " for the queue chosen, and are offered there at once. " +
			"Leave it empty to end the overflow.",
		fields: []actField{m.textField("after (s)", "off", "", fillAfter), to}}
}

func (m *Model) callbackForm(q *floor.QueueReport) *actForm {
	return &actForm{d: feed.Drill{Command: feed.CommandCallback, Queue: q.Queue}, title: "Call backs on " + q.Label() + " (" + q.Queue + ")",
		note: "Callers who have waited this long are offered a call back and keep their place in line; they no longer hang up. " +
			"Leave it empty to end the call backs.",
		fields: []actField{m.textField("after (s)", "off", "", fillAfter)}}
}

// sizeForm fits the form's pickers to the window and focuses its field.
func (m *Model) sizeForm() {
	f := m.act.form
	if f == nil {
		return
	}
	w, h := m.width, m.height
	if w == 0 || h == 0 {
		w, h = 80, 24
	}
	// The body less the title, the note, the text fields and the lines
	// around them.
	room := max(2, h-2-8-len(f.fields))
	for i := range f.fields {
		fl := &f.fields[i]
		if fl.pick == nil {
			continue
		}
		n := len(fl.pick.Items())
		fl.pick.SetShowPagination(n > room)
		if n > room {
			fl.pick.SetSize(w-4, room) // its pages and their number
		} else {
			fl.pick.SetSize(w-4, n)
		}
	}
	m.focusField(f.focus)
}

// focusField moves the form's focus to field i (round the ends).
func (m *Model) focusField(i int) {
	f := m.act.form
	if len(f.fields) == 0 {
		return
	}
	f.focus = (i%len(f.fields) + len(f.fields)) % len(f.fields)
	for j := range f.fields {
		fl := &f.fields[j]
		if fl.pick != nil {
			fl.pick.SetDelegate(pickDelegate{s: &m.styles, multi: fl.multi, focused: j == f.focus})
			continue
		}
		if j == f.focus {
			fl.input.Focus()
		} else {
			fl.input.Blur()
		}
	}
}

// formKey handles a key while a form is up.
func (m *Model) formKey(msg tea.KeyMsg) tea.Cmd {
	k, f := m.keys, m.act.form
	switch {
	case key.Matches(msg, k.Cancel):
		m.act.form = nil
		return nil
	case key.Matches(msg, k.Send):
		d, err := f.command()
		if err != nil {
			f.problem = err.Error()
			return nil
		}
		return m.send(d)
	case len(f.fields) == 0:
		return nil
	}
	fl := &f.fields[f.focus]
	text := fl.pick == nil
	switch {
	case key.Matches(msg, k.FieldNext) || text && msg.Type == tea.KeyDown:
		m.focusField(f.focus + 1)
		return nil
	case key.Matches(msg, k.FieldPrev) || text && msg.Type == tea.KeyUp:
		m.focusField(f.focus - 1)
		return nil
	}
	if text {
		var cmd tea.Cmd
		fl.input, cmd = fl.input.Update(msg)
		return cmd
	}
	if fl.multi && key.Matches(msg, k.Tick) {
		if q, ok := fl.pick.SelectedItem().(*queueItem); ok {
			q.ticked = !q.ticked
		}
		return nil
	}
	var cmd tea.Cmd
	*fl.pick, cmd = fl.pick.Update(msg)
	return cmd
}

// command is the form's command as filled in.
func (f *actForm) command() (feed.Drill, error) {
	d := f.d
	for _, fl := range f.fields {
		switch {
		case fl.pick == nil:
			if err := fl.fill(&d, fl.input.Value()); err != nil {
				return d, err
			}
		case fl.multi:
			for _, it := range fl.pick.Items() {
				if q := it.(*queueItem); q.ticked {
					d.Queues = append(d.Queues, q.id)
				}
			}
		default:
			if q, ok := fl.pick.SelectedItem().(*queueItem); ok {
				d.To = q.id
			}
		}
	}
	return d, nil
}

// formView draws the form in the body.
func (m *Model) formView(w, h int) string {
	s, f := m.styles, m.act.form
	lines := []string{s.Title.Render(f.title), s.App.Width(w).Render(f.note), ""}
	lw := 0
	for _, fl := range f.fields {
		lw = max(lw, lipgloss.Width(fl.label))
	}
	for i, fl := range f.fields {
		label := s.Label.Render(fmt.Sprintf("%-*s ", lw, fl.label))
		if i == f.focus {
			label = s.Bold.Render(fmt.Sprintf("%-*s ", lw, fl.label))
		}
		if fl.pick == nil {
			lines = append(lines, label+fl.input.View())
			continue
		}
		hint := "↑/↓ choose"
		if fl.multi {
			hint = "↑/↓ and " + m.keys.Tick.Help().Key + " tick"
		}
		lines = append(lines, label+s.Muted.Render(hint), fl.pick.View())
	}
	if len(f.fields) == 0 {
		lines = append(lines, s.Bold.Render(m.keys.Send.Help().Key)+s.Muted.Render(" sends it, ")+
			s.Bold.Render(m.keys.Cancel.Help().Key)+s.Muted.Render(" cancels"))
	}
	if f.problem != "" {
		lines = append(lines, "", s.Bad.Render("✗ "+f.problem))
	}
	return fit(strings.Join(lines, "\n"), w, h)
}

// formHelp is the footer while a form is up: its own keys only.
type formHelp struct {
	k      KeyMap
	fields int
	multi  bool
}

func (h formHelp) ShortHelp() []key.Binding {
	k := h.k
	out := []key.Binding{k.Send, k.Cancel}
	if h.fields > 1 {
		out = append(out, k.FieldNext, k.FieldPrev)
	}
	if h.multi {
		out = append(out, k.Tick)
	}
	return out
}

func (h formHelp) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

// formFooter is the footer while a form is up.
func (m *Model) formFooter(w int) string {
	f := m.act.form
	multi := false
	for _, fl := range f.fields {
		multi = multi || fl.multi
	}
	h := m.help
	h.Width = w
	return h.View(formHelp{k: m.keys, fields: len(f.fields), multi: multi})
}
