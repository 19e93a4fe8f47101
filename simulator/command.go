package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
)

// A drill's supervisor acts through commands (DESIGN.md "Drills"). The
// simulator applies each at its clock and answers it with one drill.action
// event: the command as taken and its result, "ok" or "refused: why". A
// refused command changes nothing. What each does on the feed:
//
//   - move: agent.state with the agent's new queues; an idle agent takes
//     the longest-waiting call of them at once.
//   - release: the agent's aux ends now (agent.state available, and a
//     waiting call if there is one).
//   - overtime: new agents (the next ids, a026…) log in available, with
//     name and queues, and log off when `for` is over, after their call.
//   - send_home: the agent logs off now, or after the call they are on,
//     for the rest of the run.
//   - overflow: a call that has waited after_s in queue leaves it as an
//     ACD's queue timeout reports it (call.abandoned, reason timeout) and
//     is offered in `to` at once, the same caller on a new id (c123.1), so
//     the Recovery view follows it; both queues count it, as a transfer.
//   - callback: a caller who has waited after_s takes a call back and
//     keeps their place in line (virtual hold): the call stays waiting on
//     the feed until an agent calls them back (call.answered), and the
//     caller no longer hangs up. The customer counts once, with their whole
//     wait; an abandon avoided shows as a late answer.

// Command names.
const (
	CmdMove     = "move"      // Agent's skills become Queues
	CmdRelease  = "release"   // Agent's aux ends now
	CmdOvertime = "overtime"  // Count agents on Queues log in now and off after For
	CmdSendHome = "send_home" // Agent logs off after the current call
	CmdOverflow = "overflow"  // Queue's calls waiting over AfterS move to To; nil AfterS ends it
	CmdCallback = "callback"  // Queue's callers waiting over AfterS take a call back; nil ends it
)

var commandNames = []string{CmdMove, CmdRelease, CmdOvertime, CmdSendHome, CmdOverflow, CmdCallback}

// MaxOvertime bounds the agents one overtime command calls in, and
// maxOvertimeFor its length: more is a typing mistake, not a decision.
const (
	MaxOvertime    = 200
	maxOvertimeFor = 24 * time.Hour
)

// Command is one supervisor's command, as a client sends it in a
// drill.command frame: {"type":"drill.command","id":"k1","command":"move",
// "agent":"a003","queues":["billing"]}. By is not read from the frame: the
// server that received it says who sent it.
type Command struct {
	ID     string
	By     string
	Name   string
	Agent  string
	Queues []string
	Count  int
	For    string // a duration, written like a scenario's: "30m", "1h30m"
	Queue  string
	To     string
	// AfterS is in seconds; nil (null or absent) ends the queue's overflow
	// or callback.
	AfterS *float64

	// problem is why ParseCommand could not take the frame as a command:
	// the command's refusal.
	problem string
}

// ParseCommand reads a drill.command frame. Only the command's own fields
// are read; strings are cleaned, as every string from a client is. When
// the frame is not a command it says why, and the Command returned still
// carries what could be read (its id, its name) and is refused with that
// reason when applied: every frame gets its drill.action.
func ParseCommand(frame []byte) (Command, error) {
	var c Command
	frame = bytes.TrimSpace(frame)
	var w map[string]json.RawMessage
	if len(frame) == 0 || frame[0] != '{' || json.Unmarshal(frame, &w) != nil {
		c.problem = "not a JSON object"
		return c, errors.New(c.problem)
	}
	r := frameReader{w: w}
	c.ID = r.str("id")
	if typ := r.str("type"); r.problem == "" && typ != "drill.command" {
		r.problem = fmt.Sprintf("type: want \"drill.command\", got %q", typ)
	}
	c.Name = r.str("command")
	switch c.Name {
	case CmdMove:
		c.Agent, c.Queues = r.str("agent"), r.strs("queues")
	case CmdRelease, CmdSendHome:
		c.Agent = r.str("agent")
	case CmdOvertime:
		c.Count, c.Queues, c.For = r.integer("count"), r.strs("queues"), r.str("for")
	case CmdOverflow:
		c.Queue, c.To, c.AfterS = r.str("queue"), r.str("to"), r.number("after_s")
	case CmdCallback:
		c.Queue, c.AfterS = r.str("queue"), r.number("after_s")
	}
	if c.problem = r.problem; c.problem != "" {
		return c, errors.New(c.problem)
	}
	return c, nil
}

