package taskrouter

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

const (
	// staleAfter closes a task or reservation with no event for this
	// long: its end was lost (an event type not selected, a delivery that
	// failed every retry), and a call waiting for ever would be a wrong
	// "waiting" and "longest wait". It is TaskRouter's default task TTL.
	staleAfter = 24 * time.Hour
	sweepEvery = time.Hour

	// Bounds on what the converter holds, whatever it is sent.
	maxTasks        = 100_000
	maxReservations = 200_000
	maxWorkers      = 20_000
	maxQueues       = 5_000
	maxSkills       = 128 // queues of one agent: the fold's bound
	maxEnded        = 100_000
	maxNoteNames    = 12

	// Skip kinds: events that became nothing, and why.
	skipBefore    = "task began before the bridge"
	skipEnded     = "after its task ended"
	skipNoQueue   = "task never entered a queue (select task-queue.entered)"
	skipNoOffer   = "task ended before entering a queue"
	skipOutbound  = "outbound task"
	skipNotInCall = "task not in conversation"
)

// Converter turns TaskRouter event callbacks, in time order, into feed
// events without seq. It is a pure converter: callbacks in, events out
// through emit. It is not safe for concurrent use.
type Converter struct {
	emit  func(*feed.Event)
	tally source.Tally
	acts  *Activities
	n     int64 // callbacks applied, to name a malformed one

	clock, lastSweep time.Time
	tasks            map[string]*task
	ended            *keySet // finished tasks, so their late events are told apart
	res              map[string]*reservation
	workers          map[string]*worker
	queues           map[string]string // queue sid → the floor's id, its name
	dirty            []*worker         // workers whose state the callback may change

	late, stale   int64
	unmapped, odd []string // activity names the map lacks; cancel reasons read as withdrawn
}

type taskState uint8

const (
	pending  taskState = iota // created, in no queue yet
	waiting                   // in a queue: offered on the floor
	talking                   // a worker accepted it
	wrapping                  // its conversation is over, wrap-up runs
)

// task is a TaskRouter task as the floor knows it: a call.
type task struct {
	sid             string
	state           taskState
	queue, queueSid string // the floor's queue id, and the queue's sid
	channel, caller string
	outbound        bool // an agent's outbound call: work, but no offer
	agent           *worker
	res             string // the reservation in conversation
	// xfer is a transfer the agent began (COLD or WARM), not yet taken by
	// anyone: a cold one is on its way at once, a warm one when the
	// target accepts, as the agent stays on the call until then.
	xfer string
	last time.Time
}

type resState uint8

const (
	offered resState = iota
	accepted
	wrapUp
	over // rejected, timed out, canceled, rescinded or completed: forgotten
)

// reservation is one offer of a task to a worker; the worker's state is
// that of their reservations (on a call while one is accepted, in wrap-up
// while one wraps up), and else their activity's.
type reservation struct {
	worker *worker
	state  resState
	last   time.Time
}

type worker struct {
	sid, name         string
	activity          activityState
	skills            map[string]bool
	talking, wrapping int // reservations accepted, wrapping up
	sent              string
}

// NewConverter makes a converter that maps activities through acts and
// hands its events to emit.
func NewConverter(acts *Activities, emit func(*feed.Event)) *Converter {
	return &Converter{emit: emit, acts: acts, tasks: map[string]*task{}, ended: newKeySet(maxEnded),
		res: map[string]*reservation{}, workers: map[string]*worker{}, queues: map[string]string{}}
}

// Tally is what the converter made of its callbacks, with notes on what
// the user can act on.
func (c *Converter) Tally() source.Tally {
	t := c.tally.Clone()
	if len(c.unmapped) > 0 {
		t.Notes = append(t.Notes, "activities not in the activities map, shown as aux with the activity as the reason: "+
			strings.Join(c.unmapped, ", ")+"; map them with --activities FILE")
	}
	if len(c.odd) > 0 {
		t.Notes = append(t.Notes, "task cancel reasons read as withdrawn: "+strings.Join(c.odd, ", "))
	}
	if c.late > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d callbacks came later than the reorder window behind newer ones: each was placed at the time of the event before it", c.late))
	}
	if c.stale > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d tasks had no event for %.0f hours and were closed (waiting: withdrawn; in conversation: ended); select every event type the docs name", c.stale, staleAfter.Hours()))
	}
	return t
}

// Apply converts one callback. Callbacks come in time order; one older
// than the last is taken at the last one's time, so events never go back.
func (c *Converter) Apply(cb *callback) {
	c.n++
	at := cb.at
	if at.Before(c.clock) {
		at = c.clock
		c.late++
	}
	c.dirty = c.dirty[:0]
	c.advance(at)
	w := c.learn(cb)
	if err := c.apply(cb, w, at); err != nil {
		c.tally.Bad(c.n, cb.typ+": "+err.Error())
	}
	for _, d := range c.dirty {
		c.touch(d, at)
	}
}

