package floor

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

type queue struct {
	id      string
	cfg     feed.QueueConfig // as the feed says
	all     queueCounts
	today   queueCounts
	minutes countRing // a step a minute, for the sparklines and alerts
	// quarters reach back maxIntervalDays a quarter-hour at a time, for
	// intervals (intervals.go).
	quarters countRing
	// channels are the queue's counts by the calls' channel; the guard
	// bounds how many channels there are.
	channels map[string]*channelCounts
}

// channelCounts are a queue's counts of the calls of one channel.
type channelCounts struct{ all, today queueCounts }

// channel is the queue's counts of channel ch, made on first use.
func (q *queue) channel(ch string) *channelCounts {
	cc := q.channels[ch]
	if cc == nil {
		if q.channels == nil {
			q.channels = map[string]*channelCounts{}
		}
		cc = &channelCounts{}
		q.channels[ch] = cc
	}
	return cc
}

// maxAgentComments bounds the survey comments kept per agent for the day.
const maxAgentComments = 20

type agent struct {
	id, name      string
	state, reason string
	since         time.Time
	skills        []string
	all, today    agentCounts
	allTime       agentTime
	todayTime     agentTime
	// comments are today's surveys of this agent that carry a comment,
	// oldest first, at most maxAgentComments.
	comments []SurveyComment
	// intervals are the agent's closed states within the horizon, oldest
	// first, for rolling windows.
	intervals []interval
}

type interval struct {
	from, to      time.Time
	state, reason string
}

type callState uint8

const (
	waiting callState = iota
	talking
	wrapUp
)

type call struct {
	id       string
	queue    *queue
	state    callState
	offered  time.Time // when it started waiting in queue (reset by a transfer)
	answered time.Time
	ended    time.Time
	agent    *agent
	// channel and caller are the offer's, kept for the call's life.
	channel, caller string
	// redial is set when the call is a listed abandoned caller's latest
	// call: what becomes of the call is written there.
	redial *Redial
}

func (f *Floor) queue(id string) *queue {
	q := f.queues[id]
	if q == nil {
		q = &queue{id: id, cfg: feed.DefaultQueueConfig(id)}
		f.queues[id] = q
	}
	return q
}

func (f *Floor) agent(id string) *agent {
	a := f.agents[id]
	if a == nil {
		a = &agent{id: id, state: feed.StateOffline}
		f.agents[id] = a
	}
	return a
}

// goal is the queue's goal in force: the feed's, with the goals file's
// overrides.
func (f *Floor) goal(q *queue) feed.QueueConfig {
	if f.opts.Goals == nil {
		return q.cfg
	}
	return f.opts.Goals.queueGoal(q.cfg)
}

// count records a fact in the all-time and today counters, the minute and
// interval counts and the log.
func (f *Floor) count(fc fact) { f.countIn(fc, fc.at) }

// countIn is count with the instant whose interval counts the fact: an AHT
// sample counts in the interval in which its call was answered.
func (f *Floor) countIn(fc fact, interval time.Time) {
	var qa, qt *queueCounts
	var aa, at *agentCounts
	var spareQ queueCounts
	var spareA agentCounts
	qa, qt, aa, at = &spareQ, &spareQ, &spareA, &spareA
	if fc.q != nil {
		qa, qt = &fc.q.all, &fc.q.today
	}
	if fc.a != nil {
		aa, at = &fc.a.all, &fc.a.today
	}
	fc.addTo(qa, aa)
	fc.addTo(qt, at)
	if fc.q != nil {
		fc.q.minutes.add(fc.at.Unix()/60, &fc, f.ringMinutes)
		if fc.ch != "" {
			// A call's own fact: by channel, and in its interval.
			cc := fc.q.channel(fc.ch)
			fc.addTo(&cc.all, &spareA)
			fc.addTo(&cc.today, &spareA)
			if fc.q.quarters.add(quarterOf(interval), &fc, maxQuarters) {
				f.intervalsLost = true
			}
		}
	}
	f.log.add(fc, f.now.Add(-f.opts.Horizon))
}

// waitSince is the wait from start to ts; a clock that runs backwards
// between two events gives no wait rather than a negative one.
func waitSince(start, ts time.Time) float64 {
	if ts.Before(start) {
		return 0
	}
	return ts.Sub(start).Seconds()
}

