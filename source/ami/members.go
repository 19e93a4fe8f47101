package ami

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
)

// queue is a queue of the PBX and what the feed was told of it.
type queue struct {
	id string
	// serviceLevel is queues.conf's servicelevel (QueueParams
	// ServiceLevel), in seconds; 0 when unset.
	serviceLevel float64
	sent         *feed.QueueConfig
	// completed and abandoned are the PBX's own counters (QueueParams
	// Completed and Abandoned) as they should stand after the events seen;
	// a reconnect compares them with the new list.
	completed, abandoned int64
	counted              bool // the counters come from a QueueStatus list
	memberWrap           bool // a member of it has a Wrapuptime of their own
}

// configure announces q's goal if it changed: the --goals file's, with the
// PBX's servicelevel as the threshold where the file gives none.
func (c *Converter) configure(q *queue, at time.Time) {
	k := strings.ToLower(q.id)
	cfg, ok := c.goalCfg[k]
	if !ok {
		cfg = feed.DefaultQueueConfig(q.id)
	}
	if q.serviceLevel > 0 && (c.goals == nil || c.goals.Queues[cfg.Queue].SLThresholdS == nil) {
		cfg.SLThresholdS = q.serviceLevel
	}
	if q.sent != nil && reflect.DeepEqual(*q.sent, cfg) {
		return
	}
	q.sent = &cfg
	c.push(at, &feed.Event{Type: feed.TypeQueueConfig, Queue: q.id, Config: cfg})
}

// Device states of a member's interface (QueueMemberStatus Status, as
// AST_DEVICE_* numbers them) that change an agent's state; the others are
// unknown (0, a Local member with no state interface), not in use (1) and
// ringing (6), none of which stops the agent taking a call.
const (
	devInUse       = 2
	devBusy        = 3
	devInvalid     = 4
	devUnavailable = 5
	devRingInUse   = 7
	devOnHold      = 8
)

// agent is one agent as the PBX shows them, and what the feed was last
// told of them. Asterisk has one member per queue; they share the agent's
// device.
type agent struct {
	asterisk.Ident

	queues      map[string]*membership // by queue id
	status      int64                  // device state
	talking     int                    // queue calls in conversation the bridge follows
	unseen      bool                   // on a queue call the bridge did not see begin (InCall at connect)
	wrapUntil   time.Time
	pauseReason string // the latest pause's

	last                              time.Time // its newest event: an agent's events never go back in time
	sentState, sentReason, sentQueues string
	sent                              bool
}

// membership is an agent's member entry in one queue.
type membership struct {
	paused bool
	reason string
	wrap   time.Duration // the member's own Wrapuptime (16+); 0: the queue's
}

func newAgent(id string) *agent {
	return &agent{Ident: asterisk.Ident{ID: id}, queues: map[string]*membership{}}
}

// state is what the agent is doing at ts. A queue call and its wrap-up
// come first, so a pause during a call shows when it is over; a phone in
// use on a call that is not a queue's makes an otherwise available agent
// on_call, as they cannot take one.
func (a *agent) state(ts time.Time) (state, reason string) {
	switch {
	case a.talking > 0 || a.unseen:
		return feed.StateOnCall, ""
	case ts.Before(a.wrapUntil):
		return feed.StateWrapUp, ""
	case len(a.queues) == 0 || a.status == devInvalid || a.status == devUnavailable:
		return feed.StateOffline, ""
	case a.allPaused():
		return feed.StateAux, a.pauseReason
	case a.status == devInUse || a.status == devBusy || a.status == devRingInUse || a.status == devOnHold:
		return feed.StateOnCall, ""
	}
	return feed.StateAvailable, ""
}

// allPaused: paused in every queue they are in, so they take no call.
func (a *agent) allPaused() bool {
	for _, m := range a.queues {
		if !m.paused {
			return false
		}
	}
	return len(a.queues) > 0
}

// touch tells the feed the agent's state at ts, if it changed.
func (c *Converter) touch(a *agent, ts time.Time) {
	state, reason := a.state(ts)
	skills := make([]string, 0, len(a.queues))
	for q := range a.queues {
		skills = append(skills, q)
	}
	sort.Strings(skills)
	queues := strings.Join(skills, "\n")
	if a.sent && state == a.sentState && reason == a.sentReason && queues == a.sentQueues {
		return
	}
	a.sent, a.sentState, a.sentReason, a.sentQueues = true, state, reason, queues
	if ts.Before(a.last) {
		ts = a.last
	}
	a.last = ts
	c.push(ts, &feed.Event{Type: feed.TypeAgentState, Agent: a.ID, Name: a.Name, State: state,
		Reason: reason, Skills: skills, HasSkills: true})
}

