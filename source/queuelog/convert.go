package queuelog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
)

const (
	// lag is how long an event waits before it is emitted. Asterisk's own
	// measures put an event up to a second or two away from its line's
	// time (an answer at the offer plus holdtime, both in whole seconds;
	// lines written by threads racing for the log), so events are held
	// this long and sorted, and come out in time order.
	lag = 5 * time.Second
	// transferWindow is how long after a transfer line the caller may
	// enter a queue of the floor (the target extension runs Queue()) for
	// the transfer to be a transfer into that queue rather than out of
	// the floor. Events after the transfer wait for the answer, which
	// usually comes within a second. A transfer to an extension named as
	// a queue of the floor (FreePBX numbers its queues) waits longer, for
	// a join announcement played before Queue().
	transferWindow      = 10 * time.Second
	queueTransferWindow = time.Minute
	// staleAfter closes a call with no line for this long: its end line
	// was lost (a crash without restart, a cut file), and a call left
	// waiting forever would be a wrong "waiting" and "longest wait".
	staleAfter = 24 * time.Hour
	sweepEvery = time.Hour

	// Bounds on what a hostile file can make the converter hold.
	maxCalls   = 100_000
	maxQueues  = 5_000
	maxPending = 200_000
	maxSkills  = 128 // queues of one agent: the fold's bound

	// skipBefore counts lines of calls that entered the queue before the
	// file began: their offer is not in the file, so they are not counted,
	// and only their agent's state is followed.
	skipBefore = "call began before the file"
)

// Config is what the converter needs besides the lines.
type Config struct {
	// Goals gives each queue's wrap-up time (wrap_s, Asterisk's
	// wrapuptime, which queue_log does not record; 0 when unset) and the
	// queue ids to use when queue_log spells a queue in another case.
	Goals *floor.Goals
	// Agents joins the names one agent goes by; nil joins names that are
	// equal ignoring case, or that share an interface's device part.
	Agents *asterisk.Agents
}

// Converter turns queue_log lines into feed events, in time order and
// without seq. It is a pure converter: lines in, events out through emit,
// nothing read or written elsewhere. It is not safe for concurrent use.
type Converter struct {
	emit   func(*feed.Event)
	tally  source.Tally
	lineNo int64

	clock     time.Time // the newest time seen, of a line or Idle
	lastLine  time.Time // the newest line's time
	released  time.Time // the time of the last event emitted
	lastSweep time.Time

	queues   map[string]string // lower-case name → queue id, for the queues seen
	spelling map[string]string // lower-case name → the goals file's id
	wrapUp   map[string]time.Duration
	calls    map[string]*call
	held     map[string]*call       // calls transferring: events after them wait
	done     map[string]time.Time   // a finished call's last event, for its id used again
	wrapping asterisk.Wraps[*agent] // calls in wrap-up, by id
	roster   *roster

	timers asterisk.Schedule[timer]
	out    asterisk.Schedule[*feed.Event]

	restarts, closedWaiting, closedTalking, stale, reordered int64
}

type callState uint8

const (
	waiting callState = iota
	talking
	// transferring: its agent's leg is over; it either enters a queue
	// within transferWindow or has left the floor.
	transferring
	// unseen: in conversation, but it entered the queue before the file
	// began; not on the floor, followed for its agent's state.
	unseen
)

type call struct {
	id       string
	queue    string
	state    callState
	offered  time.Time
	answered time.Time
	agent    *agent    // who answered it
	last     time.Time // its newest event: a call's events never go back in time
	to       string    // transferring: the transfer line's destination
	xferAt   time.Time // transferring: when the agent's leg ended
	// closedBy and closedIn are the agent and queue of the leg that ended
	// when the call entered a queue before its transfer line came
	// (Asterisk 12 and later log transfers after the fact): that line then
	// has nothing left to say.
	closedBy *agent
	closedIn string
}

// at is ts, or the call's newest event's time if later, and becomes it.
func (c *call) at(ts time.Time) time.Time {
	if ts.Before(c.last) {
		ts = c.last
	}
	c.last = ts
	return ts
}

// timer is a derived change due later: the end of an agent's wrap-up (and
// of the call's, when call is set), or a transfer's deadline.
type timer struct {
	agent  *agent
	call   string
	decide bool      // a transfer's deadline: it has left the floor
	xferAt time.Time // with decide: which transfer
}