// frameReader reads a frame's fields, keeping the first problem.
type frameReader struct {
	w       map[string]json.RawMessage
	problem string
}

func (r *frameReader) read(key string, v any, want string) bool {
	raw, ok := r.w[key]
	if !ok || string(raw) == "null" {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		if r.problem == "" {
			r.problem = key + ": want " + want
		}
		return false
	}
	return true
}

func (r *frameReader) str(key string) string {
	var s string
	r.read(key, &s, "a string")
	return safetext.Clean(s)
}

func (r *frameReader) strs(key string) []string {
	var l []string
	r.read(key, &l, "a list of queue ids")
	for i := range l {
		l[i] = safetext.Clean(l[i])
	}
	return l
}

func (r *frameReader) integer(key string) int {
	var n int
	r.read(key, &n, "a whole number")
	return n
}

func (r *frameReader) number(key string) *float64 {
	var v float64
	if !r.read(key, &v, "a number of seconds, or null") {
		return nil
	}
	return &v
}

// echo is the command as its drill.action shows it, result to come.
func (c *Command) echo() *feed.Drill {
	by := c.By
	if by == "" {
		by = "unknown" // drill.action requires who
	}
	return &feed.Drill{ID: c.ID, By: by, Command: c.Name, Agent: c.Agent, Queues: c.Queues,
		Count: c.Count, For: c.For, Queue: c.Queue, To: c.To, AfterS: c.AfterS}
}

// Command applies c now, at the simulated clock, and returns its
// drill.action, which is also among Events (and, like them, valid until
// Recycle). Like Step it is for the goroutine that drives the simulation;
// while Run drives it, use Submit.
func (s *Sim) Command(c Command) *feed.Event {
	ev := s.emit(feed.TypeDrillAction)
	ev.Drill = c.echo()
	ev.Drill.Result = "ok"
	if why := s.take(&c); why != "" {
		ev.Drill.Result = "refused: " + why
	}
	return ev
}

// take applies c, or says why it cannot and changes nothing: every check
// comes before the first change.
func (s *Sim) take(c *Command) string {
	switch {
	case c.problem != "":
		return c.problem
	case !s.drill:
		return "not a drill"
	case !s.started:
		return "the drill has not started"
	case s.done || s.cmds.closed:
		return "the drill is over"
	}
	switch c.Name {
	case CmdMove:
		return s.move(c)
	case CmdRelease:
		return s.release(c)
	case CmdOvertime:
		return s.overtime(c)
	case CmdSendHome:
		return s.sendHome(c)
	case CmdOverflow:
		return s.setOverflow(c)
	case CmdCallback:
		return s.setCallback(c)
	case "":
		return "command: missing; commands are " + strings.Join(commandNames, ", ")
	}
	return fmt.Sprintf("unknown command %q; commands are %s", c.Name, strings.Join(commandNames, ", "))
}

func (s *Sim) agentNamed(id string) (*agentState, string) {
	if id == "" {
		return nil, "agent: missing"
	}
	if ai, ok := s.agentIdx[id]; ok {
		return s.agents[ai], ""
	}
	return nil, fmt.Sprintf("unknown agent %q", id)
}

func (s *Sim) queueNamed(field, id string) (int32, string) {
	if id == "" {
		return -1, field + ": missing"
	}
	if qi, ok := s.queueIdx[id]; ok {
		return qi, ""
	}
	return -1, fmt.Sprintf("%s: unknown queue %q; queues are %s", field, id, s.queueList())
}

// skillsNamed reads a list of queues (an agent's skills), each once.
func (s *Sim) skillsNamed(ids []string) ([]string, []int32, string) {
	if len(ids) == 0 {
		return nil, nil, "queues: missing; name at least one queue"
	}
	var names []string
	var idx []int32
	for _, id := range ids {
		qi, why := s.queueNamed("queues", id)
		if why != "" {
			return nil, nil, why
		}
		if !slices.Contains(idx, qi) {
			names, idx = append(names, id), append(idx, qi)
		}
	}
	return names, idx, ""
}

