package ami

import (
	"fmt"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

// join: QueueCallerJoin (Join in 11): the caller waits in the queue.
func (c *Converter) join(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	id, err := callID(p)
	if err != nil {
		return err
	}
	return c.enter(id, q, source.Label(callerNum(p)), ts)
}

// enter puts call id in queue q at ts: a new offer, or, for a call in
// conversation or just transferred, a transfer into q.
func (c *Converter) enter(id string, q *queue, caller string, ts time.Time) error {
	cl := c.calls[id]
	switch {
	case cl == nil:
	case cl.state == leaving || cl.state == abandoning:
		// Out of its last queue and into the next one (a timeout or a key
		// sending it on): that exit is decided with what is known by now.
		c.decideNow(cl)
		cl = nil
	case cl.state == vanished:
		// It left its queue while the bridge was away, how is not known.
		c.rec.gone[id] = true
		c.finish(cl)
		cl = nil
	}
	switch {
	case cl == nil || cl.state == unseen:
		if cl != nil {
			c.endLeg(cl.agent, cl.at(ts), c.wrapFor(cl.agent, cl.queue), "")
			c.finish(cl)
		}
		if len(c.calls) >= maxCalls {
			return fmt.Errorf("more than %d calls live at once", maxCalls)
		}
		cl = &call{id: id, queue: q.id, state: waiting, caller: caller, last: c.done[id]}
		delete(c.done, id)
		c.calls[id] = cl
		cl.offered = cl.at(ts)
		c.push(cl.offered, &feed.Event{Type: feed.TypeOffered, Call: id, Queue: q.id, Channel: feed.ChannelVoice, Caller: caller})
	case cl.state == waiting && cl.queue == q.id:
		// The QueueStatus list and a Join that Stasis delivered late both
		// tell of it.
		c.tally.Skip(skipDuplicate)
	case cl.state == transferring:
		c.requeue(cl, q.id, ts)
	case cl.state == talking:
		// The caller is in the next queue before app_queue published the
		// transfer's AgentComplete.
		a, from := cl.agent, cl.queue
		c.endLeg(a, cl.at(ts), c.wrapFor(a, from), "")
		c.requeue(cl, q.id, ts)
		cl.closedBy, cl.closedIn = a, from
	default:
		return fmt.Errorf("call %s joined %s while still in %s", id, q.id, cl.queue)
	}
	return nil
}

// requeue sends a transferred call on into queue q, where it waits again.
func (c *Converter) requeue(cl *call, q string, ts time.Time) {
	ts = cl.at(ts)
	c.push(ts, &feed.Event{Type: feed.TypeTransferred, Call: cl.id, Agent: cl.agent.ID, Queue: q})
	delete(c.undecided, cl.id)
	cl.state, cl.queue, cl.offered, cl.agent, cl.agentChan = waiting, q, ts, nil, ""
	cl.to, cl.toExten, cl.hungUp, cl.answering, cl.queueStatus = "", "", false, false, ""
}

// waitingCall is the call an event about a waiting caller names, checked
// to be waiting in q; nil when the bridge does not follow it.
func (c *Converter) waitingCall(p packet, q *queue) (*call, error) {
	id, err := callID(p)
	if err != nil {
		return nil, err
	}
	cl := c.calls[id]
	if cl == nil {
		c.skipUnknown(id)
		return nil, nil
	}
	switch cl.state {
	case waiting, leaving, abandoning, vanished:
	default:
		return nil, fmt.Errorf("call %s is not waiting", id)
	}
	if cl.queue != q.id {
		return nil, fmt.Errorf("call %s is waiting in %s, not %s", id, cl.queue, q.id)
	}
	return cl, nil
}

// abandon: QueueCallerAbandon: the caller left the queue unanswered after
// HoldTime seconds. Asterisk publishes it for a caller hanging up, and
// for a timeout, an empty queue and a withdrawal too (record_abandoned),
// but not for a key pressed to leave. A hangup requested on the caller's
// channel before it means the caller hung up; otherwise the reason waits
// for the QUEUESTATUS that follows the Leave.
func (c *Converter) abandon(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	hold, haveHold, err := seconds(p, "HoldTime")
	if err != nil {
		return err
	}
	q.abandoned++ // as record_abandoned counts it, for every caller
	cl, err := c.waitingCall(p, q)
	if cl == nil || err != nil {
		return err
	}
	at := ts
	if haveHold {
		at = cl.offered.Add(hold)
	}
	if cl.hungUp {
		c.abandoned(cl, at, feed.ReasonCaller)
		return nil
	}
	cl.state, cl.abandonAt = abandoning, cl.at(at)
	c.hold(cl, ts.Add(reasonWait))
	return nil
}

// leave: QueueCallerLeave (Leave in 11): the caller is out of the queue:
// abandoned (an Abandon came first), answered (AgentConnect follows), or
// gone by a key.
func (c *Converter) leave(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	cl, err := c.waitingCall(p, q)
	if cl == nil || err != nil {
		return err
	}
	switch cl.state {
	case waiting, vanished:
		wait := leaveWait
		if cl.answering {
			wait = answerWait
		}
		cl.state, cl.leftAt = leaving, cl.at(ts)
		c.hold(cl, ts.Add(wait))
	}
	return nil
}

// varSet: the channel's QUEUESTATUS (a manager user that reads dialplan
// events sees it), set by app_queue right after the Leave: it tells a
// timeout, an empty queue and a withdrawal apart.
func (c *Converter) varSet(p packet) error {
	if !strings.EqualFold(p.get("Variable"), "QUEUESTATUS") {
		c.tally.Skip("VarSet")
		return nil
	}
	cl := c.calls[p.get("Uniqueid")]
	if cl == nil || cl.state != abandoning {
		return nil
	}
	cl.queueStatus = strings.ToUpper(p.get("Value"))
	c.decideNow(cl)
	return nil
}

// reasonFor is why an abandoned call left: the QUEUESTATUS when it came;
// else a caller hangup when one was requested; else, when the user reads
// call events (so a hangup would have shown), no_agents if no member of
// the queue could take a call (every one paused or unreachable, as
// leavewhenempty judges) and timeout if one could; with no call events
// at all nothing tells, and it is the caller.
func (c *Converter) reasonFor(cl *call) string {
	switch cl.queueStatus {
	case "TIMEOUT":
		return feed.ReasonTimeout
	case "LEAVEEMPTY", "LEAVEUNAVAIL":
		return feed.ReasonNoAgents
	case "WITHDRAW":
		return feed.ReasonWithdraw
	}
	if cl.hungUp || !c.readsCall {
		return feed.ReasonCaller
	}
	c.derived++
	if c.nobodyIn(cl.queue) {
		return feed.ReasonNoAgents
	}
	return feed.ReasonTimeout
}

// abandoned ends a waiting call unanswered at at.
func (c *Converter) abandoned(cl *call, at time.Time, reason string) {
	c.push(cl.at(at), &feed.Event{Type: feed.TypeAbandoned, Call: cl.id, Queue: cl.queue, Reason: reason})
	c.finish(cl)
}

// called: AgentCalled: a member's phone rings for a caller. Nothing for
// the figures, but it shows the member in the queue.
func (c *Converter) called(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	a, err := c.agentIn(p, q, ts)
	if err != nil {
		return err
	}
	a.SeenActivity = true
	c.touch(a, ts)
	return nil
}

// missed: AgentRingNoAnswer (RingTime in milliseconds) and AgentDump (the
// member hung up during the announcement): offered to an agent who did
// not take it; it keeps waiting.
func (c *Converter) missed(name string, p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	a, err := c.agentIn(p, q, ts)
	if err != nil {
		return err
	}
	a.SeenActivity = true
	cl, err := c.waitingCall(p, q)
	if cl == nil || err != nil {
		c.touch(a, ts)
		return err
	}
	if name == "AgentDump" {
		cl.answering = false
	}
	at := cl.at(ts)
	c.push(at, &feed.Event{Type: feed.TypeMissed, Call: cl.id, Queue: q.id, Agent: a.ID})
	c.touch(a, at)
	return nil
}

// connect: AgentConnect: a member answers after the caller waited
// HoldTime seconds (RingTime here is in seconds).
func (c *Converter) connect(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	hold, haveHold, err := seconds(p, "HoldTime")
	if err != nil {
		return err
	}
	a, err := c.agentIn(p, q, ts)
	if err != nil {
		return err
	}
	a.SeenActivity = true
	id, err := callID(p)
	if err != nil {
		return err
	}
	cl := c.calls[id]
	if cl == nil {
		// Answered from a wait that began before the bridge saw it: the
		// agent is on a call, which is not on the floor.
		if len(c.calls) >= maxCalls {
			return fmt.Errorf("more than %d calls live at once", maxCalls)
		}
		c.skipUnknown(id)
		cl = &call{id: id, queue: q.id, state: unseen, agent: a, answered: ts, last: ts}
		c.calls[id] = cl
		a.talking++
		c.touch(a, ts)
		return nil
	}
	if _, err := c.waitingCall(p, q); err != nil {
		return err
	}
	c.answer(cl, a, hold, haveHold, ts)
	// 12 and later: the member's channel in the Dest snapshot; 11:
	// BridgedChannel.
	cl.agentChan = p.get("DestUniqueid", "BridgedChannel")
	return nil
}

// answer puts a waiting call in conversation with a, at the offer plus
// Asterisk's HoldTime when given.
func (c *Converter) answer(cl *call, a *agent, hold time.Duration, haveHold bool, ts time.Time) {
	at := ts
	if haveHold {
		at = cl.offered.Add(hold)
	}
	delete(c.undecided, cl.id)
	cl.answered = cl.at(at)
	cl.state, cl.agent = talking, a
	c.push(cl.answered, &feed.Event{Type: feed.TypeAnswered, Call: cl.id, Queue: cl.queue, Agent: a.ID})
	a.talking++
	a.unseen = false // the call a QueueStatus list found them in is this one
	c.touch(a, cl.answered)
}

// complete: AgentComplete: the conversation ended after TalkTime seconds,
// Reason caller or agent (a hangup) or transfer. Wrap-up follows for the
// member's Wrapuptime or the queue's wrap_s.
func (c *Converter) complete(p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	hold, haveHold, err := seconds(p, "HoldTime")
	if err != nil {
		return err
	}
	talk, haveTalk, err := seconds(p, "TalkTime")
	if err != nil {
		return err
	}
	// Not agentIn: a member removed during the call is not a member again.
	a, err := c.agentFor(memberIface(p), memberName(p))
	if err != nil {
		return err
	}
	a.SeenActivity = true
	id, err := callID(p)
	if err != nil {
		return err
	}
	q.completed++
	cl := c.calls[id]
	if cl != nil && cl.closedBy == a && cl.closedIn == q.id {
		cl.closedBy = nil // its leg ended when the caller entered the next queue
		return nil
	}
	if cl == nil || cl.agent != a && cl.agent != nil {
		// A local channel optimised away during the call gives the caller
		// a new Uniqueid; the member's one call in the queue is the one.
		cl = c.onlyCallOf(a, q.id)
	}
	if cl == nil {
		c.skipUnknown(id)
		a.unseen = false
		c.wrapFrom(a, ts, c.wrapFor(a, q.id), "")
		return nil
	}
	switch cl.state {
	case waiting, leaving, vanished:
		// Its AgentConnect was lost: HoldTime says when it was answered.
		c.answer(cl, a, hold, haveHold, ts)
	case talking, unseen:
	default:
		return fmt.Errorf("call %s is not in conversation", cl.id)
	}
	end := ts
	if haveTalk {
		end = cl.answered.Add(talk)
	}
	end = cl.at(end)
	wrap := c.wrapFor(a, cl.queue)
	switch {
	case cl.state == unseen:
		c.endLeg(a, end, wrap, "")
		c.finish(cl)
	case strings.EqualFold(p.get("Reason"), "transfer"):
		c.endLeg(a, end, wrap, "")
		cl.state, cl.xferAt = transferring, end
		c.hold(cl, end.Add(c.transferWindow(cl)))
	default:
		c.endCall(cl, end, wrap)
		c.finish(cl)
	}
	return nil
}

// onlyCallOf is a's one call in conversation in queue q, nil when there
// is not exactly one.
func (c *Converter) onlyCallOf(a *agent, q string) *call {
	var found *call
	for _, cl := range c.calls {
		if cl.agent == a && cl.queue == q && (cl.state == talking || cl.state == unseen) {
			if found != nil {
				return nil
			}
			found = cl
		}
	}
	return found
}

// endCall ends a call in conversation at end; its wrap-up lasts wrap.
func (c *Converter) endCall(cl *call, end time.Time, wrap time.Duration) {
	c.wrapping.EndCall(c.push, cl.id, cl.agent, cl.agent.ID, end, wrap)
	c.endLeg(cl.agent, end, wrap, cl.id)
}

// endLeg ends agent a's part in a call at end: wrap-up for wrap (Asterisk
// applies it after a transfer too), then whatever the agent is next.
// callID names the call whose wrap-up ends with the agent's, if any.
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
		c.timers.Add(wrapEnd, timer{kind: wrapDone, agent: a, call: callID})
	}
}