// NewConverter makes a converter that hands its events to emit.
func NewConverter(cfg Config, emit func(*feed.Event)) *Converter {
	c := &Converter{
		emit:     emit,
		queues:   map[string]string{},
		spelling: map[string]string{},
		wrapUp:   map[string]time.Duration{},
		calls:    map[string]*call{},
		held:     map[string]*call{},
		done:     map[string]time.Time{},
		wrapping: asterisk.Wraps[*agent]{},
		roster:   newRoster(cfg.Agents),
	}
	if g := cfg.Goals; g != nil {
		// The goals file's spelling of a queue is the one its clients know.
		for id, q := range g.Queues {
			c.spelling[strings.ToLower(id)] = id
			if q.WrapS != nil {
				c.wrapUp[id] = time.Duration(*q.WrapS * float64(time.Second))
			}
		}
	}
	return c
}

// Line converts one line, without its newline.
func (c *Converter) Line(b []byte) {
	if len(b) > MaxLine {
		c.overlong(int64(len(b)))
		return
	}
	c.lineNo++
	c.tally.Lines++
	s := strings.TrimSuffix(string(b), "\r")
	if strings.TrimSpace(s) == "" {
		c.tally.Skip("blank line")
		return
	}
	r, err := parseRecord(s)
	if err != nil {
		c.tally.Bad(c.lineNo, err.Error())
		return
	}
	c.advance(r.ts)
	before := c.lastLine
	if r.ts.After(c.lastLine) {
		c.lastLine = r.ts
	}
	if err := c.apply(&r, before); err != nil {
		c.tally.Bad(c.lineNo, r.verb+": "+err.Error())
	}
	c.release(false)
}

// overlong counts a line of n bytes that was too long to read.
func (c *Converter) overlong(n int64) {
	c.lineNo++
	c.tally.Lines++
	c.tally.Bad(c.lineNo, fmt.Sprintf("a line of %d bytes, longer than %d: not queue_log", n, MaxLine))
}

// Idle moves the clock to t without a line, so that wrap-up ends and
// transfer deadlines come due while a followed file is quiet.
func (c *Converter) Idle(t time.Time) {
	c.advance(t)
	c.release(false)
}

// Close ends the input: transfers not followed by a queue left the floor,
// every derived change still due is made, and every event is emitted.
func (c *Converter) Close() {
	for _, id := range sortedIDs(c.held) {
		c.leave(c.held[id])
	}
	for {
		it, ok := c.timers.Next()
		if !ok {
			break
		}
		c.fire(it)
	}
	c.release(true)
}

// Tally is the reading so far, with notes on what the user can act on.
func (c *Converter) Tally() source.Tally {
	t := c.tally.Clone()
	t.Notes = append(t.Notes, c.roster.Notes(loggedIn)...)
	var noWrap []string
	for _, id := range c.queues {
		if c.wrapUp[id] == 0 {
			noWrap = append(noWrap, id)
		}
	}
	if len(noWrap) > 0 {
		slices.Sort(noWrap)
		t.Notes = append(t.Notes, "queue_log records no wrap-up end; queues with no wrap_s in --goals wrap up the moment a call ends: "+asterisk.NameList(noWrap))
	}
	if c.restarts > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Asterisk restarted (QUEUESTART) %d times with calls live: %d waiting calls closed as withdrawn, %d conversations ended, at the last line before the restart",
			c.restarts, c.closedWaiting, c.closedTalking))
	}
	if c.stale > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d calls had no line for %v (their end was lost) and were closed at their last line", c.stale, staleAfter))
	}
	if c.reordered > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the file's clock went back: %d events were moved forward to keep time order", c.reordered))
	}
	return t
}

// advance makes every derived change due by t, in time order, so that a
// line is applied to the state as it was at its time.
func (c *Converter) advance(t time.Time) {
	for {
		it, ok := c.timers.Due(t)
		if !ok {
			break
		}
		c.fire(it)
	}
	if t.After(c.clock) {
		c.clock = t
	}
	if c.clock.Sub(c.lastSweep) >= sweepEvery {
		c.sweep()
	}
}

func (c *Converter) fire(it asterisk.Item[timer]) {
	t := it.V
	if t.decide {
		if cl := c.held[t.call]; cl != nil && cl.xferAt.Equal(t.xferAt) {
			c.leave(cl)
		}
		return
	}
	c.wrapping.Done(c.push, t.call, t.agent, it.At)
	c.touch(t.agent, it.At)
}

