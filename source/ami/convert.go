package ami

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
	// lag is how long an event is held before it is emitted. Every time is
	// the PBX's whole second (Asterisk measures HoldTime and TalkTime in
	// whole seconds, so an answer is placed at the offer plus HoldTime),
	// and events made by different PBX threads cross a second boundary in
	// either order: held this long and sorted, they come out in time order.
	lag = 2 * time.Second
	// leaveWait is how long after a QueueCallerLeave with no
	// QueueCallerAbandon the AgentConnect may come: app_queue publishes the
	// Leave first, then runs the member's gosub and AGI, then AgentConnect.
	// With no AgentConnect the caller left by a key (EXITWITHKEY, which
	// publishes no Abandon). answerWait is the same when the member's
	// phone was seen answering (DialEnd ANSWER), as a gosub may take a
	// while.
	leaveWait  = 2 * time.Second
	answerWait = time.Minute
	// reasonWait is how long after a QueueCallerAbandon the QUEUESTATUS
	// VarSet may come; app_queue sets it right after the Leave.
	reasonWait = 2 * time.Second
	// transferWindow is how long after a transfer the caller may enter a
	// queue of the floor for it to be a transfer into that queue rather
	// than out of the floor; queueTransferWindow when the transfer's
	// extension is a queue's name (FreePBX numbers its queues), to allow a
	// join announcement.
	transferWindow      = 10 * time.Second
	queueTransferWindow = time.Minute
	// settle is how long after a reconnect's QueueStatus the events the
	// PBX made while it was listing may still arrive (Stasis delivers them
	// to the manager a moment late); a call gone from its queue is decided
	// after it.
	settle = 2 * time.Second
	// doneKeep is how long a finished call's id is remembered, so that a
	// late event about it is known for what it is.
	doneKeep = time.Hour

	// Bounds on what a hostile manager can make the converter hold.
	maxCalls    = 100_000
	maxQueues   = 5_000
	maxSkills   = 128 // queues of one agent: the fold's bound
	maxPending  = 200_000
	maxSnapRows = 300_000

	unknownDest   = "unknown destination"
	skipBefore    = "call began before the bridge saw it"
	skipFinished  = "call already ended"
	skipDuplicate = "already known"
)

// Config is what the converter needs besides the packets.
type Config struct {
	// Goals gives queue goals the PBX does not state, the ids to use when
	// it spells a queue in another case, and wrap_s: Asterisk's queue
	// wrapuptime, which AMI does not report (a member's own Wrapuptime,
	// Asterisk 16 and later, wins over it).
	Goals *floor.Goals
	// Agents joins the names one agent goes by; nil joins names that are
	// equal ignoring case or share an interface's device part, and an
	// interface with the member name it comes with.
	Agents *asterisk.Agents
}

// Converter turns AMI packets into feed events, in time order and without
// seq. It is a pure converter: packets and the time they came in, events
// out through emit. It is not safe for concurrent use.
type Converter struct {
	emit    func(*feed.Event)
	tally   source.Tally
	goals   *floor.Goals
	goalCfg map[string]feed.QueueConfig // lower-case name → the goals file's config

	queues map[string]*queue // lower-case name → queue
	roster *asterisk.Roster[*agent]
	calls  map[string]*call // by the caller channel's Uniqueid
	done   map[string]time.Time
	// undecided are calls whose outcome waits on a later event or a
	// deadline; nothing after their decision's time is emitted meanwhile.
	undecided map[string]*call
	wrapping  asterisk.Wraps[*agent]

	clock      time.Time // the PBX's newest time seen
	released   time.Time // the time of the last event emitted
	lastPacket time.Time // the time of the newest packet
	lastPrune  time.Time
	timers     asterisk.Schedule[timer]
	out        asterisk.Schedule[*feed.Event]

	// shadow is the fold of every event emitted, so that a reconnect can
	// say exactly what the clients hold (a snapshot line).
	shadow    *floor.Floor
	shadowSeq int64
	refused   int64
	firstRef  string

	snap      *snapshot // a QueueStatus list being read
	snapshots int       // lists applied
	down      time.Time // when the connection was lost; zero while up
	rec       *reconcile
	uptime    time.Duration // FullyBooted's Uptime, with uptimeAt its time
	uptimeAt  time.Time

	readsCall bool  // the manager user reads call events
	derived   int64 // abandon reasons derived from the members, for want of a QUEUESTATUS

	reconnects, restarts, unresolved, endedAtLastCall, endedAtDrop, reordered int64
	gapCompleted, gapAbandoned                                                int64
}