// learn keeps what any event says of its queue and worker: a queue's name,
// a worker's name and activity.
func (c *Converter) learn(cb *callback) *worker {
	if cb.queueSid != "" && cb.queueName != "" && (c.queues[cb.queueSid] != "" || len(c.queues) < maxQueues) {
		c.queues[cb.queueSid] = cb.queueName
	}
	if cb.worker == "" {
		return nil
	}
	w := c.workers[cb.worker]
	if w == nil {
		if len(c.workers) >= maxWorkers {
			return nil
		}
		w = &worker{sid: cb.worker, skills: map[string]bool{}, activity: activityState{state: feed.StateOffline}}
		c.workers[cb.worker] = w
	}
	if cb.workerName != "" {
		w.name = cb.workerName
	}
	if cb.activity != "" {
		s, known := c.acts.state(cb.activity)
		if !known && !slices.Contains(c.unmapped, cb.activity) && len(c.unmapped) < maxNoteNames {
			c.unmapped = append(c.unmapped, cb.activity)
		}
		w.activity = s
	}
	c.dirty = append(c.dirty, w)
	return w
}

func (c *Converter) apply(cb *callback, w *worker, at time.Time) error {
	if w == nil && cb.worker != "" {
		return fmt.Errorf("more than %d workers", maxWorkers)
	}
	switch cb.typ {
	case "task.created":
		_, err := c.task(cb, at)
		return err
	case "task-queue.entered":
		return c.entered(cb, at)
	case "reservation.created", "reservation.accepted", "reservation.rejected", "reservation.timeout",
		"reservation.canceled", "reservation.rescinded", "reservation.wrapup", "reservation.completed":
		return c.reservation(cb, w, at)
	case "task.wrapup":
		if t := c.live(cb, at); t != nil && t.state == talking {
			c.end(t, at)
		}
	case "task.completed", "task.canceled", "task.deleted", "task.system-deleted":
		if t := c.live(cb, at); t != nil {
			c.close(t, at, cb.typ, cb.reason)
		}
	case "task.transfer-initiated":
		t := c.live(cb, at)
		switch {
		case t == nil:
		case t.state != talking:
			c.tally.Skip(skipNotInCall)
		case cb.xferMode == "WARM":
			t.xfer = "WARM"
		default:
			t.xfer = "COLD"
		}
	case "task.transfer-failed", "task.transfer-canceled":
		// A transfer not yet taken is off: the agent keeps the call.
		if t := c.live(cb, at); t != nil {
			t.xfer = ""
		}
	case "worker.created", "worker.activity.update", "task-queue.created":
		// What they say was learnt.
	case "worker.deleted":
		w.activity = activityState{state: feed.StateOffline}
	default:
		c.tally.Skip(cb.typ)
	}
	return nil
}

// task is the task a callback is about, made when new.
func (c *Converter) task(cb *callback, at time.Time) (*task, error) {
	t := c.tasks[cb.task]
	if t == nil {
		if c.ended.has(cb.task) {
			c.tally.Skip(skipEnded)
			return nil, nil
		}
		if len(c.tasks) >= maxTasks {
			return nil, fmt.Errorf("more than %d tasks live at once", maxTasks)
		}
		t = &task{sid: cb.task}
		c.tasks[cb.task] = t
	}
	t.last = at
	if t.channel == "" {
		t.channel = cb.channel
	}
	if t.caller == "" {
		t.caller = cb.caller
	}
	t.outbound = t.outbound || cb.outbound
	return t, nil
}

// live is the task a callback is about if the floor has it; a task it
// never saw is counted.
func (c *Converter) live(cb *callback, at time.Time) *task {
	t := c.tasks[cb.task]
	switch {
	case t != nil:
		t.last = at
	case c.ended.has(cb.task):
		c.tally.Skip(skipEnded)
	default:
		c.tally.Skip(skipBefore)
	}
	return t
}

// queueID is the floor's id of a queue: its name, or its sid until a
// callback names it.
func (c *Converter) queueID(sid, name string) string {
	if name != "" {
		return name
	}
	if n := c.queues[sid]; n != "" {
		return n
	}
	return sid
}

// entered: task-queue.entered: the task waits in a queue. A task already
// waiting in another queue left that one when the workflow's timeout for
// it passed; a task whose agent began a cold transfer goes on to this
// queue.
func (c *Converter) entered(cb *callback, at time.Time) error {
	t, err := c.task(cb, at)
	if t == nil {
		return err
	}
	q := c.queueID(cb.queueSid, cb.queueName)
	switch t.state {
	case pending:
		if t.outbound {
			c.tally.Skip(skipOutbound)
			break
		}
		c.offer(t, q, cb.queueSid, at)
	case waiting:
		if t.queueSid != cb.queueSid {
			c.abandon(t, at, feed.ReasonTimeout)
			c.offer(t, q, cb.queueSid, at)
		}
	case talking, wrapping:
		if t.xfer != "COLD" {
			c.tally.Skip(cb.typ + " in conversation")
			break
		}
		c.transfer(t, queueRef{q, cb.queueSid}, at)
	}
	return nil
}