// release emits the events the clock has passed by lag, and none after a
// transfer still undecided; final emits all.
func (c *Converter) release(final bool) {
	horizon := c.clock.Add(-lag)
	for _, cl := range c.held {
		if cl.xferAt.Before(horizon) {
			horizon = cl.xferAt
		}
	}
	for {
		// Past maxPending a flood of lines in one instant is let out
		// early rather than held without bound.
		limit := horizon
		if final || c.out.Len() > maxPending {
			limit = maxTime
		}
		it, ok := c.out.Due(limit)
		if !ok {
			return
		}
		ev := it.V
		if ev.TS.Before(c.released) {
			ev.TS = c.released
			c.reordered++
		}
		c.released = ev.TS
		c.emit(ev)
	}
}

var maxTime = time.Unix(1<<40, 0)

func (c *Converter) push(at time.Time, ev *feed.Event) {
	ev.TS = at
	c.out.Add(at, ev)
}

// apply changes the state by one record; before is the newest line's time
// before this one.
func (c *Converter) apply(r *record, before time.Time) error {
	switch r.verb {
	case "ENTERQUEUE":
		return c.enter(r)
	case "CONNECT":
		return c.connect(r)
	case "RINGNOANSWER", "AGENTDUMP":
		return c.missed(r)
	case "COMPLETECALLER", "COMPLETEAGENT":
		return c.complete(r)
	case "BLINDTRANSFER", "TRANSFER":
		// exten|context|holdtime|calltime[|origposition]
		exten, to := r.datum(0), r.datum(0)
		if ctx := r.datum(1); ctx != "" {
			to += "@" + ctx
		}
		return c.transfer(r, exten, to, 2, 3)
	case "ATTENDEDTRANSFER":
		// method|method-data…|holdtime|calltime|origposition, the method
		// BRIDGE, APP or LINK with one or two fields of its own.
		n := len(r.data)
		if n < 4 {
			return fmt.Errorf("%d data fields, want method|data|holdtime|calltime|origposition", n)
		}
		return c.transfer(r, "", strings.Join(r.data[:n-3], " "), n-3, n-2)
	case "ABANDON":
		return c.exit(r, feed.ReasonCaller, 2)
	case "EXITWITHTIMEOUT":
		return c.exit(r, feed.ReasonTimeout, 2)
	case "EXITEMPTY":
		return c.exit(r, feed.ReasonNoAgents, 2)
	case "EXITWITHKEY":
		return c.exit(r, feed.ReasonExitKey, 3)
	case "WITHDRAW":
		return c.exit(r, feed.ReasonWithdraw, 2)
	case "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL":
		return c.pause(r)
	case "ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF":
		return c.membership(r)
	case "RINGCANCELED":
		// A ring stopped because another member answered or the caller
		// left: nothing for the floor, but it shows the member in the queue.
		q, err := c.queueID(r.queue)
		if err != nil {
			return err
		}
		a, err := c.agentFor(r, q, true)
		if err != nil {
			return err
		}
		c.touch(a, r.ts)
		c.tally.Skip(r.verb)
	case "QUEUESTART":
		// Asterisk (re)started: every channel of the old process is gone.
		if len(c.calls) > 0 {
			c.restarts++
			for _, id := range sortedIDs(c.calls) {
				switch cl := c.calls[id]; cl.state {
				case waiting:
					c.closedWaiting++
				case talking:
					c.closedTalking++
				}
				c.close(c.calls[id], before)
			}
		}
		c.tally.Skip(r.verb)
	default:
		// CONFIGRELOAD, PENALTY, RINGINUSE, SYSCOMPAT (an ABANDON follows),
		// and what dialplans and vendors log through QueueLog(): DID,
		// INFO, OUTDIAL, OUTCALL…
		c.tally.Skip(r.verb)
	}
	return nil
}

// queueID is the queue a line names. Asterisk matches queue names
// ignoring case and logs them as the dialplan spelled them on ENTERQUEUE
// and the exits, so spellings are joined, the first (or the goals file's)
// winning.
func (c *Converter) queueID(name string) (string, error) {
	if name == "" {
		return "", errors.New("no queue")
	}
	k := strings.ToLower(name)
	if id, ok := c.queues[k]; ok {
		return id, nil
	}
	if len(c.queues) >= maxQueues {
		return "", fmt.Errorf("more than %d queues", maxQueues)
	}
	id := name
	if s, ok := c.spelling[k]; ok {
		id = s
	}
	c.queues[k] = id
	return id, nil
}