// apply changes the floor by one shape-checked event, or says why the event
// contradicts the state (and then changes nothing).
func (f *Floor) apply(ev *feed.Event) error {
	switch ev.Type {
	case feed.TypeQueueConfig:
		f.advance(ev.TS)
		q := f.queue(ev.Queue)
		name := q.cfg.Name
		q.cfg = ev.Config
		if q.cfg.Name == "" {
			q.cfg.Name = name
		}
	case feed.TypeAgentState:
		f.advance(ev.TS)
		a := f.agent(ev.Agent)
		if ev.Name != "" {
			a.name = ev.Name
		}
		if ev.HasSkills {
			a.skills = skillSet(ev.Skills)
		}
		f.setState(a, ev.State, ev.Reason, ev.TS)
	case feed.TypeOffered:
		if c := f.calls[ev.Call]; c != nil {
			return contradiction("call", "call %q is already %s", ev.Call, c.describe())
		}
		f.advance(ev.TS)
		q := f.queue(ev.Queue)
		c := &call{id: ev.Call, queue: q, offered: ev.TS, channel: ev.Channel, caller: ev.Caller}
		f.calls[ev.Call] = c
		f.waiting++
		f.count(fact{at: ev.TS, kind: factOffered, q: q, ch: c.channel})
		f.recovery.offered(f.todayStart, c)
	case feed.TypeAnswered, feed.TypeMissed, feed.TypeAbandoned:
		c, err := f.waitingCall(ev)
		if err != nil {
			return err
		}
		f.advance(ev.TS)
		f.settle(c, ev)
	case feed.TypeTransferred, feed.TypeEnded:
		c := f.calls[ev.Call]
		if c == nil || c.state != talking {
			return contradiction("call", "call %q is not in conversation%s", ev.Call, c.describe2())
		}
		if c.agent.id != ev.Agent {
			return contradiction("agent", "call %q is in conversation with %q, not %q", ev.Call, c.agent.id, ev.Agent)
		}
		f.advance(ev.TS)
		if ev.Type == feed.TypeEnded {
			delete(f.calls, c.id)
			c.state, c.ended = wrapUp, ev.TS
			f.wrapping[c.id] = c
			c.followState()
			return nil
		}
		// The agent's leg ends with no wrap-up and no AHT sample (the answer
		// already counted in their handled).
		f.count(fact{at: ev.TS, kind: factTransferred, a: c.agent})
		if ev.Queue == "" {
			// Sent out of the floor (`to`): no new offer anywhere.
			c.followTransfer(c.agent.id, "", ev.To)
			delete(f.calls, c.id)
			return nil
		}
		// The call waits again in the target queue, a new offer there; a
		// target queue wins over a `to` on the same line.
		c.followTransfer(c.agent.id, ev.Queue, "")
		target := f.queue(ev.Queue)
		c.queue, c.state, c.offered, c.answered, c.agent = target, waiting, ev.TS, time.Time{}, nil
		f.waiting++
		f.count(fact{at: ev.TS, kind: factOffered, q: target, ch: c.channel})
	case feed.TypeWrapped:
		c := f.wrapping[ev.Call]
		if c == nil {
			return contradiction("call", "call %q is not in wrap-up", ev.Call)
		}
		if c.agent.id != ev.Agent {
			return contradiction("agent", "call %q is in wrap-up with %q, not %q", ev.Call, c.agent.id, ev.Agent)
		}
		f.advance(ev.TS)
		delete(f.wrapping, c.id)
		f.finished.add(c)
		f.countIn(fact{at: ev.TS, kind: factWrapped, q: c.queue, a: c.agent, v: waitSince(c.answered, ev.TS), ch: c.channel},
			c.answered)
	case feed.TypeSurvey:
		f.advance(ev.TS)
		q, a := f.queue(ev.Queue), f.agent(ev.Agent)
		fc := fact{at: ev.TS, kind: factSurvey, q: q, a: a, csat: score(ev.CSAT), nps: score(ev.NPS), ces: score(ev.CES)}
		f.count(fc)
		if f.lowScore(fc) {
			who := f.finished.byCall[ev.Call]
			f.recovery.add(f.todayStart, RecoveryItem{At: ev.TS, Kind: RecoverySurvey, Call: ev.Call, Queue: ev.Queue,
				Agent: ev.Agent, Caller: who.caller, Channel: who.channel, CSAT: ev.CSAT, NPS: ev.NPS, CES: ev.CES, Comment: ev.Comment})
		}
		if ev.Comment != "" {
			if len(a.comments) == maxAgentComments {
				a.comments = append(a.comments[:0], a.comments[1:]...)
			}
			a.comments = append(a.comments, SurveyComment{At: Time{ev.TS}, CSAT: ev.CSAT, NPS: ev.NPS, CES: ev.CES, Comment: ev.Comment})
		}
	case feed.TypeDrillAction, feed.TypeDrillStarted:
		// Known lines that change no figure: kept for the debrief.
		f.advance(ev.TS)
		f.drill.apply(ev)
	}
	return nil
}

