package ami

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// snapshot is a QueueStatus list being read: every queue as Asterisk
// listed it, at the moment it answered (its Wait values count to then).
type snapshot struct {
	at      time.Time
	rows    int
	params  []paramsRow
	members []memberEntry
	entries []entryRow
}

type paramsRow struct {
	queue                       string
	serviceLevel                int64
	completed, abandoned        int64
	haveServiceLevel, haveCount bool
}

type memberEntry struct {
	queue, iface, name string
	row                memberRow
}

type entryRow struct {
	queue, id, caller string
	wait              time.Duration
}

// reconcile is a reconnect's snapshot being settled: calls gone from
// their queue wait for late events until deadline, and nothing after at
// is emitted meanwhile.
type reconcile struct {
	at, deadline time.Time
	moved        map[string]entryRow // calls now waiting in another queue
	gone         map[string]bool     // calls that left unseen, known so by a later Join
}

// BeginSnapshot starts a QueueStatus list, answered at at.
func (c *Converter) BeginSnapshot(at time.Time) {
	c.snap = &snapshot{at: at.Truncate(time.Second)}
}

// snapRow reads a QueueParams, QueueMember or QueueEntry list item.
func (c *Converter) snapRow(name string, p packet) error {
	s := c.snap
	if s == nil {
		c.tally.Skip(name + " outside a QueueStatus list")
		return nil
	}
	if s.rows >= maxSnapRows {
		return fmt.Errorf("a QueueStatus list of more than %d items", maxSnapRows)
	}
	q := p.get("Queue")
	if q == "" || len(q) > floor.MaxText {
		return fmt.Errorf("no Queue, or one longer than %d bytes", floor.MaxText)
	}
	s.rows++
	switch name {
	case "QueueParams":
		r := paramsRow{queue: q}
		var err error
		if r.serviceLevel, r.haveServiceLevel, err = number(p, "ServiceLevel"); err != nil {
			return err
		}
		c1, ok1, err := number(p, "Completed")
		if err != nil {
			return err
		}
		c2, ok2, err := number(p, "Abandoned")
		if err != nil {
			return err
		}
		r.completed, r.abandoned, r.haveCount = c1, c2, ok1 && ok2
		s.params = append(s.params, r)
	case "QueueMember":
		r, err := readMember(p, false)
		if err != nil {
			return err
		}
		s.members = append(s.members, memberEntry{queue: q, iface: memberIface(p), name: memberName(p), row: r})
	case "QueueEntry":
		id, err := callID(p)
		if err != nil {
			return err
		}
		wait, _, err := seconds(p, "Wait")
		if err != nil {
			return err
		}
		s.entries = append(s.entries, entryRow{queue: q, id: id, caller: source.Label(callerNum(p)), wait: wait})
	}
	return nil
}

// endSnapshot applies a QueueStatus list at its QueueStatusComplete. At
// the first connect it is the floor as found: goals, members, and callers
// already waiting, offered back-dated by their Wait. After a reconnect it
// is reconciled with what was emitted, so that no call is counted twice:
// a call still waiting is the same call; a conversation whose member is
// no longer in a call ended at the member's LastCall; a caller now
// waiting in a queue was transferred there; a call no longer anywhere
// left unseen, and after settle a snapshot line takes it off the floor
// without inventing an outcome. A PBX restart (FullyBooted's Uptime
// shorter than the outage, or its counters gone back) dropped every
// call: waiting ones are withdrawn and conversations ended at the loss.
func (c *Converter) endSnapshot() error {
	s := c.snap
	if s == nil {
		c.tally.Skip("QueueStatusComplete outside a QueueStatus list")
		return nil
	}
	c.snap = nil
	first := c.snapshots == 0
	c.snapshots++
	at, lost := s.at, c.down
	if lost.IsZero() || lost.After(at) {
		lost = at
	}
	c.down = time.Time{}
	restart := !first && c.restarted(s, lost)
	if !first {
		c.reconnects++
		if restart {
			c.restarts++
		}
	}
	// Configs go out with the oldest back-dated offer, so every call of
	// the list is held to its queue's goal.
	from := at
	for _, e := range s.entries {
		if off := at.Add(-e.wait); off.Before(from) {
			from = off
		}
	}
	c.snapQueues(s, from, restart)
	inCall, lastCall := c.snapMembers(s, from)
	if restart {
		for _, id := range c.callIDs() {
			c.dropped(c.calls[id], lost)
		}
	}
	listed := map[string]bool{}
	moved := map[string]entryRow{}
	for _, e := range s.entries {
		q, err := c.queueFor(e.queue, from)
		if err != nil {
			c.tally.Bad(c.tally.Lines, "QueueEntry: "+err.Error())
			continue
		}
		listed[e.id] = true
		off := at.Add(-e.wait)
		cl := c.calls[e.id]
		switch {
		case cl != nil && (cl.state == waiting || cl.state == leaving || cl.state == abandoning):
			if cl.queue != q.id {
				// It left its queue unseen and waits in another: the
				// reconcile snapshot moves it there.
				moved[cl.id] = e
				cl.queue, cl.offered, cl.last = q.id, off, off
			}
			delete(c.undecided, cl.id)
			cl.state = waiting
		default:
			if err := c.enter(e.id, q, e.caller, off); err != nil {
				c.tally.Bad(c.tally.Lines, "QueueEntry: "+err.Error())
			}
		}
	}
	vanishing := false
	if !first && !restart {
		for _, id := range c.callIDs() {
			if cl := c.calls[id]; !listed[id] {
				vanishing = c.settleGone(cl, inCall, lastCall, lost) || vanishing
			}
		}
	}
	// Wrap-ups of conversations ended above may be over already: they end
	// at their own time, before the agents are told how the list finds them.
	c.advance(at)
	for _, a := range c.roster.Agents() {
		a.unseen = inCall[a] && a.talking == 0
		if a.sent || len(a.queues) > 0 {
			c.touch(a, at)
		}
	}
	if vanishing || len(moved) > 0 {
		c.rec = &reconcile{at: at, deadline: at.Add(settle), moved: moved, gone: map[string]bool{}}
		c.timers.Add(c.rec.deadline, timer{kind: reconcileEnd})
	}
	return nil
}