// liveCall is the call a line is about, checked to be waiting in q when it
// is waiting; nil when the file has not shown it.
func (c *Converter) liveCall(r *record, q string) (*call, error) {
	if r.callid == "" {
		return nil, errors.New("no call id")
	}
	cl := c.calls[r.callid]
	if cl != nil && cl.state == waiting && cl.queue != q {
		return nil, fmt.Errorf("call %s is waiting in %s, not %s", cl.id, cl.queue, q)
	}
	return cl, nil
}

// newCall starts following a call.
func (c *Converter) newCall(id, q string, state callState) (*call, error) {
	if len(c.calls) >= maxCalls {
		return nil, fmt.Errorf("more than %d calls live at once", maxCalls)
	}
	cl := &call{id: id, queue: q, state: state, last: c.done[id]}
	delete(c.done, id)
	c.calls[id] = cl
	return cl, nil
}

// finish stops following a call.
func (c *Converter) finish(cl *call) {
	delete(c.calls, cl.id)
	delete(c.held, cl.id)
	c.done[cl.id] = cl.last
}

// enter: ENTERQUEUE url|callerid[|position[|callername]]: the caller waits
// in the queue. A call in conversation or just transferred that enters a
// queue was transferred into it.
func (c *Converter) enter(r *record) error {
	q, err := c.queueID(r.queue)
	if err != nil {
		return err
	}
	if r.callid == "" {
		return errors.New("no call id")
	}
	cl := c.calls[r.callid]
	switch {
	case cl == nil || cl.state == unseen:
		if cl != nil {
			c.endLeg(cl.agent, cl.at(r.ts), c.wrapUp[cl.queue], "")
			c.finish(cl)
		}
		if cl, err = c.newCall(r.callid, q, waiting); err != nil {
			return err
		}
		cl.offered = cl.at(r.ts)
		c.push(cl.offered, &feed.Event{Type: feed.TypeOffered, Call: cl.id, Queue: q,
			Channel: feed.ChannelVoice, Caller: source.Label(r.datum(1))})
	case cl.state == transferring:
		c.requeue(cl, q, r.ts)
	case cl.state == talking:
		a, from := cl.agent, cl.queue
		c.endLeg(a, cl.at(r.ts), c.wrapUp[from], "")
		c.requeue(cl, q, r.ts)
		cl.closedBy, cl.closedIn = a, from
	default:
		return fmt.Errorf("call %s entered %s while waiting in %s", cl.id, q, cl.queue)
	}
	return nil
}

// requeue sends a transferred call on into queue q, where it waits again.
func (c *Converter) requeue(cl *call, q string, ts time.Time) {
	ts = cl.at(ts)
	c.push(ts, &feed.Event{Type: feed.TypeTransferred, Call: cl.id, Agent: cl.agent.ID, Queue: q})
	delete(c.held, cl.id)
	cl.state, cl.queue, cl.offered, cl.agent, cl.to = waiting, q, ts, nil, ""
}

// connect: CONNECT holdtime|bridgedchanneluniqueid[|ringtime]: an agent
// answers, after the caller waited holdtime seconds.
func (c *Converter) connect(r *record) error {
	q, err := c.queueID(r.queue)
	if err != nil {
		return err
	}
	hold, err := r.needSeconds(0, "holdtime")
	if err != nil {
		return err
	}
	cl, err := c.liveCall(r, q)
	if err != nil {
		return err
	}
	if cl != nil && cl.state != waiting {
		return fmt.Errorf("call %s is already answered", cl.id)
	}
	a, err := c.agentFor(r, q, true)
	if err != nil {
		return err
	}
	if cl == nil {
		if cl, err = c.newCall(r.callid, q, unseen); err != nil {
			return err
		}
		cl.agent, cl.answered = a, cl.at(r.ts)
		a.talking++
		c.touch(a, cl.answered)
		c.tally.Skip(skipBefore)
		return nil
	}
	c.answer(cl, a, hold)
	return nil
}