type callState uint8

const (
	waiting callState = iota
	// leaving: a QueueCallerLeave with no Abandon: answered
	// (AgentConnect follows) or left by a key.
	leaving
	// abandoning: a QueueCallerAbandon whose reason is not known yet.
	abandoning
	talking
	// transferring: the agent's leg ended by a transfer; the call either
	// enters a queue within the transfer window or has left the floor.
	transferring
	// unseen: in conversation, but it began before the bridge saw it; not
	// on the floor, followed for its agent.
	unseen
	// vanished: after a reconnect, no longer in its queue; decided after
	// settle.
	vanished
)

type call struct {
	id, queue, caller string
	state             callState
	offered, answered time.Time
	agent             *agent
	agentChan         string    // the member's channel Uniqueid, to match transfers
	last              time.Time // its newest event: a call's events never go back in time

	hungUp      bool // a hangup was requested on the caller's channel while it waited
	answering   bool // a member's phone answered (DialEnd ANSWER): AgentConnect follows
	leftAt      time.Time
	abandonAt   time.Time
	queueStatus string // the channel's QUEUESTATUS, when the user reads dialplan events

	to, toExten string    // a transfer's destination, from BlindTransfer or AttendedTransfer
	xferAt      time.Time // transferring: when the agent's leg ended
	deadline    time.Time // when an undecided call is decided
	// closedBy and closedIn are the agent and queue of a leg that ended
	// when the caller entered a queue before its AgentComplete came: that
	// AgentComplete then has nothing left to say.
	closedBy *agent
	closedIn string
}

// at is ts, or the call's newest event's time if later, and becomes it.
func (cl *call) at(ts time.Time) time.Time {
	if ts.Before(cl.last) {
		ts = cl.last
	}
	cl.last = ts
	return ts
}

// holdFrom is the time of the event an undecided call will make: nothing
// later is emitted before it.
func (cl *call) holdFrom() time.Time {
	switch cl.state {
	case leaving:
		return cl.leftAt
	case abandoning:
		return cl.abandonAt
	case transferring:
		return cl.xferAt
	}
	return cl.last
}

type timerKind uint8

const (
	wrapDone timerKind = iota // an agent's wrap-up ends (and the call's, when call is set)
	decide                    // an undecided call's deadline
	reconcileEnd
)

type timer struct {
	kind  timerKind
	agent *agent
	call  string
}

// NewConverter makes a converter that hands its events to emit.
func NewConverter(cfg Config, emit func(*feed.Event)) *Converter {
	c := &Converter{
		emit:      emit,
		goals:     cfg.Goals,
		goalCfg:   map[string]feed.QueueConfig{},
		queues:    map[string]*queue{},
		calls:     map[string]*call{},
		done:      map[string]time.Time{},
		undecided: map[string]*call{},
		wrapping:  asterisk.Wraps[*agent]{},
		shadow:    floor.New(floor.Options{}),
	}
	c.roster = asterisk.NewRoster(cfg.Agents, newAgent)
	// The goals file's spelling of a queue is the one its clients know.
	for _, qc := range cfg.Goals.QueueConfigs() {
		c.goalCfg[strings.ToLower(qc.Queue)] = qc
	}
	return c
}

// Packet applies one packet, at the PBX time it came in (its Timestamp
// header, or this machine's clock set to the PBX's). Responses are counted
// and otherwise the session's business.
func (c *Converter) Packet(p packet, at time.Time) {
	c.tally.Lines++
	if !p.has("Event") {
		return
	}
	ts := at.Truncate(time.Second)
	c.advance(ts)
	c.lastPacket = ts
	c.readsCall = c.readsCall || strings.Contains(strings.ToLower(p.get("Privilege")), "call")
	name := eventName(p)
	if err := c.apply(name, p, ts); err != nil {
		c.tally.Bad(c.tally.Lines, name+": "+err.Error())
	}
	c.release(false)
}

// Refused counts a packet the reader refused (too long, not headers).
func (c *Converter) Refused(reason string) {
	c.tally.Lines++
	c.tally.Bad(c.tally.Lines, reason)
}

// Tick moves the clock to at without a packet, so that wrap-ups end and
// decisions come due while the floor is quiet.
func (c *Converter) Tick(at time.Time) {
	c.advance(at.Truncate(time.Second))
	c.release(false)
}

