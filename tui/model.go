// Package tui is the floorwatch dashboard: a Bubble Tea model that shows a
// live.Hub. One model serves one viewer (a terminal, an SSH session); it
// holds no global state, so any number can share a hub.
package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Options configure a dashboard.
type Options struct {
	// Renderer draws every style (over SSH: the session's renderer, from
	// bubbletea.MakeRenderer). Nil is the default renderer.
	Renderer *lipgloss.Renderer
	// Now is the wall clock, for how long the feed has been silent.
	// Nil is time.Now.
	Now func() time.Time
	// Window is the initial window of the counted figures; the zero value
	// is floor.All, everything received.
	Window floor.Window
	// Context, when done, releases the model's subscription to the hub (an
	// SSH session's context). Nil: the subscription lasts until quit.
	Context context.Context
	// RedactCallers shows only the last four characters of a caller
	// (--redact-callers), wherever one is drawn.
	RedactCallers bool
	// Supervisor names whoever watches, on the done marks they put on
	// recovery items and the alerts they acknowledge; "" leaves both
	// unsigned.
	Supervisor string
	// Player is the replay a dashboard on a recording controls (watch
	// --replay); nil on a live feed.
	Player Player
	// Bell, when set, gets the terminal bell (BEL) written to it on each new
	// alert (--bell). It is the only control character the dashboard writes
	// itself; the terminal it reaches must be the one the dashboard draws on.
	Bell io.Writer
	// OnAlert, when set, is told of each new alert, from the dashboard's
	// goroutine, so it must not block (--notify queues it). The alerts of
	// the history a feed sends on connecting are not news: once caught up,
	// those still active are told once, then each one raised.
	OnAlert func(a alerts.Alert, feedName string)
	// Sites, when set, lists the sites of a floor folded from several
	// (sites.go): a row each on the Overview, and a key to narrow to one.
	Sites func() []Site
	// Wallboard opens on the wallboard (watch --wallboard); b switches.
	Wallboard bool
	// Agent makes the dashboard that agent's own card (an agent's key over
	// SSH): their figures, the team's totals and nothing of anyone else;
	// no other screen can be reached.
	Agent string
	// Act, when set, lets the viewer act in a drill (act.go): it hands a
	// drill.command frame to the drill, whose drill.action on the feed
	// says what came of it, or returns why the drill cannot take it. The
	// dashboard calls it from a tea.Cmd, never while it draws.
	Act func(frame []byte) error
	// CannotAct, when set instead, is why this viewer may watch the drill
	// but not act in it; the command keys say so.
	CannotAct string
	// Shadow, when set, starts a drill's shadow floor: the scenario and
	// seed of d run with no command (debrief.Shadow). The dashboard calls
	// it once, from a tea.Cmd, when the drill has started, and then sets
	// each report beside what it returns, on the Overview (shadow.go).
	Shadow func(d *floor.DrillStart) (Comparer, error)
	// Debrief, when set, is where quitting writes the drill's debrief; the
	// run-ended banner says so.
	Debrief string
	// Share, when set, shares sorting and drawing with the other dashboards
	// given the same Share (shared.go): an SSH server's sessions.
	Share *Share
}

// Player controls a replayed recording; *live.Player is one. Every method
// returns at once.
type Player interface {
	Status() live.PlayStatus
	TogglePause()
	Faster()
	Slower()
	Seek(d time.Duration)
	SeekStart()
	SeekEnd()
}

// seekStep is how far ←/→ move a replay, in floor time.
const seekStep = 5 * time.Minute

// DefaultFrameInterval caps redraws caused by the feed at 12.5 a second,
// however many events arrive.
const DefaultFrameInterval = 80 * time.Millisecond

// windows are the choices of the window selector, in order.
var windows = []floor.Window{floor.Rolling(15 * time.Minute), floor.Rolling(30 * time.Minute),
	floor.Rolling(time.Hour), floor.Today, floor.All}