func (c *Converter) answer(cl *call, a *agent, hold time.Duration) {
	cl.answered = cl.at(cl.offered.Add(hold))
	cl.state, cl.agent = talking, a
	c.push(cl.answered, &feed.Event{Type: feed.TypeAnswered, Call: cl.id, Queue: cl.queue, Agent: a.ID})
	a.talking++
	c.touch(a, cl.answered)
}

// missed: RINGNOANSWER ringtime-ms, AGENTDUMP: offered to an agent who did
// not take it (no answer, or hung up during the announcement); it keeps
// waiting.
func (c *Converter) missed(r *record) error {
	q, err := c.queueID(r.queue)
	if err != nil {
		return err
	}
	cl, err := c.liveCall(r, q)
	if err != nil {
		return err
	}
	if cl != nil && cl.state != waiting && cl.state != unseen {
		return fmt.Errorf("call %s is not waiting", cl.id)
	}
	a, err := c.agentFor(r, q, true)
	if err != nil {
		return err
	}
	if cl == nil || cl.state == unseen {
		c.touch(a, r.ts)
		c.tally.Skip(skipBefore)
		return nil
	}
	ts := cl.at(r.ts)
	c.push(ts, &feed.Event{Type: feed.TypeMissed, Call: cl.id, Queue: q, Agent: a.ID})
	c.touch(a, ts)
	return nil
}

// talkingCall is the call a line ends, answering it first when its CONNECT
// is missing (the line's holdtime says when). nil: a call the file did
// not show, whose agent's leg has been ended.
func (c *Converter) talkingCall(r *record, holdIdx int) (*call, error) {
	q, err := c.queueID(r.queue)
	if err != nil {
		return nil, err
	}
	cl, err := c.liveCall(r, q)
	if err != nil {
		return nil, err
	}
	switch {
	case cl == nil:
		// The call entered the queue before the file and was answered in
		// it too: the agent wraps up all the same.
		a, err := c.agentFor(r, q, true)
		if err != nil {
			return nil, err
		}
		c.wrapFrom(a, r.ts, c.wrapUp[q], "")
		c.tally.Skip(skipBefore)
		return nil, nil
	case cl.state == waiting:
		hold, err := r.needSeconds(holdIdx, "holdtime")
		if err != nil {
			return nil, err
		}
		a, err := c.agentFor(r, q, true)
		if err != nil {
			return nil, err
		}
		c.answer(cl, a, hold)
	case cl.state == transferring:
		return nil, fmt.Errorf("call %s was already transferred", cl.id)
	}
	return cl, nil
}

// complete: COMPLETECALLER/COMPLETEAGENT holdtime|calltime|origposition:
// the conversation ended after calltime seconds (the caller or the agent
// hung up). Wrap-up follows for the queue's wrap-up time.
func (c *Converter) complete(r *record) error {
	talk, err := r.needSeconds(1, "calltime")
	if err != nil || c.afterReentry(r) {
		return err
	}
	cl, err := c.talkingCall(r, 0)
	if cl == nil || err != nil {
		return err
	}
	end := cl.at(cl.answered.Add(talk))
	wrap := c.wrapUp[cl.queue]
	if cl.state == unseen {
		c.endLeg(cl.agent, end, wrap, "")
		c.tally.Skip(skipBefore)
	} else {
		c.endCall(cl, end, wrap)
	}
	c.finish(cl)
	return nil
}

// endCall ends a call in conversation at end; its wrap-up lasts wrap.
func (c *Converter) endCall(cl *call, end time.Time, wrap time.Duration) {
	c.wrapping.EndCall(c.push, cl.id, cl.agent, cl.agent.ID, end, wrap)
	c.endLeg(cl.agent, end, wrap, cl.id)
}

// isAgent reports whether name stands for agent a.
func (c *Converter) isAgent(name string, a *agent) bool {
	found, ok := c.roster.Find(name)
	return ok && found == a
}

// afterReentry reports a line closing the leg of a call that has already
// entered its next queue (Asterisk 12 and later log a transfer after the
// fact): there is nothing left for it to say.
func (c *Converter) afterReentry(r *record) bool {
	cl := c.calls[r.callid]
	if cl == nil || cl.closedBy == nil || !strings.EqualFold(r.queue, cl.closedIn) || !c.isAgent(r.agent, cl.closedBy) {
		return false
	}
	cl.closedBy = nil
	return true
}