// agentFor is the agent an interface and a member name stand for, made
// when new: every member event and agent event names both (but 11's
// QueueMemberRemoved may lack the name), so they are joined here. The
// member name is the id, as Asterisk shows it to people.
func (c *Converter) agentFor(iface, name string) (*agent, error) {
	for _, n := range []string{iface, name} {
		if len(n) > floor.MaxText {
			return nil, fmt.Errorf("a member name or interface of %d bytes; at most %d", len(n), floor.MaxText)
		}
	}
	var a *agent
	ok := false
	for _, n := range []string{name, iface} {
		if n != "" && !ok {
			a, ok = c.roster.Find(n)
		}
	}
	if !ok {
		first := name
		if first == "" {
			first = iface
		}
		if first == "" {
			return nil, fmt.Errorf("no MemberName or Interface")
		}
		if a, ok = c.roster.Get(first); !ok {
			return nil, fmt.Errorf("more than %d agents", asterisk.MaxAgents)
		}
	}
	c.roster.Index(a, name)
	c.roster.Index(a, iface)
	return a, nil
}

// agentIn is the agent an event names, a member of q by that event
// (queues.conf members are in the QueueStatus list, but a member added
// while the bridge was away first shows in an event).
func (c *Converter) agentIn(p packet, q *queue, ts time.Time) (*agent, error) {
	a, err := c.agentFor(memberIface(p), memberName(p))
	if err != nil {
		return nil, err
	}
	if _, ok := a.queues[q.id]; !ok {
		if len(a.queues) >= maxSkills {
			return nil, fmt.Errorf("agent %s is in more than %d queues", a.ID, maxSkills)
		}
		a.queues[q.id] = &membership{}
		c.touch(a, ts)
	}
	return a, nil
}

// member: QueueMemberAdded, QueueMemberRemoved, QueueMemberStatus and
// QueueMemberPause (QueueMemberPaused in 11 and 12.0–12.1): membership,
// the device's state, pauses and their reasons. From 12 on each carries
// the whole member (Status, Paused, PausedReason from 13, Wrapuptime from
// 16); 11's carry less, and what a packet lacks is kept.
func (c *Converter) member(name string, p packet, ts time.Time) error {
	q, err := c.queueFor(p.get("Queue"), ts)
	if err != nil {
		return err
	}
	a, err := c.agentFor(memberIface(p), memberName(p))
	if err != nil {
		return err
	}
	a.SeenMember = true
	if name == "QueueMemberRemoved" {
		delete(a.queues, q.id)
		c.touch(a, ts)
		return nil
	}
	m := a.queues[q.id]
	if m == nil {
		if len(a.queues) >= maxSkills {
			return fmt.Errorf("agent %s is in more than %d queues", a.ID, maxSkills)
		}
		m = &membership{}
		a.queues[q.id] = m
	}
	row, err := readMember(p, name == "QueueMemberPause")
	if err != nil {
		return err
	}
	c.applyMember(a, q, m, row)
	if row.haveInCall && row.inCall == 0 {
		a.unseen = false
	}
	c.touch(a, ts)
	return nil
}

// memberRow is what a member event or QueueMember list item says.
type memberRow struct {
	status, paused, wrap, inCall, lastCall       int64
	haveStatus, havePaused, haveWrap, haveInCall bool
	reason                                       string
}

// readMember reads a member's fields; pauseEvent reads Reason too, the
// pause reason's header on QueueMemberPause(d) before PausedReason (13).
func readMember(p packet, pauseEvent bool) (r memberRow, err error) {
	if r.status, r.haveStatus, err = number(p, "Status"); err != nil {
		return r, err
	}
	if r.paused, r.havePaused, err = number(p, "Paused"); err != nil {
		return r, err
	}
	if r.wrap, r.haveWrap, err = number(p, "Wrapuptime"); err != nil {
		return r, err
	}
	if r.inCall, r.haveInCall, err = number(p, "InCall", "IsInCall"); err != nil {
		return r, err
	}
	if r.lastCall, _, err = number(p, "LastCall"); err != nil {
		return r, err
	}
	r.reason = p.get("PausedReason")
	if r.reason == "" && pauseEvent {
		r.reason = p.get("Reason")
	}
	r.reason = source.Label(r.reason)
	return r, nil
}

// applyMember sets a member entry from a row.
func (c *Converter) applyMember(a *agent, q *queue, m *membership, r memberRow) {
	if r.haveStatus {
		a.status = r.status
	}
	if r.havePaused {
		m.paused = r.paused != 0
		m.reason = ""
		if m.paused {
			m.reason = r.reason
			a.pauseReason = r.reason
		}
	}
	if r.haveWrap {
		m.wrap = time.Duration(min(r.wrap, maxSeconds)) * time.Second
		q.memberWrap = q.memberWrap || m.wrap > 0
	}
}

// wrapFor is a's wrap-up after a call of queue q: the member's own
// Wrapuptime, else the queue's wrap_s from --goals (AMI does not report
// queues.conf's wrapuptime).
func (c *Converter) wrapFor(a *agent, q string) time.Duration {
	if m := a.queues[q]; m != nil && m.wrap > 0 {
		return m.wrap
	}
	return c.goals.WrapUp(q)
}

// nobodyIn reports that no member of queue q can take a call: each is
// paused there or its device unreachable (or there is none). Members on a
// call count as present, as leavewhenempty counts them.
func (c *Converter) nobodyIn(q string) bool {
	for _, a := range c.roster.Agents() {
		if m := a.queues[q]; m != nil && !m.paused && a.status != devInvalid && a.status != devUnavailable {
			return false
		}
	}
	return true
}