// view is one screen of the dashboard.
type view int

const (
	viewOverview view = iota
	viewQueues
	viewAgents
	viewRecovery
	viewRecognition
	viewFlow
	viewAlerts
	viewDay // today interval by interval (day.go)
	viewQueueDetail
	viewAgentDetail
	viewRecoveryDetail
	// Whole screens outside the tabs; as views they name whose keys the
	// help lists.
	viewWallboard
	viewCard
	viewActions // a drill's action log (actlog.go)
)

// tabs are the views the tab bar and the number keys reach, in order.
var tabs = []view{viewOverview, viewQueues, viewAgents, viewRecovery, viewRecognition, viewFlow, viewAlerts, viewDay}

var viewNames = map[view][2]string{ // long, short
	viewOverview:       {"Overview", "Ovw"},
	viewQueues:         {"Queues", "Que"},
	viewAgents:         {"Agents", "Agt"},
	viewRecovery:       {"Recovery", "Rcv"},
	viewRecognition:    {"Recognition", "Top"},
	viewFlow:           {"Flow", "Flow"},
	viewAlerts:         {"Alerts", "Alr"},
	viewDay:            {"Day", "Day"},
	viewQueueDetail:    {"Queue", "Queue"},
	viewAgentDetail:    {"Agent", "Agent"},
	viewRecoveryDetail: {"Call back", "Call back"},
	viewActions:        {"Actions", "Act"},
}

// place is where esc goes back to.
type place struct {
	view view
	id   string
}

// Messages.
type (
	changedMsg struct{} // the hub changed
	frameMsg   struct{} // time to look at the hub again
	secondMsg  struct{} // the 1 s clock
	closedMsg  struct{} // Options.Context is done
)

// Model is the dashboard. Use it through tea.Model; Update and View must
// only be called by one goroutine (Bubble Tea's).
type Model struct {
	hub    *live.Hub
	opts   Options
	ctx    context.Context
	styles Styles
	keys   KeyMap
	help   help.Model
	filter textinput.Model

	sub    <-chan struct{}
	cancel func()

	width, height int
	winIdx        int
	window        floor.Window

	version uint64
	report  *floor.Report
	// progress is how far the fold is through the feed's history; until it
	// has caught up once, the figures are history half applied and are not
	// shown at all.
	progress   live.Progress
	caughtUp   bool // caught up once on this feed
	book       *alerts.Book
	ring       tea.Cmd // New's bell, rung by Init
	frameArmed bool
	conn       feed.ConnStatus
	play       live.PlayStatus
	wall       time.Time
	// newFloorSeen is the count of new floors (reruns) the supervisor has
	// seen the banner of and dismissed with a key.
	newFloorSeen int
	site         siteView

	board wallboard // the big-digit screen, when it is up

	act    actState    // a drill's forms, briefing and commands sent (act.go)
	shadow shadowState // a drill beside its shadow floor (shadow.go)

	day dayState // the Day view's report, interval size and scope (day.go)

	view        view
	back        []place
	queueID     string // the queue detail's queue
	agentID     string // the agent detail's agent
	recoveryKey string // the recovery detail's item
	cursor      map[view]int
	offset      map[string]int // scroll position of each list
	showHelp    bool
	helpOff     int // the help's first line shown, when it is taller than the window
	filtering   bool
	sortIdx     int
	flash       string

	// Derived from the report, sort and filter; rebuilt when one changes.
	queues    []*floor.QueueReport // worst first
	attention []*floor.AgentReport // overview: off their goals first
	agents    []*floor.AgentReport // agents view: sorted and filtered
	leaders   []*floor.AgentReport
	serving   []*floor.AgentReport // agents of the detail queue
	alertList []alerts.Alert
	agentByID map[string]*floor.AgentReport
	queueByID map[string]*floor.QueueReport
	// The Recovery list and the done marks it was built with; rebuilt
	// lazily (recoveryRows). keepIndex: the next rebuild keeps the cursor
	// at its index rather than on its item.
	done          map[string]live.Done
	recovery      []recoveryRow
	recoveryStale bool
	keepIndex     bool

	dirty   bool
	frame   string
	renders int
	// touched: the viewer has done something (a key, the mouse), so the
	// screen is theirs alone and is not shared (shared.go).
	touched bool
}