// transfer: BLINDTRANSFER exten|context|…, ATTENDEDTRANSFER method|data|…,
// TRANSFER exten|context|… (before Asterisk 12), each with holdtime and
// calltime: the agent sent the call on after calltime seconds. Whether it
// went to a queue of the floor is known when it enters one.
func (c *Converter) transfer(r *record, exten, to string, holdIdx, talkIdx int) error {
	talk, err := r.needSeconds(talkIdx, "calltime")
	if err != nil || c.afterReentry(r) {
		return err
	}
	cl, err := c.talkingCall(r, holdIdx)
	if cl == nil || err != nil {
		return err
	}
	end := cl.at(cl.answered.Add(talk))
	c.endLeg(cl.agent, end, c.wrapUp[cl.queue], "")
	if cl.state == unseen {
		c.finish(cl)
		c.tally.Skip(skipBefore)
		return nil
	}
	if to == "" {
		to = "unknown destination"
	}
	cl.state, cl.to, cl.xferAt = transferring, source.Label(to), end
	c.held[cl.id] = cl
	window := transferWindow
	k := strings.ToLower(exten)
	if _, ok := c.queues[k]; ok || c.spelling[k] != "" {
		window = queueTransferWindow
	}
	c.timers.Add(end.Add(window), timer{call: cl.id, decide: true, xferAt: end})
	return nil
}

// leave: a transferred call entered no queue of the floor in time; it went
// to the transfer line's destination.
func (c *Converter) leave(cl *call) {
	c.push(cl.at(cl.xferAt), &feed.Event{Type: feed.TypeTransferred, Call: cl.id, Agent: cl.agent.ID, To: cl.to})
	c.finish(cl)
}

// exit: ABANDON, EXITWITHTIMEOUT, EXITEMPTY, WITHDRAW position|origposition|
// waittime[|info], EXITWITHKEY key|position|origposition|waittime: the call
// left the queue unanswered after waittime seconds. Layouts before 1.8
// log no waittime; the line's time stands for the exit then.
func (c *Converter) exit(r *record, reason string, waitIdx int) error {
	q, err := c.queueID(r.queue)
	if err != nil {
		return err
	}
	cl, err := c.liveCall(r, q)
	if err != nil {
		return err
	}
	wait, haveWait, err := r.seconds(waitIdx, "waittime")
	switch {
	case err != nil:
		return err
	case cl == nil:
		c.tally.Skip(skipBefore)
		return nil
	case cl.state != waiting:
		return fmt.Errorf("call %s is not waiting", cl.id)
	}
	at := r.ts
	if haveWait {
		at = cl.offered.Add(wait)
	}
	c.push(cl.at(at), &feed.Event{Type: feed.TypeAbandoned, Call: cl.id, Queue: q, Reason: reason})
	c.finish(cl)
	return nil
}

// pause: PAUSE/UNPAUSE reason in one queue, PAUSEALL/UNPAUSEALL reason in
// all of the member's queues. An agent paused in every queue they are in
// is in aux with the pause's reason; a pause during a call shows when the
// call and its wrap-up are over.
func (c *Converter) pause(r *record) error {
	all := strings.HasSuffix(r.verb, "ALL") || r.queue == ""
	on := strings.HasPrefix(r.verb, "PAUSE")
	var q string
	if !all {
		var err error
		if q, err = c.queueID(r.queue); err != nil {
			return err
		}
	}
	a, err := c.agentFor(r, q, false)
	if err != nil {
		return err
	}
	reason := source.Label(r.datum(0))
	switch {
	case on && all && len(a.skills) == 0:
		a.paused["*"] = reason
	case on && all:
		for s := range a.skills {
			a.paused[s] = reason
		}
	case on:
		a.paused[q] = reason
	case all:
		clear(a.paused)
	default:
		delete(a.paused, q)
		delete(a.paused, "*")
	}
	if on {
		a.pauseReason = reason
	}
	c.touch(a, r.ts)
	return nil
}