func (c *Converter) offer(t *task, q, qsid string, at time.Time) {
	t.state, t.queue, t.queueSid = waiting, q, qsid
	ch := t.channel
	if ch == "" {
		ch = feed.ChannelVoice
	}
	c.push(at, &feed.Event{Type: feed.TypeOffered, Call: t.sid, Queue: q, Channel: ch, Caller: t.caller})
}

func (c *Converter) abandon(t *task, at time.Time, reason string) {
	c.push(at, &feed.Event{Type: feed.TypeAbandoned, Call: t.sid, Queue: t.queue, Reason: reason})
}

// queueRef is a queue as the floor knows it and as TaskRouter does.
type queueRef struct{ id, sid string }

// target is the queue a transfer goes to: the queue of the target's
// reservation (a worker transfer stays in the task's queue), or the
// task's own when the event names none.
func (c *Converter) target(t *task, cb *callback) queueRef {
	if cb.queueSid == "" {
		return queueRef{t.queue, t.queueSid}
	}
	return queueRef{c.queueID(cb.queueSid, cb.queueName), cb.queueSid}
}

// transfer: the agent's leg ends and the call waits again in queue q.
func (c *Converter) transfer(t *task, q queueRef, at time.Time) {
	c.push(at, &feed.Event{Type: feed.TypeTransferred, Call: t.sid, Agent: t.agent.sid, Queue: q.id})
	t.state, t.queue, t.queueSid, t.agent, t.res, t.xfer = waiting, q.id, q.sid, nil, "", ""
}

// reservation: the reservation.* events. The worker's state follows the
// reservation; the call follows it when it is the task's.
func (c *Converter) reservation(cb *callback, w *worker, at time.Time) error {
	r := c.res[cb.reservation]
	if r == nil {
		if len(c.res) >= maxReservations {
			return fmt.Errorf("more than %d reservations live at once", maxReservations)
		}
		r = &reservation{worker: w}
		c.res[cb.reservation] = r
	}
	r.last = at
	t := c.live(cb, at)
	if q := c.queueID(cb.queueSid, cb.queueName); q != "" && !w.skills[q] && len(w.skills) < maxSkills && (t == nil || !t.outbound) {
		// TaskRouter has no membership: the queues a worker is offered
		// tasks from are their skills.
		w.skills[q] = true
	}
	if t != nil && t.state == pending {
		// The worker's state follows the reservation all the same.
		if !t.outbound {
			c.tally.Skip(skipNoQueue)
		}
		t = nil
	}
	switch cb.typ {
	case "reservation.created":
		if t != nil && t.state == talking && t.xfer == "COLD" {
			c.transfer(t, c.target(t, cb), at)
		}
	case "reservation.accepted":
		c.setRes(cb.reservation, r, accepted)
		switch {
		case t == nil:
		case t.state == talking && t.agent != w:
			// Someone else takes a call in conversation: a transfer (a
			// warm one, or one whose initiation was not sent).
			c.transfer(t, c.target(t, cb), at)
			c.answer(t, w, cb.reservation, at)
		case t.state == waiting:
			c.answer(t, w, cb.reservation, at)
		}
	case "reservation.rejected", "reservation.timeout":
		c.setRes(cb.reservation, r, over)
		if t != nil && t.state == waiting {
			c.push(at, &feed.Event{Type: feed.TypeMissed, Call: t.sid, Queue: t.queue, Agent: w.sid})
		}
	case "reservation.canceled", "reservation.rescinded":
		c.setRes(cb.reservation, r, over)
	case "reservation.wrapup":
		c.setRes(cb.reservation, r, wrapUp)
		if t != nil && t.state == talking && t.agent == w {
			c.end(t, at)
		}
	case "reservation.completed":
		c.setRes(cb.reservation, r, over)
		if t != nil && t.agent == w && (t.state == talking || t.state == wrapping) {
			c.close(t, at, cb.typ, "")
		}
	}
	return nil
}

// setRes moves a reservation to state s, keeping its worker's counts.
func (c *Converter) setRes(sid string, r *reservation, s resState) {
	w := r.worker
	switch r.state {
	case accepted:
		w.talking--
	case wrapUp:
		w.wrapping--
	}
	switch s {
	case accepted:
		w.talking++
	case wrapUp:
		w.wrapping++
	}
	r.state = s
	if s == over {
		delete(c.res, sid)
	}
}