// New makes a dashboard on hub.
func New(hub *live.Hub, opts Options) tea.Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	m := &Model{
		hub:    hub,
		opts:   opts,
		ctx:    ctx,
		styles: NewStyles(opts.Renderer),
		keys:   DefaultKeyMap(),
		book:   alerts.New(alerts.Options{By: opts.Supervisor, Shared: hub}),
		cursor: map[view]int{},
		offset: map[string]int{},
		window: opts.Window,
		winIdx: -1,
		dirty:  true,
	}
	for i, w := range windows {
		if w == m.window {
			m.winIdx = i
		}
	}
	if opts.Wallboard {
		m.board.show(opts.Now())
	}
	m.help = help.New()
	m.help.Styles.ShortKey = m.styles.Bold
	m.help.Styles.ShortDesc = m.styles.Help
	m.help.Styles.ShortSeparator = m.styles.Help
	m.help.Styles.FullKey = m.styles.Bold
	m.help.Styles.FullDesc = m.styles.Help
	m.help.Styles.FullSeparator = m.styles.Help
	m.help.Styles.Ellipsis = m.styles.Help
	m.filter = textinput.New()
	m.filter.Prompt = "/"
	m.filter.Placeholder = "name, state, queue or flag"
	m.filter.PromptStyle = m.styles.Filter
	m.filter.TextStyle = m.styles.App
	m.filter.PlaceholderStyle = m.styles.Muted
	m.filter.Cursor.Style = m.styles.Filter
	if opts.Player != nil {
		m.keys.forReplay()
	}
	m.sub, m.cancel = hub.Subscribe()
	m.wall = opts.Now()
	m.look()
	m.report = hub.Report(m.window)
	m.ring = m.refresh()
	return m
}

// Init starts listening to the hub and the clock, and rings for the
// alerts already active when the dashboard opened.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.waitChange(), m.secondTick(), m.ring)
}

// Renders counts the frames View has drawn (cached frames excluded).
func (m *Model) Renders() int { return m.renders }

// waitChange blocks on the hub's signal; Update re-arms it each time.
func (m *Model) waitChange() tea.Cmd {
	ch, done := m.sub, m.ctx.Done()
	return func() tea.Msg {
		select {
		case <-ch:
			return changedMsg{}
		case <-done:
			return closedMsg{}
		}
	}
}

func (m *Model) frameTick() tea.Cmd {
	return tea.Tick(DefaultFrameInterval, func(time.Time) tea.Msg { return frameMsg{} })
}

func (m *Model) secondTick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return secondMsg{} })
}

// look reads what is cheap to read every frame: the connection, the
// replay, how far the fold is through the feed's history.
func (m *Model) look() {
	m.conn = m.hub.Conn()
	if m.opts.Player != nil {
		m.play = m.opts.Player.Status()
	}
	m.progress = m.hub.Progress()
	if m.progress.CaughtUp || m.conn.State == "" {
		m.caughtUp = true
	}
}

// catchingUp: the dashboard has never caught up with its feed, so it has no
// figure worth showing. A resume later (a reconnect) keeps the figures on
// screen and says so in the top bar.
func (m *Model) catchingUp() bool { return !m.caughtUp }