// membership: ADDMEMBER [PAUSED] and REMOVEMEMBER in a queue;
// AGENTLOGIN channel and AGENTLOGOFF channel|logintime (and the callback
// forms of 1.4) log an agent into or out of the agent pool, whose queues
// are learnt from the calls.
func (c *Converter) membership(r *record) error {
	var q string
	if r.queue != "" {
		var err error
		if q, err = c.queueID(r.queue); err != nil {
			return err
		}
	} else if strings.HasSuffix(r.verb, "MEMBER") {
		return errors.New("no queue")
	}
	if r.agent == "" {
		return errors.New("no agent")
	}
	a, ok := c.roster.Get(r.agent)
	if !ok {
		return fmt.Errorf("more than %d agents", asterisk.MaxAgents)
	}
	a.SeenMember = true
	in := r.verb == "ADDMEMBER" || strings.Contains(r.verb, "LOGIN")
	if in && q != "" && !a.skills[q] && len(a.skills) >= maxSkills {
		return fmt.Errorf("agent %s is in more than %d queues", a.ID, maxSkills)
	}
	if q != "" {
		if in {
			a.skills[q] = true
			delete(a.removed, q)
			if strings.EqualFold(r.datum(0), "PAUSED") {
				a.paused[q] = ""
				a.pauseReason = ""
			}
		} else {
			delete(a.skills, q)
			delete(a.paused, q)
			a.removed[q] = true
		}
	}
	switch {
	case strings.HasPrefix(r.verb, "AGENT"):
		a.pool, a.member = in, in
	case in:
		a.member = true
	default:
		a.member = a.pool || len(a.skills) > 0
	}
	c.touch(a, r.ts)
	return nil
}

// agentFor is the agent a call or pause line names, who is by that line a
// member of queue q: members from queues.conf log no ADDMEMBER and are
// staffed from their first line. A queue the agent was removed from is
// not added back by a late line. onCall marks a call line, for the notes
// on names not joined (pauses name members either way across versions).
func (c *Converter) agentFor(r *record, q string, onCall bool) (*agent, error) {
	if r.agent == "" {
		return nil, errors.New("no agent")
	}
	a, ok := c.roster.Get(r.agent)
	if !ok {
		return nil, fmt.Errorf("more than %d agents", asterisk.MaxAgents)
	}
	a.SeenActivity = a.SeenActivity || onCall
	if q != "" && !a.skills[q] && !a.removed[q] {
		if len(a.skills) >= maxSkills {
			return nil, fmt.Errorf("agent %s is in more than %d queues", a.ID, maxSkills)
		}
		a.skills[q] = true
		a.member = true
		if reason, ok := a.paused["*"]; ok {
			a.paused[q] = reason
		}
	}
	return a, nil
}

// endLeg ends agent a's part in a call at end: wrap-up for wrap (Asterisk
// applies wrapuptime after a transfer too), then whatever the agent is
// next. callID names the call whose wrap-up ends with the agent's, if any.
func (c *Converter) endLeg(a *agent, end time.Time, wrap time.Duration, callID string) {
	if a.talking > 0 {
		a.talking--
	}
	c.wrapFrom(a, end, wrap, callID)
}

// wrapFrom starts agent a's wrap-up at end.
func (c *Converter) wrapFrom(a *agent, end time.Time, wrap time.Duration, callID string) {
	wrapEnd := end.Add(wrap)
	if wrapEnd.After(a.wrapUntil) {
		a.wrapUntil = wrapEnd
	}
	c.touch(a, end)
	if wrap > 0 {
		c.timers.Add(wrapEnd, timer{agent: a, call: callID})
	}
}

// close ends a call Asterisk forgot (a restart, a lost end line) at ts,
// or as soon after as events have not yet been emitted.
func (c *Converter) close(cl *call, ts time.Time) {
	if ts.Before(c.released) {
		ts = c.released
	}
	switch cl.state {
	case waiting:
		c.push(cl.at(ts), &feed.Event{Type: feed.TypeAbandoned, Call: cl.id, Queue: cl.queue, Reason: feed.ReasonWithdraw})
	case talking:
		c.endCall(cl, cl.at(ts), 0)
	case transferring:
		c.leave(cl)
		return
	case unseen:
		c.endLeg(cl.agent, cl.at(ts), 0, "")
	}
	c.finish(cl)
}

// sweep closes calls with no line for staleAfter, at their last event, and
// forgets finished calls whose events have all been emitted.
func (c *Converter) sweep() {
	c.lastSweep = c.clock
	for _, id := range sortedIDs(c.calls) {
		if cl := c.calls[id]; c.clock.Sub(cl.last) > staleAfter {
			c.stale++
			c.close(cl, cl.last)
		}
	}
	for id, last := range c.done {
		if last.Before(c.released) {
			delete(c.done, id)
		}
	}
}

func sortedIDs(m map[string]*call) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