func score(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func (f *Floor) waitingCall(ev *feed.Event) (*call, error) {
	c := f.calls[ev.Call]
	switch {
	case c == nil || c.state != waiting:
		return nil, contradiction("call", "call %q is not waiting%s", ev.Call, c.describe2())
	case c.queue.id != ev.Queue:
		return nil, contradiction("queue", "call %q is waiting in %q, not %q", ev.Call, c.queue.id, ev.Queue)
	}
	return c, nil
}

// settle applies an answer, miss or abandon to a waiting call. The call is
// held to its channel's goal in the queue where the queue lists one (short
// abandons keep the queue's short_abandon_s).
func (f *Floor) settle(c *call, ev *feed.Event) {
	g := f.goal(c.queue)
	threshold, goal := g.Goal(c.channel)
	target := billionths(goal)
	wait := waitSince(c.offered, ev.TS)
	var flags uint8
	if wait <= threshold {
		flags |= flagWithin
	}
	switch ev.Type {
	case feed.TypeAnswered:
		a := f.agent(ev.Agent)
		c.state, c.answered, c.agent = talking, ev.TS, a
		f.waiting--
		f.count(fact{at: ev.TS, kind: factAnswered, q: c.queue, a: a, v: wait, flags: flags, target: target, ch: c.channel})
		c.followState()
	case feed.TypeMissed:
		f.count(fact{at: ev.TS, kind: factMissed, a: f.agent(ev.Agent)})
	case feed.TypeAbandoned:
		// Every reason counts as abandoned, and within the goal when quick
		// enough; only a caller hanging up can be a short abandon. (The
		// decoder makes a missing reason ReasonCaller; the guard keeps one
		// copy of each reason and bounds how many there are.)
		reason := ev.Reason
		short := reason == feed.ReasonCaller && wait < g.ShortAbandonS
		if short {
			flags |= flagShort
		}
		delete(f.calls, c.id)
		f.waiting--
		f.count(fact{at: ev.TS, kind: factAbandoned, q: c.queue, v: wait, flags: flags, reason: reason, target: target, ch: c.channel})
		c.followAbandon()
		if f.listsAbandon(wait, short) {
			f.recovery.add(f.todayStart, RecoveryItem{At: ev.TS, Kind: RecoveryAbandon, Call: c.id, Queue: c.queue.id,
				Caller: c.caller, Channel: c.channel, Reason: reason, WaitS: wait})
		}
	}
}

// setState moves an agent to a new state at ts, closing the time spent in
// the old one.
func (f *Floor) setState(a *agent, state, reason string, ts time.Time) {
	if state == a.state && reason == a.reason && !a.since.IsZero() {
		return
	}
	f.closeInterval(a, ts)
	a.state, a.reason, a.since = state, reason, ts
}

func (f *Floor) closeInterval(a *agent, to time.Time) {
	from := a.since
	if a.state == feed.StateOffline || from.IsZero() || !to.After(from) {
		return
	}
	a.allTime.add(a.state, a.reason, to.Sub(from).Seconds())
	if tf := maxTime(from, f.todayStart); to.After(tf) {
		a.todayTime.add(a.state, a.reason, to.Sub(tf).Seconds())
	}
	horizonStart := f.now.Add(-f.opts.Horizon)
	drop := 0
	for drop < len(a.intervals) && a.intervals[drop].to.Before(horizonStart) {
		drop++
	}
	if drop > 0 {
		a.intervals = append(a.intervals[:0], a.intervals[drop:]...)
	}
	a.intervals = append(a.intervals, interval{from: from, to: to, state: a.state, reason: a.reason})
}

// skillSet copies an agent's skills without repeats, so that the agent
// counts once in each of its queues.
func skillSet(skills []string) []string {
	out := make([]string, 0, len(skills))
	for _, s := range skills {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (f *Floor) applySnapshot(ev *feed.Event) {
	f.advance(ev.TS)
	s := ev.Snapshot
	for _, qc := range s.Queues {
		f.queue(qc.Queue).cfg = qc
	}
	for _, as := range s.Agents {
		a := f.agent(as.Agent)
		if as.Name != "" {
			a.name = as.Name
		}
		if as.Queues != nil {
			a.skills = skillSet(as.Queues)
		}
		// What the agent did before the snapshot's `since` is the old state's.
		end := as.Since
		if end.After(ev.TS) {
			end = ev.TS
		}
		f.closeInterval(a, end)
		a.state, a.reason, a.since = as.State, as.Reason, as.Since
	}
	clear(f.calls)
	clear(f.wrapping)
	f.waiting = 0
	for _, cs := range s.Calls {
		c := &call{id: cs.Call, queue: f.queue(cs.Queue), offered: cs.Offered, answered: cs.Answered, ended: cs.Ended,
			channel: cs.Channel, caller: cs.Caller}
		c.queue.channel(c.channel) // listed by channel, though not offered on this feed
		if cs.Agent != "" {
			c.agent = f.agent(cs.Agent)
		}
		switch {
		case !cs.Ended.IsZero():
			c.state = wrapUp
			f.wrapping[c.id] = c
		case !cs.Answered.IsZero():
			c.state = talking
			f.calls[c.id] = c
		default:
			f.calls[c.id] = c
			f.waiting++
		}
		f.recovery.offered(f.todayStart, c)
	}
}

// Snapshot is the floor's current live state (feed.Tracker), as a feed
// server sends it to a client that cannot resume.
func (f *Floor) Snapshot() feed.Snapshot {
	s := feed.Snapshot{Queues: []feed.QueueConfig{}, Agents: []feed.AgentSnap{}, Calls: []feed.CallSnap{}}
	for _, id := range sortedKeys(f.queues) {
		s.Queues = append(s.Queues, f.queues[id].cfg)
	}
	onCall := f.agentCalls()
	for _, id := range sortedKeys(f.agents) {
		a := f.agents[id]
		since := a.since
		if since.IsZero() {
			since = f.now
		}
		s.Agents = append(s.Agents, feed.AgentSnap{Agent: a.id, Name: a.name, State: a.state, Since: since,
			Queues: append([]string{}, a.skills...), Reason: a.reason, Call: onCall[a].callID()})
	}
	for _, m := range []map[string]*call{f.calls, f.wrapping} {
		for _, id := range sortedKeys(m) {
			c := m[id]
			cs := feed.CallSnap{Call: c.id, Queue: c.queue.id, Offered: c.offered, Answered: c.answered, Ended: c.ended,
				Channel: c.channel, Caller: c.caller}
			if c.agent != nil {
				cs.Agent = c.agent.id
			}
			s.Calls = append(s.Calls, cs)
		}
	}
	return s
}

// agentCalls is the call each agent in conversation is on. An agent may be
// on several at once (chats): then the one answered first, and of those
// the first by id, so that every view names the same.
func (f *Floor) agentCalls() map[*agent]*call {
	out := map[*agent]*call{}
	for _, c := range f.calls {
		if c.state != talking {
			continue
		}
		if o := out[c.agent]; o == nil || c.answered.Before(o.answered) || c.answered.Equal(o.answered) && c.id < o.id {
			out[c.agent] = c
		}
	}
	return out
}

// callID is the call's id, "" for none.
func (c *call) callID() string {
	if c == nil {
		return ""
	}
	return c.id
}

func contradiction(field, format string, args ...any) error {
	return &feed.LineError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (c *call) describe() string {
	switch c.state {
	case waiting:
		return "waiting in " + c.queue.id
	case talking:
		return "in conversation with " + c.agent.id
	}
	return "in wrap-up"
}

// describe2 adds what the call is doing instead, if it is known at all.
func (c *call) describe2() string {
	if c == nil {
		return " (no such call is live)"
	}
	return " (it is " + c.describe() + ")"
}