// snapQueues applies the QueueParams: servicelevel and the PBX's counters.
func (c *Converter) snapQueues(s *snapshot, from time.Time, restart bool) {
	for _, r := range s.params {
		q, err := c.lookupQueue(r.queue)
		if err != nil {
			c.tally.Bad(c.tally.Lines, "QueueParams: "+err.Error())
			continue
		}
		if r.haveCount {
			if q.counted && !restart {
				c.gapCompleted += max(0, r.completed-q.completed)
				c.gapAbandoned += max(0, r.abandoned-q.abandoned)
			}
			q.completed, q.abandoned, q.counted = r.completed, r.abandoned, true
		}
		if r.haveServiceLevel {
			q.serviceLevel = float64(r.serviceLevel)
		}
		c.configure(q, from)
	}
}

// snapMembers makes the QueueMember list every agent's memberships, and
// says who is in a queue call and when each last ended one.
func (c *Converter) snapMembers(s *snapshot, from time.Time) (inCall map[*agent]bool, lastCall map[*agent]time.Time) {
	inCall, lastCall = map[*agent]bool{}, map[*agent]time.Time{}
	fresh := map[*agent]map[string]*membership{}
	for _, e := range s.members {
		q, err := c.lookupQueue(e.queue)
		if err == nil && q.sent == nil {
			c.configure(q, from)
		}
		var a *agent
		if err == nil {
			a, err = c.agentFor(e.iface, e.name)
		}
		if err != nil {
			c.tally.Bad(c.tally.Lines, "QueueMember: "+err.Error())
			continue
		}
		a.SeenMember = true
		ms := fresh[a]
		if ms == nil {
			ms = map[string]*membership{}
			fresh[a] = ms
		}
		if len(ms) >= maxSkills {
			c.tally.Bad(c.tally.Lines, fmt.Sprintf("QueueMember: agent %s is in more than %d queues", a.ID, maxSkills))
			continue
		}
		m := &membership{}
		ms[q.id] = m
		c.applyMember(a, q, m, e.row)
		inCall[a] = inCall[a] || e.row.inCall != 0
		if lc := time.Unix(e.row.lastCall, 0).UTC(); e.row.lastCall > 0 && lc.After(lastCall[a]) {
			lastCall[a] = lc
		}
	}
	for _, a := range c.roster.Agents() {
		if a.queues = fresh[a]; a.queues == nil {
			a.queues = map[string]*membership{}
		}
	}
	return inCall, lastCall
}