// refresh reads the hub's report again and rebuilds what derives from it;
// the command rings the bell for new alerts, or starts a drill's shadow
// floor (shadow.go). Until the fold has caught up there is no report to
// read: computing one would only slow the catch-up.
func (m *Model) refresh() tea.Cmd {
	m.version = m.hub.Version()
	if m.catchingUp() {
		return nil
	}
	m.report = m.hub.Report(m.window)
	m.done = m.hub.DoneMarks()
	m.recoveryStale = true
	raised := m.book.Observe(m.report)
	m.alertList = m.book.List()
	m.derive()
	m.actRefresh()
	started := m.shadowRefresh()
	m.loadDay(false)
	if len(raised) == 0 {
		return started
	}
	if m.opts.OnAlert != nil {
		for _, a := range raised {
			m.opts.OnAlert(a, m.report.Feed.Name)
		}
	}
	if w := m.opts.Bell; w != nil {
		return tea.Batch(started, func() tea.Msg {
			w.Write([]byte{'\a'})
			return nil
		})
	}
	return started
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.noteInput(msg)
	switch msg := msg.(type) {
	case changedMsg:
		// Many changes between frames are one redraw: the first change arms
		// the frame tick, the rest only note that there is something new.
		cmds := []tea.Cmd{m.waitChange()}
		if !m.frameArmed {
			m.frameArmed = true
			cmds = append(cmds, m.frameTick())
		}
		return m, tea.Batch(cmds...)
	case frameMsg:
		m.frameArmed = false
		conn, progress, play := m.conn, m.progress, m.play
		m.look()
		if m.conn != conn || m.progress != progress || m.play != play {
			m.dirty = true
		}
		if m.hub.Version() != m.version {
			m.dirty = true
			return m, m.refresh()
		}
		return m, nil
	case secondMsg:
		m.wall = m.opts.Now()
		m.look()
		m.dirty = true
		var bell tea.Cmd
		if m.hub.Version() != m.version {
			// The first look after catching up, when no frame is armed.
			bell = m.refresh()
		}
		return m, tea.Batch(bell, m.secondTick())
	case actSentMsg:
		m.actSent(msg)
		m.dirty = true
		return m, nil
	case shadowMsg:
		m.shadowReady(msg)
		m.dirty = true
		return m, nil
	case closedMsg:
		m.cancel()
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.filter.Width = max(10, msg.Width-4)
		m.sizeForm()
		m.dirty = true
		return m, nil
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			return m, nil
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.move(-3)
		case tea.MouseButtonWheelDown:
			m.move(3)
		default:
			return m, nil
		}
		m.dirty = true
		return m, nil
	case tea.KeyMsg:
		m.dirty = true
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// Keys typed faster than the terminal is read arrive as one
			// message ("3jj"): each is a key of its own.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	}
	return m, nil
}