// Disconnected marks the connection lost: what happens until the next
// QueueStatus is not seen, and the snapshot then is reconciled with what
// was emitted. Whether a caller who left a queue was answered, and
// whether a transferred one entered a queue, waits for that snapshot
// rather than a deadline passing unseen; everything else seen is emitted
// now.
func (c *Converter) Disconnected() {
	if c.down.IsZero() {
		c.down = c.lastPacket
	}
	c.snap = nil
	for _, cl := range c.undecided {
		if cl.state == leaving || cl.state == transferring {
			cl.deadline = time.Time{}
		}
	}
	c.releaseUntil(c.horizon(c.down), false)
}

// Close emits every event held; calls still live stay live.
func (c *Converter) Close() { c.release(true) }

// Tally is the reading so far, with notes on what the user can act on.
func (c *Converter) Tally() source.Tally {
	t := c.tally.Clone()
	t.Notes = append(t.Notes, c.roster.Notes("QueueMember, QueueMemberAdded")...)
	var noWrap []string
	for _, q := range c.queues {
		if c.goals.WrapUp(q.id) == 0 && !q.memberWrap {
			noWrap = append(noWrap, q.id)
		}
	}
	if len(noWrap) > 0 {
		slices.Sort(noWrap)
		t.Notes = append(t.Notes, "AMI reports no wrap-up end or queue wrapuptime; queues with no wrap_s in --goals (and members with no Wrapuptime of their own) wrap up the moment a call ends: "+asterisk.NameList(noWrap))
	}
	if c.snapshots > 0 && !c.readsCall {
		t.Notes = append(t.Notes, "no `call` events came: without them transfers have no destination and a caller hanging up cannot be told from a timeout; give the manager user read = agent,call")
	}
	if c.derived > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d abandons were not the caller's and came with no QUEUESTATUS: timeout or no_agents was judged from the queue's members (a withdrawal reads as one of them); give the manager user read = …,dialplan for exact reasons", c.derived))
	}
	if c.reconnects > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("the connection to the PBX was lost %d times (%d of them a PBX restart): %d conversations ended at the member's LastCall, %d at the loss; %d calls left their queue unseen and are offered without an outcome; meanwhile the PBX counted %d calls completed and %d abandoned that the bridge did not see",
			c.reconnects, c.restarts, c.endedAtLastCall, c.endedAtDrop, c.unresolved, c.gapCompleted, c.gapAbandoned))
	}
	if c.reordered > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d events came more than %v late and were emitted at the time of the event before them", c.reordered, lag))
	}
	if c.refused > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d events contradicted the feed's state and will be counted bad by clients (first: %s); please report this", c.refused, c.firstRef))
	}
	return t
}

// apply changes the state by one event.
func (c *Converter) apply(name string, p packet, ts time.Time) error {
	switch name {
	case "QueueParams", "QueueMember", "QueueEntry":
		return c.snapRow(name, p)
	case "QueueStatusComplete":
		return c.endSnapshot()
	case "QueueCallerJoin":
		return c.join(p, ts)
	case "QueueCallerAbandon":
		return c.abandon(p, ts)
	case "QueueCallerLeave":
		return c.leave(p, ts)
	case "AgentCalled":
		return c.called(p, ts)
	case "AgentRingNoAnswer", "AgentDump":
		return c.missed(name, p, ts)
	case "AgentConnect":
		return c.connect(p, ts)
	case "AgentComplete":
		return c.complete(p, ts)
	case "QueueMemberAdded", "QueueMemberRemoved", "QueueMemberStatus", "QueueMemberPause":
		return c.member(name, p, ts)
	case "BlindTransfer", "AttendedTransfer":
		return c.transferTo(name, p)
	case "DialEnd":
		if cl := c.calls[p.get("Uniqueid")]; cl != nil && cl.state == waiting {
			cl.answering = strings.EqualFold(p.get("DialStatus"), "ANSWER")
		}
	case "HangupRequest", "SoftHangupRequest", "Hangup":
		// Before app_queue sees the hangup and publishes the Abandon.
		if cl := c.calls[p.get("Uniqueid")]; cl != nil && cl.state == waiting {
			cl.hungUp = true
		}
	case "VarSet":
		return c.varSet(p)
	case "FullyBooted":
		if up, ok, err := seconds(p, "Uptime"); ok && err == nil {
			c.uptime, c.uptimeAt = up, ts
		}
	case "":
		c.tally.Skip("no Event header")
	default:
		c.tally.Skip(name)
	}
	return nil
}