// settleGone decides what it can of a call the new list does not show,
// and reports whether it must wait for late events (vanished).
func (c *Converter) settleGone(cl *call, inCall map[*agent]bool, lastCall map[*agent]time.Time, lost time.Time) bool {
	switch cl.state {
	case waiting:
		cl.state = vanished
		return true
	case leaving:
		// Out of its queue at the loss: answered or gone by a key, unseen.
		if cl.deadline.IsZero() {
			delete(c.undecided, cl.id)
			cl.state = vanished
			return true
		}
	case transferring:
		// Not in a queue now: it has left the floor, unless the join
		// comes late.
		if cl.deadline.IsZero() {
			c.hold(cl, c.clock.Add(settle))
		}
	case talking:
		a := cl.agent
		switch {
		case inCall[a]:
			return false // still talking: its AgentComplete will come
		case !lastCall[a].Before(cl.answered):
			// update_queue stamps LastCall when the conversation ends.
			c.endCall(cl, cl.at(lastCall[a]), c.wrapFor(a, cl.queue))
			c.endedAtLastCall++
		default:
			c.endCall(cl, cl.at(lost), c.wrapFor(a, cl.queue))
			c.endedAtDrop++
		}
		c.finish(cl)
	case unseen:
		if !inCall[cl.agent] {
			end := lost
			if lc := lastCall[cl.agent]; lc.After(end) {
				end = lc
			}
			c.endLeg(cl.agent, cl.at(end), 0, "")
			c.finish(cl)
		}
	}
	return false
}

// dropped ends a call the PBX dropped by restarting, at lost.
func (c *Converter) dropped(cl *call, lost time.Time) {
	switch cl.state {
	case waiting, vanished:
		c.abandoned(cl, lost, feed.ReasonWithdraw)
	case leaving, abandoning, transferring:
		c.decideNow(cl)
	case talking:
		c.endCall(cl, cl.at(lost), c.wrapFor(cl.agent, cl.queue))
		c.finish(cl)
		c.endedAtDrop++
	case unseen:
		c.endLeg(cl.agent, cl.at(lost), 0, "")
		c.finish(cl)
	}
}

// restarted reports a PBX restart while the bridge was away: FullyBooted
// (a user reading system events gets it at login) with an Uptime shorter
// than the outage, or the PBX's own counters gone back.
func (c *Converter) restarted(s *snapshot, lost time.Time) bool {
	if !c.uptimeAt.IsZero() && !c.uptimeAt.Before(lost) && c.uptime <= s.at.Sub(lost)+settle {
		return true
	}
	for _, r := range s.params {
		q := c.queues[strings.ToLower(r.queue)]
		if q != nil && q.counted && r.haveCount && (r.completed < q.completed || r.abandoned < q.abandoned) {
			return true
		}
	}
	return false
}

// endReconcile takes the calls still gone off the floor with a snapshot
// line: the clients' floor as emitted, less those calls, with calls that
// moved to another queue waiting there. Nothing is counted for them: they
// stay offered, with no outcome.
func (c *Converter) endReconcile() {
	rec := c.rec
	c.rec = nil
	gone := rec.gone
	for _, id := range c.callIDs() {
		if cl := c.calls[id]; cl.state == vanished {
			gone[id] = true
			c.finish(cl)
		}
	}
	c.unresolved += int64(len(gone))
	c.releaseUntil(rec.at, false)
	snap := c.shadow.Snapshot()
	calls := snap.Calls[:0]
	for _, cs := range snap.Calls {
		if gone[cs.Call] {
			continue
		}
		if e, ok := rec.moved[cs.Call]; ok && cs.Answered.IsZero() {
			cs.Queue, cs.Offered = c.queues[strings.ToLower(e.queue)].id, rec.at.Add(-e.wait)
		}
		calls = append(calls, cs)
	}
	snap.Calls = calls
	ts := rec.at
	if ts.Before(c.released) {
		ts = c.released
	}
	c.released = ts
	c.send(&feed.Event{Type: feed.TypeSnapshot, TS: ts, Snapshot: &snap})
}

// lookupQueue is the queue of a QueueStatus list, made when new; its
// config goes out once the list has said its servicelevel.
func (c *Converter) lookupQueue(name string) (*queue, error) {
	if q, ok := c.queues[strings.ToLower(name)]; ok {
		return q, nil
	}
	if len(c.queues) >= maxQueues {
		return nil, fmt.Errorf("more than %d queues", maxQueues)
	}
	id := name
	if g, ok := c.goalCfg[strings.ToLower(name)]; ok {
		id = g.Queue
	}
	q := &queue{id: id}
	c.queues[strings.ToLower(name)] = q
	return q, nil
}

// callIDs are the calls followed, in a fixed order.
func (c *Converter) callIDs() []string {
	ids := make([]string, 0, len(c.calls))
	for id := range c.calls {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