// transferWindow is how long a transferred caller has to enter a queue.
func (c *Converter) transferWindow(cl *call) time.Duration {
	if _, ok := c.queues[strings.ToLower(cl.toExten)]; ok && cl.toExten != "" {
		return queueTransferWindow
	}
	return transferWindow
}

// transferTo: BlindTransfer and AttendedTransfer (12 and later, call
// events): where a call in conversation was sent. The AgentComplete with
// Reason transfer ends the leg, before or after this.
func (c *Converter) transferTo(name string, p packet) error {
	if !strings.EqualFold(p.get("Result"), "Success") {
		c.tally.Skip(name + " not done")
		return nil
	}
	var to, exten string
	if name == "BlindTransfer" {
		exten = p.get("Extension")
		to = exten
		if ctx := p.get("Context"); ctx != "" && to != "" {
			to += "@" + ctx
		}
	} else {
		switch p.get("DestType") {
		case "Threeway", "Fail":
			// The agent stays on the call (a three-way) or nothing moved.
			c.tally.Skip(name + " " + p.get("DestType"))
			return nil
		}
		exten = p.get("SecondTransfererExten")
		for _, k := range []string{"TransferTargetCallerIDNum", "SecondTransfererConnectedLineNum", "SecondTransfererExten", "DestApp"} {
			if v := p.get(k); v != "" && !strings.EqualFold(v, "<unknown>") {
				to = v
				break
			}
		}
	}
	ids := map[string]bool{}
	for _, k := range []string{"TransfereeUniqueid", "TransfererUniqueid", "OrigTransfererUniqueid", "SecondTransfererUniqueid"} {
		if v := p.get(k); v != "" {
			ids[v] = true
		}
	}
	for _, cl := range c.calls {
		if (cl.state == talking || cl.state == transferring) && (ids[cl.id] || cl.agentChan != "" && ids[cl.agentChan]) {
			cl.to, cl.toExten = source.Label(to), exten
			if cl.state == transferring && c.transferWindow(cl) > transferWindow {
				c.hold(cl, cl.xferAt.Add(queueTransferWindow))
			}
			return nil
		}
	}
	c.tally.Skip(name + " of no queue call")
	return nil
}

// leaveFloor: a transferred call entered no queue of the floor in time;
// it went to the transfer's destination.
func (c *Converter) leaveFloor(cl *call) {
	to := cl.to
	if to == "" {
		to = unknownDest
	}
	c.push(cl.at(cl.xferAt), &feed.Event{Type: feed.TypeTransferred, Call: cl.id, Agent: cl.agent.ID, To: to})
	c.finish(cl)
}
