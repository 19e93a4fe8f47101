package tui

import (
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Share is the work many dashboards on one hub have in common, done once
// for all of them (an SSH server's sessions): the sorted lists a report
// gives (queues worst first, agents off goal first, the Agents view's order,
// Recognition), once per report and order, however many sessions show it;
// and the whole screen of every dashboard still as it opened (on the
// Overview, nothing pressed), once per report, size and terminal, shared by
// every session that would draw the same.
//
// Dashboards given the same Share must be made with the same Options but
// for Renderer, Context and Supervisor, and on the same hub. A Share is safe
// for concurrent use; what it hands out is never changed.
type Share struct {
	mu      sync.Mutex
	lists   map[listKey]*listEntry
	frames  map[frameKey]*frameEntry
	swept   time.Time
	drawn   int // frames drawn for the share, for tests and figures
	handed  int // frames handed out, drawn or not
	derived int // lists sorted
}

// NewShare makes an empty Share.
func NewShare() *Share {
	return &Share{lists: map[listKey]*listEntry{}, frames: map[frameKey]*frameEntry{}}
}

// shareTTL is how long an unused entry stays: reports come and go several
// times a second, so anything older than this is no screen's any more.
const shareTTL = 3 * time.Second

// shareMax bounds the entries kept; beyond it a dashboard works on its own.
const shareMax = 512

// ShareStats says how much drawing was shared: frames handed out to
// dashboards, frames actually drawn for them, and lists sorted.
func (s *Share) ShareStats() (handed, drawn, sorted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handed, s.drawn, s.derived
}

// lists are the sorted lists of one report, in one order (derive).
type lists struct {
	queues    []*floor.QueueReport
	attention []*floor.AgentReport
	agents    []*floor.AgentReport
	leaders   []*floor.AgentReport
	agentByID map[string]*floor.AgentReport
	queueByID map[string]*floor.QueueReport
}

type listKey struct {
	report *floor.Report
	sort   int
}

type listEntry struct {
	ready chan struct{}
	l     *lists
	used  time.Time
}

type frameKey struct {
	report   *floor.Report
	version  uint64
	w, h     int
	wall     int64 // seconds
	conn     feed.ConnStatus
	progress live.Progress
	caughtUp bool
	flash    string
	profile  termenv.Profile
	dark     bool
}

type frameEntry struct {
	ready chan struct{}
	frame string
	used  time.Time
}

// once returns the entry of k in m, made by fill if it is not there; the
// goroutines that ask meanwhile wait for the first to finish. ok is false
// when the share is full: the caller works on its own.
func once[K comparable, E any](s *Share, m map[K]*E, k K, ready func(*E) *chan struct{}, used func(*E) *time.Time, fill func(*E)) (*E, bool) {
	now := time.Now()
	s.mu.Lock()
	if e, ok := m[k]; ok {
		*used(e) = now
		s.mu.Unlock()
		<-*ready(e)
		return e, true
	}
	if now.Sub(s.swept) > shareTTL/3 {
		s.sweepLocked(now)
	}
	if len(s.lists)+len(s.frames) >= shareMax {
		s.mu.Unlock()
		return nil, false
	}
	e := new(E)
	*used(e) = now
	ch := make(chan struct{})
	*ready(e) = ch
	m[k] = e
	s.mu.Unlock()
	defer close(ch)
	fill(e)
	return e, true
}

func (s *Share) sweepLocked(now time.Time) {
	s.swept = now
	for k, e := range s.lists {
		if now.Sub(e.used) > shareTTL {
			delete(s.lists, k)
		}
	}
	for k, e := range s.frames {
		if now.Sub(e.used) > shareTTL {
			delete(s.frames, k)
		}
	}
}

// sortedLists are the lists of r in the Agents view's order sortIdx,
// sorted once for every dashboard of the share.
func (s *Share) sortedLists(r *floor.Report, sortIdx int) *lists {
	e, ok := once(s, s.lists, listKey{r, sortIdx},
		func(e *listEntry) *chan struct{} { return &e.ready },
		func(e *listEntry) *time.Time { return &e.used },
		func(e *listEntry) {
			e.l = sortLists(r, sortIdx, nil)
			s.mu.Lock()
			s.derived++
			s.mu.Unlock()
		})
	if !ok {
		return sortLists(r, sortIdx, nil)
	}
	return e.l
}

// sharedFrame is the frame of key k, drawn by draw once for every
// dashboard that asks with the same key.
func (s *Share) sharedFrame(k frameKey, draw func() string) string {
	e, ok := once(s, s.frames, k,
		func(e *frameEntry) *chan struct{} { return &e.ready },
		func(e *frameEntry) *time.Time { return &e.used },
		func(e *frameEntry) {
			e.frame = draw()
			s.mu.Lock()
			s.drawn++
			s.mu.Unlock()
		})
	s.mu.Lock()
	s.handed++
	s.mu.Unlock()
	if !ok {
		return draw()
	}
	return e.frame
}

// noteInput marks the dashboard as moved away from how it opened by any
// message but those every dashboard of a share gets alike: from then on it
// draws its own screen. Whatever message it does not know counts as input.
func (m *Model) noteInput(msg tea.Msg) {
	switch msg.(type) {
	case changedMsg, frameMsg, secondMsg, closedMsg, tea.WindowSizeMsg:
	default:
		m.touched = true
	}
}

// frameKey is everything the screen of a dashboard still as it opened
// depends on; ok is false when it draws its own (no share, input, or
// options that make each viewer's screen their own).
func (m *Model) frameKey() (frameKey, bool) {
	o := m.opts
	if o.Share == nil || m.touched || o.Agent != "" || o.Player != nil || o.Wallboard ||
		o.Act != nil || o.CannotAct != "" || o.Shadow != nil {
		return frameKey{}, false
	}
	// The clock a screen shows is the floor's; the wall clock only says how
	// long a feed has been silent, in whole seconds, so dashboards whose
	// second ticks came at different moments of the same second agree.
	m.wall = m.wall.Truncate(time.Second)
	k := frameKey{
		report: m.report, version: m.version, w: m.width, h: m.height, wall: m.wall.Unix(),
		conn: m.conn, progress: m.progress, caughtUp: m.caughtUp, flash: m.flash,
	}
	r := o.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	k.profile, k.dark = r.ColorProfile(), r.HasDarkBackground()
	return k, true
}
