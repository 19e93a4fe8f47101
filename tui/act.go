package tui

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// In a drill the trainee acts (DESIGN.md "Drills"): keys on the Agents and
// Queues views and in their details open a form for each command
// (actform.go); the command goes to the drill as a drill.command frame
// through Options.Act, from a tea.Cmd, and comes back on the feed as the
// drill.action of the same id, whose result the footer shows. The action
// log (actlog.go) lists every action of the drill; the briefing is shown
// when the drill starts and on a key. On a feed that is not a drill none of
// it shows: the keys stay disabled and out of the help.

// actState is the dashboard's side of the drill.
type actState struct {
	form     *actForm
	briefing bool // the briefing is up
	briefed  bool // it was shown when the drill started
	// prefix makes this dashboard's command ids its own (ab12-1, ab12-2…),
	// so that the footer finds its results among every trainee's.
	prefix  string
	sent    int
	pending map[string]string // id → what was sent, until its result comes
}

// actSentMsg: Act has taken (or refused) the command sent as id.
type actSentMsg struct {
	id, what string
	err      error
}

// acting reports whether the viewer may try to act: the feed is a drill and
// this dashboard can send commands, or must say why it cannot.
func (m *Model) acting() bool {
	return m.report.Drill != nil && (m.opts.Act != nil || m.opts.CannotAct != "")
}

// actRefresh follows the drill in a new report: the keys come on with it,
// the briefing shows once, and the results of the commands sent arrive.
func (m *Model) actRefresh() {
	k := &m.keys
	drill := m.report.Drill != nil
	k.Actions.SetEnabled(drill)
	k.Briefing.SetEnabled(drill)
	for _, b := range k.actKeys() {
		b.SetEnabled(m.acting())
	}
	if drill && !m.act.briefed && !m.board.on {
		m.act.briefed, m.act.briefing = true, true
	}
	if len(m.act.pending) == 0 {
		return
	}
	for _, a := range m.report.Actions {
		if what, ok := m.act.pending[a.ID]; ok {
			delete(m.act.pending, a.ID)
			m.flash = resultMark(a.Result) + " " + what + ": " + a.Result
		}
	}
}

// resultMark is ✓ for a command taken, ✗ for one refused.
func resultMark(result string) string {
	if result == "ok" {
		return "✓"
	}
	return "✗"
}

// actKey handles a key of the drill and reports whether it was one: while
// a form or the briefing is up they take every key.
func (m *Model) actKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case m.act.form != nil:
		return m.formKey(msg), true
	case m.act.briefing:
		m.act.briefing = false
		return nil, true
	case m.board.on:
		return nil, false
	case key.Matches(msg, k.Briefing):
		m.act.briefing = true
	case key.Matches(msg, k.Actions):
		if m.view == viewActions {
			m.goBack()
		} else {
			m.open(viewActions, "")
		}
	case slices.ContainsFunc(k.actKeys(), func(b *key.Binding) bool { return key.Matches(msg, *b) }):
		m.openForm(msg)
	default:
		return nil, false
	}
	return nil, true
}

// actKeys are the keys that open a command's form.
func (k *KeyMap) actKeys() []*key.Binding {
	return []*key.Binding{&k.Move, &k.Release, &k.SendHome, &k.Overtime, &k.Overflow, &k.Callback}
}

// selectedAgent is the agent a command applies to: the one under the
// cursor or in the detail.
func (m *Model) selectedAgent() *floor.AgentReport {
	list, c := m.agents, m.cursor[m.view]
	switch m.view {
	case viewAgentDetail:
		return m.agentByID[m.agentID]
	case viewQueueDetail:
		list = m.serving
	case viewAgents:
	default:
		return nil
	}
	if c < len(list) {
		return list[c]
	}
	return nil
}