// quit ends the dashboard and releases the hub.
func (m *Model) quit() tea.Cmd {
	m.cancel()
	return tea.Quit
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	m.flash = ""
	if msg.String() == "ctrl+c" {
		return m.quit()
	}
	if nf := m.report.NewFloor; nf != nil {
		// The new-floor banner stays until a key says it was seen.
		m.newFloorSeen = nf.Count
	}
	if m.filtering {
		switch msg.String() {
		case "enter":
			m.filtering = false
			m.filter.Blur()
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.cursor[viewAgents] = 0
			m.derive()
			return cmd
		}
		m.derive()
		return nil
	}
	if m.showHelp {
		// The line keys scroll a help taller than the window; any other
		// key closes it, and q still quits.
		switch {
		case key.Matches(msg, k.Up):
			m.helpOff = max(0, m.helpOff-1)
			return nil
		case key.Matches(msg, k.Down):
			m.helpOff++
			return nil
		}
		m.showHelp = false
		if key.Matches(msg, k.Quit) {
			return m.quit()
		}
		return nil
	}
	if m.opts.Agent != "" {
		return m.cardKey(msg)
	}
	if cmd, ok := m.actKey(msg); ok {
		return cmd
	}
	if m.opts.Player != nil && m.replayKey(msg) {
		return nil
	}
	if ok, cmd := m.siteKeyPressed(msg); ok {
		return cmd
	}
	if m.board.on && m.wallboardKey(msg) {
		return nil
	}
	if m.view == viewDay && m.dayKey(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpOff = true, 0
	case key.Matches(msg, k.NextView):
		m.goTab(m.tabIndex() + 1)
	case key.Matches(msg, k.PrevView):
		m.goTab(m.tabIndex() - 1)
	case key.Matches(msg, k.Views):
		m.goTab(int(msg.String()[0] - '1'))
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.page())
	case key.Matches(msg, k.PageDown):
		m.move(m.page())
	case key.Matches(msg, k.Top):
		m.move(-1 << 30)
	case key.Matches(msg, k.Bottom):
		m.move(1 << 30)
	case key.Matches(msg, k.Enter):
		m.drill()
	case key.Matches(msg, k.Back):
		m.goBack()
	case key.Matches(msg, k.Filter):
		if m.view != viewAgents {
			m.open(viewAgents, "")
		}
		m.filtering = true
		m.filter.Focus()
		return textinput.Blink
	case key.Matches(msg, k.Sort):
		if m.view == viewAgents {
			m.sortIdx = (m.sortIdx + 1) % len(agentSorts)
			m.derive()
			m.flash = "sorted by " + agentSorts[m.sortIdx].name
		}
	case key.Matches(msg, k.Window):
		m.winIdx = (m.winIdx + 1) % len(windows)
		m.window = windows[m.winIdx]
		m.flash = "window " + windowLabel(m.window)
		return m.refresh()
	case key.Matches(msg, k.Done):
		m.doneSelected()
	case key.Matches(msg, k.Ack):
		m.ackSelected()
	case key.Matches(msg, k.Wallboard):
		m.board.show(m.wall)
	case key.Matches(msg, k.AckAll):
		if n := m.book.AckAll(); n > 0 {
			m.flash = plural(n, "alert") + " acknowledged"
		}
		m.alertList = m.book.List()
	}
	return nil
}

// replayKey handles the keys of a replay and reports whether msg was one.
func (m *Model) replayKey(msg tea.KeyMsg) bool {
	k, p := m.keys, m.opts.Player
	switch {
	case key.Matches(msg, k.Pause):
		p.TogglePause()
	case key.Matches(msg, k.Faster):
		p.Faster()
	case key.Matches(msg, k.Slower):
		p.Slower()
	case key.Matches(msg, k.SeekBack):
		p.Seek(-seekStep)
	case key.Matches(msg, k.SeekFwd):
		p.Seek(seekStep)
	case key.Matches(msg, k.SeekStart):
		p.SeekStart()
	case key.Matches(msg, k.SeekEnd):
		p.SeekEnd()
	default:
		return false
	}
	m.play = p.Status()
	return true
}

func (m *Model) tabIndex() int {
	v := m.view
	if len(m.back) > 0 {
		v = m.back[0].view
	}
	for i, t := range tabs {
		if t == v {
			return i
		}
	}
	return 0
}

// goTab switches to a top-level view, leaving any drill-down.
func (m *Model) goTab(i int) {
	i = (i%len(tabs) + len(tabs)) % len(tabs)
	m.back = nil
	m.view = tabs[i]
	m.loadDay(false)
}

// open drills into v (a detail with id), remembering where esc returns.
func (m *Model) open(v view, id string) {
	m.back = append(m.back, place{m.view, m.detailID()})
	m.view = v
	m.setDetail(v, id)
}

func (m *Model) detailID() string {
	switch m.view {
	case viewQueueDetail:
		return m.queueID
	case viewAgentDetail:
		return m.agentID
	case viewRecoveryDetail:
		return m.recoveryKey
	}
	return ""
}

func (m *Model) setDetail(v view, id string) {
	switch v {
	case viewQueueDetail:
		m.queueID = id
		m.cursor[viewQueueDetail] = 0
		m.derive()
	case viewAgentDetail:
		m.agentID = id
	case viewRecoveryDetail:
		m.recoveryKey = id
	}
}