func (s *Sim) queueList() string {
	ids := make([]string, len(s.queues))
	for i, q := range s.queues {
		ids[i] = q.cfg.Queue
	}
	return strings.Join(ids, ", ")
}

// move gives an agent new skills. The feed shows them at once; an idle
// agent takes the longest-waiting call of their new queues now (one with
// room for another chat too), a busy one when free.
func (s *Sim) move(c *Command) string {
	a, why := s.agentNamed(c.Agent)
	if why != "" {
		return why
	}
	names, idx, why := s.skillsNamed(c.Queues)
	if why != "" {
		return why
	}
	for _, qi := range a.skillIdx {
		s.queues[qi].nSkilled--
	}
	for _, qi := range idx {
		s.queues[qi].nSkilled++
	}
	a.skills, a.skillIdx = names, idx
	s.announce(a)
	switch {
	case a.st == agIdle:
		s.settle(a) // a new idle epoch: their places in the old queues' lists lapse
	case len(a.convs) > 0:
		// Chatting: their places in the old queues' lists lapse, and they
		// may take more of the new ones'.
		a.idleEpoch++
		s.serve(a)
	}
	return ""
}

// release ends an agent's aux (a break, a lunch, after a missed call) now.
func (s *Sim) release(c *Command) string {
	a, why := s.agentNamed(c.Agent)
	if why != "" {
		return why
	}
	if a.st != agAux {
		return fmt.Sprintf("%s is not in aux (%s)", a.id, a.wireState)
	}
	a.auxSerial++ // cancels the aux's end
	s.settle(a)
	return ""
}

// overtime calls in extra agents: they log in now with the given skills,
// and log off when it ends, after their call, like a shift's end.
func (s *Sim) overtime(c *Command) string {
	switch {
	case c.Count == 0:
		return "count: missing"
	case c.Count < 0 || c.Count > MaxOvertime:
		return fmt.Sprintf("count: want 1 to %d agents, got %d", MaxOvertime, c.Count)
	}
	names, idx, why := s.skillsNamed(c.Queues)
	if why != "" {
		return why
	}
	length, why := overtimeLength(c.For)
	if why != "" {
		return why
	}
	g := newGroupState(&AgentSpec{Count: c.Count, Queues: names})
	for i := range c.Count {
		a := s.addAgent(g, i, idx)
		a.onShift, a.st, a.wireState = true, agIdle, feed.StateAvailable
		s.announce(a)
		s.settle(a)
		s.h.push(item{at: s.now + length, kind: evShiftEnd, a: a.ai})
	}
	return ""
}

// overtimeLength reads an overtime's `for`, in ms.
func overtimeLength(f string) (int64, string) {
	if f == "" {
		return 0, `for: missing; give a duration such as "30m"`
	}
	d, err := time.ParseDuration(f)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("for: %q is not a duration; write it like 30m or 1h30m", f)
	case d <= 0 || d > maxOvertimeFor:
		return 0, fmt.Sprintf("for: want a duration above 0 and at most %v, got %v", maxOvertimeFor, d)
	}
	return d.Milliseconds(), ""
}

// sendHome sends an agent home for good: now if they have no call, or
// when it is over.
func (s *Sim) sendHome(c *Command) string {
	a, why := s.agentNamed(c.Agent)
	if why != "" {
		return why
	}
	if a.st == agOffline {
		return a.id + " is already offline"
	}
	if a.sentHome {
		return a.id + " is already going home after their call"
	}
	a.sentHome = true
	if a.st == agIdle || a.st == agAux {
		s.offline(a)
	}
	return ""
}

// afterMs reads an after_s, in ms.
func afterMs(v float64) (int64, string) {
	if math.IsNaN(v) || v < 0 || v > maxOvertimeFor.Seconds() {
		return 0, fmt.Sprintf("after_s: want 0 to %v seconds, got %v", maxOvertimeFor.Seconds(), v)
	}
	return int64(math.Round(v * msPerS)), ""
}