func (c *Converter) answer(t *task, w *worker, res string, at time.Time) {
	c.push(at, &feed.Event{Type: feed.TypeAnswered, Call: t.sid, Queue: t.queue, Agent: w.sid})
	t.state, t.agent, t.res = talking, w, res
}

// end: the conversation is over; wrap-up begins for the agent.
func (c *Converter) end(t *task, at time.Time) {
	c.push(at, &feed.Event{Type: feed.TypeEnded, Call: t.sid, Agent: t.agent.sid})
	t.state = wrapping
	if r := c.res[t.res]; r != nil && r.state == accepted {
		c.setRes(t.res, r, wrapUp)
		c.dirty = append(c.dirty, r.worker)
	}
}

// close finishes a task: a call still waiting left the queue unanswered
// (why: the reason TaskRouter gives), one in conversation ends and wraps
// up now, one in wrap-up wraps up.
func (c *Converter) close(t *task, at time.Time, typ, reason string) {
	switch t.state {
	case pending:
		if !t.outbound {
			c.tally.Skip(skipNoOffer)
		}
	case waiting:
		c.abandon(t, at, c.abandonReason(typ, reason))
	case talking:
		c.end(t, at)
		fallthrough
	case wrapping:
		c.push(at, &feed.Event{Type: feed.TypeWrapped, Call: t.sid, Agent: t.agent.sid})
	}
	if r := c.res[t.res]; r != nil {
		c.setRes(t.res, r, over)
		c.dirty = append(c.dirty, r.worker)
	}
	delete(c.tasks, t.sid)
	c.ended.add(t.sid)
}

// abandonReason reads why a waiting task ended. TaskRouter's reasons are
// free text: TaskRouter's own ("Task TTL Exceeded", "Task TTL Exceeded or
// Max assignment count exceeded"), <Enqueue>'s ("hangup"), and whatever
// an application passes when it cancels a task. They are read by their
// words; what none of the words match is withdrawn, and noted.
func (c *Converter) abandonReason(typ, reason string) string {
	if typ != "task.canceled" && typ != "task.completed" {
		return feed.ReasonWithdraw // deleted, or closed for want of its end
	}
	// Whole words only, so that "settled" is not a TTL.
	r := " " + strings.Join(strings.FieldsFunc(strings.ToLower(reason), func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	}), " ") + " "
	has := func(words ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(r, " "+w+" ") })
	}
	switch {
	case r == "  ":
		return feed.ReasonWithdraw
	case has("hangup", "hung up", "hang up", "caller", "abandon", "abandoned", "disconnect", "disconnected"):
		return feed.ReasonCaller
	case has("ttl", "timeout", "timed out", "expired"):
		return feed.ReasonTimeout
	case has("leave", "voicemail", "callback"):
		return feed.ReasonExitKey
	}
	if !slices.Contains(c.odd, reason) && len(c.odd) < maxNoteNames {
		c.odd = append(c.odd, reason)
	}
	return feed.ReasonWithdraw
}

// advance moves the clock, closing what has been quiet for staleAfter
// (the workers it changes are left in dirty).
func (c *Converter) advance(at time.Time) {
	if at.After(c.clock) {
		c.clock = at
	}
	if c.clock.Sub(c.lastSweep) < sweepEvery {
		return
	}
	c.lastSweep = c.clock
	for _, sid := range sortedKeys(c.tasks) {
		if t := c.tasks[sid]; c.clock.Sub(t.last) > staleAfter {
			c.stale++
			c.close(t, c.clock, "", "")
		}
	}
	for _, sid := range sortedKeys(c.res) {
		if r := c.res[sid]; c.clock.Sub(r.last) > staleAfter {
			c.setRes(sid, r, over)
			c.dirty = append(c.dirty, r.worker)
		}
	}
}

func (c *Converter) push(at time.Time, ev *feed.Event) {
	ev.TS = at
	c.emit(ev)
}

// touch tells the feed a worker's state at ts, if it changed: a call and
// its wrap-up come first, so an activity changed during a call shows when
// the call and its wrap-up are over.
func (c *Converter) touch(w *worker, ts time.Time) {
	state, reason := w.activity.state, w.activity.reason
	switch {
	case w.talking > 0:
		state, reason = feed.StateOnCall, ""
	case w.wrapping > 0:
		state, reason = feed.StateWrapUp, ""
	}
	skills := sortedKeys(w.skills)
	sent := strings.Join(append([]string{w.name, state, reason}, skills...), "\n")
	if sent == w.sent {
		return
	}
	w.sent = sent
	c.push(ts, &feed.Event{Type: feed.TypeAgentState, Agent: w.sid, Name: w.name, State: state, Reason: reason,
		Skills: skills, HasSkills: true})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