func (m *Model) goBack() {
	if m.view == viewAgents && m.filter.Value() != "" {
		m.filter.SetValue("")
		m.derive()
		return
	}
	if len(m.back) == 0 {
		m.view = viewOverview
		return
	}
	p := m.back[len(m.back)-1]
	m.back = m.back[:len(m.back)-1]
	m.view = p.view
	m.setDetail(p.view, p.id)
}

// drill opens the queue or agent under the cursor.
func (m *Model) drill() {
	c := m.cursor[m.view]
	switch m.view {
	case viewOverview:
		if c < len(m.queues) {
			m.open(viewQueueDetail, m.queues[c].Queue)
		} else if i := c - len(m.queues); i < len(m.attention) {
			m.open(viewAgentDetail, m.attention[i].Agent)
		}
	case viewQueues:
		if c < len(m.queues) {
			m.open(viewQueueDetail, m.queues[c].Queue)
		}
	case viewAgents:
		if c < len(m.agents) {
			m.open(viewAgentDetail, m.agents[c].Agent)
		}
	case viewRecognition:
		if c < len(m.leaders) {
			m.open(viewAgentDetail, m.leaders[c].Agent)
		}
	case viewQueueDetail:
		if c < len(m.serving) {
			m.open(viewAgentDetail, m.serving[c].Agent)
		}
	case viewRecovery:
		if rows := m.recoveryRows(); c < len(rows) {
			m.open(viewRecoveryDetail, rows[c].key)
		}
	case viewRecoveryDetail:
		// On to the agent who took the call, or the queue it left.
		if r := m.findRecovery(m.recoveryKey); r != nil && r.item.Agent != "" {
			m.open(viewAgentDetail, r.item.Agent)
		} else if r != nil {
			m.open(viewQueueDetail, r.item.Queue)
		}
	case viewAlerts:
		if c < len(m.alertList) {
			switch a := m.alertList[c]; {
			case a.Kind == alerts.KindPauseOverrun:
				m.open(viewAgentDetail, a.Subject)
			case a.Subject != alerts.FloorSubject:
				m.open(viewQueueDetail, a.Subject)
			}
		}
	}
}

// doneSelected marks the recovery item under the cursor (or in the detail)
// done, or takes the mark off.
func (m *Model) doneSelected() {
	var r *recoveryRow
	switch m.view {
	case viewRecoveryDetail:
		r = m.findRecovery(m.recoveryKey)
	case viewRecovery:
		if rows, c := m.recoveryRows(), m.cursor[viewRecovery]; c < len(rows) {
			r = &rows[c]
		}
	}
	if r != nil {
		m.toggleDone(r)
	}
}

func (m *Model) ackSelected() {
	if m.view != viewAlerts {
		return
	}
	c := m.cursor[viewAlerts]
	if c >= len(m.alertList) {
		return
	}
	if m.book.Ack(m.alertList[c].Key) {
		m.flash = "acknowledged: " + m.alertList[c].SubjectName + " " + kindLabel(m.alertList[c].Kind)
	}
	m.alertList = m.book.List()
}

// rowsOf is how many selectable rows view v has.
func (m *Model) rowsOf(v view) int {
	switch v {
	case viewOverview:
		return len(m.queues) + len(m.attention)
	case viewQueues:
		return len(m.queues)
	case viewAgents:
		return len(m.agents)
	case viewRecovery:
		return len(m.recoveryRows())
	case viewRecognition:
		return len(m.leaders)
	case viewAlerts:
		return len(m.alertList)
	case viewQueueDetail:
		return len(m.serving)
	case viewActions:
		return len(m.report.Actions)
	case viewDay:
		return len(m.dayIntervals())
	}
	return 0
}

// move moves the cursor of the current view by d rows, within its rows.
func (m *Model) move(d int) { m.clamp(m.view, m.cursor[m.view]+d) }

func (m *Model) clamp(v view, c int) {
	m.cursor[v] = max(0, min(c, m.rowsOf(v)-1))
}

func (m *Model) page() int { return max(1, m.height-8) }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}