// advance makes every derived change due by t, in time order.
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
	if c.clock.Sub(c.lastPrune) >= doneKeep {
		c.lastPrune = c.clock
		for id, at := range c.done {
			if c.clock.Sub(at) > doneKeep {
				delete(c.done, id)
			}
		}
	}
}

func (c *Converter) fire(it asterisk.Item[timer]) {
	t := it.V
	switch t.kind {
	case decide:
		if cl := c.undecided[t.call]; cl != nil && cl.deadline.Equal(it.At) {
			c.decideNow(cl)
		}
	case reconcileEnd:
		if c.rec != nil && c.rec.deadline.Equal(it.At) {
			c.endReconcile()
		}
	case wrapDone:
		c.wrapping.Done(c.push, t.call, t.agent, it.At)
		c.touch(t.agent, it.At)
	}
}

// release emits the events the clock has passed by lag, none after an
// undecided call's decision or a reconcile in progress; final emits all.
func (c *Converter) release(final bool) {
	c.releaseUntil(c.horizon(c.clock.Add(-lag)), final)
}

// horizon is the latest time up to which events may be emitted, at most
// limit.
func (c *Converter) horizon(limit time.Time) time.Time {
	for _, cl := range c.undecided {
		if t := cl.holdFrom(); t.Before(limit) {
			limit = t
		}
	}
	if c.rec != nil && c.rec.at.Before(limit) {
		limit = c.rec.at
	}
	return limit
}

func (c *Converter) releaseUntil(horizon time.Time, final bool) {
	for {
		// Past maxPending a flood is let out early rather than held
		// without bound.
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
		c.send(ev)
	}
}

var maxTime = time.Unix(1<<40, 0)

// send emits ev and folds it into the shadow.
func (c *Converter) send(ev *feed.Event) {
	c.shadowSeq++
	e := *ev
	e.Seq = c.shadowSeq
	line := feed.Encode(&e)
	if o := c.shadow.IngestLine(line, floor.Recording); o != floor.Applied {
		c.refused++
		if c.firstRef == "" {
			c.firstRef = c.shadow.Stats().LastError
		}
	}
	c.emit(ev)
}

func (c *Converter) push(at time.Time, ev *feed.Event) {
	ev.TS = at
	c.out.Add(at, ev)
}

// hold makes cl undecided until deadline.
func (c *Converter) hold(cl *call, deadline time.Time) {
	cl.deadline = deadline
	c.undecided[cl.id] = cl
	c.timers.Add(deadline, timer{kind: decide, call: cl.id})
}

// decideNow makes an undecided call's outcome with what is known.
func (c *Converter) decideNow(cl *call) {
	delete(c.undecided, cl.id)
	switch cl.state {
	case abandoning:
		c.abandoned(cl, cl.abandonAt, c.reasonFor(cl))
	case leaving:
		c.abandoned(cl, cl.leftAt, feed.ReasonExitKey)
	case transferring:
		c.leaveFloor(cl)
	}
}

// queueFor is the queue an event names, its config announced the first
// time, so the clients hold it to the goal of the --goals file and the
// PBX, not the protocol's default.
func (c *Converter) queueFor(name string, at time.Time) (*queue, error) {
	switch {
	case name == "":
		return nil, errors.New("no Queue")
	case len(name) > floor.MaxText:
		return nil, fmt.Errorf("a queue name of %d bytes; at most %d", len(name), floor.MaxText)
	}
	q, err := c.lookupQueue(name)
	if err == nil && q.sent == nil {
		c.configure(q, at)
	}
	return q, err
}

// callID is the caller channel's Uniqueid an event names.
func callID(p packet) (string, error) {
	id := p.get("Uniqueid")
	switch {
	case id == "":
		return "", errors.New("no Uniqueid")
	case len(id) > floor.MaxText:
		return "", fmt.Errorf("a Uniqueid of %d bytes; at most %d", len(id), floor.MaxText)
	}
	return id, nil
}

// finish stops following a call.
func (c *Converter) finish(cl *call) {
	delete(c.calls, cl.id)
	delete(c.undecided, cl.id)
	c.done[cl.id] = cl.last
}

// skipUnknown counts an event about a call the bridge does not follow.
func (c *Converter) skipUnknown(id string) {
	if _, ok := c.done[id]; ok {
		c.tally.Skip(skipFinished)
		return
	}
	c.tally.Skip(skipBefore)
}