// selectedQueue is the queue a command applies to: the one under the
// cursor or in the detail.
func (m *Model) selectedQueue() *floor.QueueReport {
	switch c := m.cursor[viewQueues]; {
	case m.view == viewQueueDetail:
		return m.queueByID[m.queueID]
	case m.view == viewQueues && c < len(m.queues):
		return m.queues[c]
	}
	return nil
}

// openForm opens the form of the command key pressed, on the agent or
// queue selected, or says why it cannot.
func (m *Model) openForm(msg tea.KeyMsg) {
	if m.opts.Act == nil {
		m.flash = m.opts.CannotAct
		return
	}
	if v := m.view; v != viewAgents && v != viewQueues && v != viewAgentDetail && v != viewQueueDetail {
		m.flash = "act from the Agents (3) or Queues (2) view, or from an agent's or a queue's detail"
		return
	}
	k := m.keys
	a, q := m.selectedAgent(), m.selectedQueue()
	var f *actForm
	switch {
	case key.Matches(msg, k.Overtime):
		f = m.overtimeForm(q)
	case key.Matches(msg, k.Move, k.Release, k.SendHome):
		if a == nil {
			m.flash = "pick an agent first: on the Agents view (3), or in a queue's or an agent's detail"
			return
		}
		f = m.agentForm(msg, a)
	case q == nil:
		m.flash = "pick a queue first: on the Queues view (2) or in a queue's detail"
		return
	case key.Matches(msg, k.Overflow):
		if f = m.overflowForm(q); f == nil {
			m.flash = "overflow: " + q.Label() + " is the only queue, there is nowhere to send its calls"
			return
		}
	default:
		f = m.callbackForm(q)
	}
	m.act.form = f
	m.sizeForm()
}

// send hands the form's command to the drill, from a tea.Cmd: Act may take
// a moment, and the model never waits. The form stays up, saying why,
// when the command cannot be written.
func (m *Model) send(d feed.Drill) tea.Cmd {
	if m.act.prefix == "" {
		var b [2]byte
		rand.Read(b[:])
		m.act.prefix, m.act.pending = hex.EncodeToString(b[:])+"-", map[string]string{}
	}
	m.act.sent++
	d.ID = m.act.prefix + itoa(m.act.sent)
	frame, err := feed.CommandFrame(&d)
	if err != nil {
		m.act.form.problem = err.Error()
		return nil
	}
	what := actionText(&d)
	m.act.form = nil
	m.act.pending[d.ID] = what
	m.flash = "… " + what + ": sent, waiting for the drill"
	act, id := m.opts.Act, d.ID
	return func() tea.Msg { return actSentMsg{id: id, what: what, err: act(frame)} }
}

// actSent shows a command the drill would not take: its result will never
// come on the feed (the drill is over).
func (m *Model) actSent(msg actSentMsg) {
	if _, waiting := m.act.pending[msg.id]; waiting && msg.err != nil {
		delete(m.act.pending, msg.id)
		m.flash = "✗ " + msg.what + ": " + msg.err.Error()
	}
}

// actionText says what a command does in a line: "move a003 → billing,
// support", "overtime 2 → support for 30m", "callback billing off".
func actionText(d *feed.Drill) string {
	if d.Command == "" {
		return "(not a command)"
	}
	parts := []string{strings.ReplaceAll(d.Command, "_", " ")}
	if d.Count != 0 {
		parts = append(parts, itoa(d.Count))
	}
	for _, s := range []string{d.Agent, d.Queue} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	targets := d.Queues // a command has queues or a to, not both
	if d.To != "" {
		targets = []string{d.To}
	}
	if len(targets) > 0 {
		parts = append(parts, "→ "+strings.Join(targets, ", "))
	}
	if d.For != "" {
		parts = append(parts, "for "+d.For)
	}
	switch {
	case d.AfterS != nil:
		parts = append(parts, "after "+fmt.Sprintf("%gs", *d.AfterS))
	case d.Command == feed.CommandOverflow || d.Command == feed.CommandCallback:
		parts = append(parts, "off")
	}
	return strings.Join(parts, " ")
}