// setOverflow starts, changes or ends a queue's overflow. Calls already
// waiting longer than after_s move at once.
func (s *Sim) setOverflow(c *Command) string {
	qi, why := s.queueNamed("queue", c.Queue)
	if why != "" {
		return why
	}
	q := s.queues[qi]
	if c.AfterS == nil {
		if !q.overflow.on {
			return fmt.Sprintf("%s has no overflow to end (after_s is null; give it in seconds to start one)", c.Queue)
		}
		q.overflow = waitRule{gen: q.overflow.gen + 1}
		return ""
	}
	after, why := afterMs(*c.AfterS)
	if why != "" {
		return why
	}
	to, why := s.queueNamed("to", c.To)
	if why != "" {
		return why
	}
	if to == qi {
		return "to: a queue cannot overflow to itself"
	}
	// A circle of overflows would pass calls round for ever.
	for t := to; s.queues[t].overflow.on; t = s.queues[t].overflow.to {
		if t2 := s.queues[t].overflow.to; t2 == qi {
			return fmt.Sprintf("to: %s overflows to %s already: calls would go round in a circle", s.queues[t].cfg.Queue, c.Queue)
		}
	}
	q.overflow = waitRule{on: true, after: after, to: to, gen: q.overflow.gen + 1}
	s.armWaiting(q, evOverflow)
	return ""
}

// setCallback starts, changes or ends a queue's offer of call backs.
// Callers already waiting longer than after_s are offered one at once.
func (s *Sim) setCallback(c *Command) string {
	qi, why := s.queueNamed("queue", c.Queue)
	if why != "" {
		return why
	}
	q := s.queues[qi]
	if c.AfterS == nil {
		if !q.callback.on {
			return fmt.Sprintf("%s offers no call back to end (after_s is null; give it in seconds to start)", c.Queue)
		}
		q.callback = waitRule{gen: q.callback.gen + 1}
		return ""
	}
	after, why := afterMs(*c.AfterS)
	if why != "" {
		return why
	}
	q.callback = waitRule{on: true, after: after, gen: q.callback.gen + 1}
	s.armWaiting(q, evCallback)
	return ""
}

// armWaiting arms a queue's new rule for the calls waiting in it.
func (s *Sim) armWaiting(q *queueState, kind uint8) {
	q.waiting.each(func(r ref) {
		if c := &s.calls[r.idx]; c.serial == r.tok && c.state == callWaiting {
			s.armRule(r.idx, kind)
		}
	})
}

// commandQueue holds the commands submitted from other goroutines until
// Run applies them.
type commandQueue struct {
	mu      sync.Mutex
	pending []Command
	closed  bool          // Run has returned: nothing more is applied
	ready   chan struct{} // wakes Run; holds at most one signal
}

// Submit hands a command to the drill Run drives; any goroutine may call
// it. Run applies it at the simulated clock, between two instants, and
// publishes its drill.action with the run's events; Submit then returns
// nil. Once Run has returned nothing is applied any more: Submit returns
// the command's refusal, for the caller to publish itself.
func (s *Sim) Submit(c Command) *feed.Event {
	s.cmds.mu.Lock()
	defer s.cmds.mu.Unlock()
	if s.cmds.closed {
		ev := &feed.Event{Type: feed.TypeDrillAction, TS: s.Clock(), Drill: c.echo()}
		ev.Drill.Result = "refused: the drill is over"
		return ev
	}
	s.cmds.pending = append(s.cmds.pending, c)
	select {
	case s.cmds.ready <- struct{}{}:
	default:
	}
	return nil
}

// applySubmitted applies the commands submitted so far, at simulated time
// t (never before the last instant).
func (s *Sim) applySubmitted(t int64) {
	s.cmds.mu.Lock()
	pending := s.cmds.pending
	s.cmds.pending = nil
	s.cmds.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	if t > s.now {
		s.now = t
		s.publishClock(t)
	}
	for _, c := range pending {
		s.Command(c)
	}
}

// closeCommands ends Submit's queue as Run returns, refusing what is left
// in it.
func (s *Sim) closeCommands() {
	s.cmds.mu.Lock()
	s.cmds.closed = true
	pending := s.cmds.pending
	s.cmds.pending = nil
	s.cmds.mu.Unlock()
	for _, c := range pending {
		s.Command(c)
	}
}
