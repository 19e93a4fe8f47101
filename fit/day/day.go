// Package day reads a recording into the day it tells: each wait and
// conversation of each call (a leg), each agent's states, the misses, the
// surveys and a drill's actions, in the order they happened. It counts only
// what the fold applies, so a bad or duplicate line is no more part of the
// day here than in `status`. fit estimates a scenario from a Day; the
// debrief counts a Day's 15-minute intervals.
package day

import (
	"io"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Outcome is how a wait ended.
type Outcome uint8

const (
	Waiting   Outcome = iota // still waiting when the recording ends
	Answered                 // an agent picked it up
	Abandoned                // it left the queue unanswered (any reason)
)

// Leg is one wait of a call in a queue and, if answered, the conversation
// that followed. A transfer to a queue starts a new leg of the same call, a
// new offer there, as the contract counts it.
type Leg struct {
	Call, Queue, Channel, Caller string
	// Offered is when the wait began: the call's offer, or its transfer in.
	Offered time.Time
	// Transferred: the leg began with a transfer, not a call.offered.
	Transferred bool
	// Seen: the offer is on this feed; a call first listed by a snapshot
	// was offered before it, and so was its answer if it had one.
	Seen       bool
	AnswerSeen bool

	Outcome Outcome
	// At is when it was answered or abandoned.
	At     time.Time
	Reason string // why it was abandoned
	// Within: answered or abandoned within the goal in force then; Short:
	// a short abandon (the caller hung up before short_abandon_s).
	Within, Short bool
	Agent         string

	// Ended is when the conversation ended (call.ended, or a transfer);
	// TransferTo names the queue it went to, TransferOut a destination
	// outside the floor; Wrapped is when wrap-up was done.
	Ended       time.Time
	TransferTo  string
	TransferOut string
	Wrapped     time.Time
}

// Wait is how long the leg waited: until answered or abandoned, or until
// end while it still waits.
func (l *Leg) Wait(end time.Time) time.Duration {
	if l.Outcome == Waiting {
		return end.Sub(l.Offered)
	}
	return l.At.Sub(l.Offered)
}

// Period is a span an agent spent in one state; To is zero while the
// agent is still in it at the end of the recording.
type Period struct {
	State, Reason string
	Skills        []string
	From, To      time.Time
}

// Agent is one agent's day.
type Agent struct {
	ID, Name string
	Periods  []Period
}

// Miss is a call offered to an agent who did not answer.
type Miss struct {
	Agent, Queue string
	At           time.Time
}

// Day is what a recording tells.
type Day struct {
	// Start and End are the first and last applied event's ts.
	Start, End time.Time
	// Queues are the queues' goals as last configured, in the order the
	// queues were first named.
	Queues []feed.QueueConfig
	Legs   []*Leg // in the order their waits began on the feed
	Agents []*Agent
	Misses []Miss
	// Surveys and Comments count the surveys submitted and those with a
	// comment.
	Surveys, Comments int
	// Started is the drill.started line of a drill; Actions are its
	// drill.action lines, with their ts and seq.
	Started *feed.Event
	Actions []*feed.Event
	// Drills counts the drill.started lines: a recording of two runs has
	// two.
	Drills int
}

// reader builds a Day.
type reader struct {
	d        *Day
	queueIdx map[string]int
	agents   map[string]*Agent
	live     map[string]*Leg // waiting or in conversation
	wrapping map[string]*Leg
}

// Read folds every line of r into f as `status --replay` does, and returns
// the day told by the lines f applied.
func Read(r io.Reader, f *floor.Floor) (*Day, error) {
	rd := reader{d: &Day{}, queueIdx: map[string]int{}, agents: map[string]*Agent{},
		live: map[string]*Leg{}, wrapping: map[string]*Leg{}}
	err := live.ReadLines(r, func(line []byte) {
		if f.IngestLine(line, floor.Recording) == floor.Applied {
			d := feed.Decode(line)
			rd.apply(&d.Event)
		}
	})
	return rd.d, err
}

func (rd *reader) queue(id string) *feed.QueueConfig {
	i, ok := rd.queueIdx[id]
	if !ok {
		i = len(rd.d.Queues)
		rd.queueIdx[id] = i
		rd.d.Queues = append(rd.d.Queues, feed.DefaultQueueConfig(id))
	}
	return &rd.d.Queues[i]
}

func (rd *reader) agent(id string) *Agent {
	a := rd.agents[id]
	if a == nil {
		a = &Agent{ID: id}
		rd.agents[id] = a
		rd.d.Agents = append(rd.d.Agents, a)
	}
	return a
}

// setState closes the agent's current period and opens the next.
func (rd *reader) setState(a *Agent, state, reason string, skills []string, hasSkills bool, at time.Time) {
	if n := len(a.Periods); n > 0 {
		cur := &a.Periods[n-1]
		if !hasSkills {
			skills = cur.Skills
		}
		if cur.State == state && cur.Reason == reason && sameSkills(cur.Skills, skills) {
			return
		}
		cur.To = at
	}
	a.Periods = append(a.Periods, Period{State: state, Reason: reason, Skills: skills, From: at})
}

func sameSkills(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (rd *reader) offer(l *Leg) {
	rd.queue(l.Queue)
	rd.live[l.Call] = l
	rd.d.Legs = append(rd.d.Legs, l)
}

// settle ends a wait, judged against the goal in force now.
func (rd *reader) settle(l *Leg, ev *feed.Event, outcome Outcome) {
	cfg := rd.queue(l.Queue)
	threshold, _ := cfg.Goal(l.Channel)
	wait := ev.TS.Sub(l.Offered).Seconds()
	l.Outcome, l.At, l.AnswerSeen = outcome, ev.TS, outcome == Answered
	l.Within = wait <= threshold
	if outcome == Abandoned {
		l.Reason = ev.Reason
		l.Short = ev.Reason == feed.ReasonCaller && wait < cfg.ShortAbandonS
		delete(rd.live, l.Call)
	} else {
		l.Agent = ev.Agent
	}
}

// apply takes one event the fold applied, so it is consistent with what
// came before (a call answered was waiting, and so on). A call the fold
// knows and this reader does not (the fold started a new floor for a rerun
// in the same file) is skipped rather than trusted.
func (rd *reader) apply(ev *feed.Event) {
	d := rd.d
	if d.Start.IsZero() {
		d.Start = ev.TS
	}
	if ev.TS.After(d.End) {
		d.End = ev.TS
	}
	switch ev.Type {
	case feed.TypeQueueConfig:
		q := rd.queue(ev.Queue)
		name := q.Name
		*q = ev.Config
		if q.Name == "" {
			q.Name = name
		}
	case feed.TypeAgentState:
		a := rd.agent(ev.Agent)
		if ev.Name != "" {
			a.Name = ev.Name
		}
		rd.setState(a, ev.State, ev.Reason, ev.Skills, ev.HasSkills, ev.TS)
	case feed.TypeOffered:
		rd.offer(&Leg{Call: ev.Call, Queue: ev.Queue, Channel: ev.Channel, Caller: ev.Caller, Offered: ev.TS, Seen: true})
	case feed.TypeAnswered:
		if l := rd.live[ev.Call]; l != nil {
			rd.settle(l, ev, Answered)
		}
	case feed.TypeAbandoned:
		if l := rd.live[ev.Call]; l != nil {
			rd.settle(l, ev, Abandoned)
		}
	case feed.TypeMissed:
		d.Misses = append(d.Misses, Miss{Agent: ev.Agent, Queue: ev.Queue, At: ev.TS})
	case feed.TypeTransferred:
		l := rd.live[ev.Call]
		if l == nil {
			return
		}
		l.Ended = ev.TS
		delete(rd.live, ev.Call)
		if ev.Queue == "" {
			l.TransferOut = ev.To
			return
		}
		l.TransferTo = ev.Queue
		rd.offer(&Leg{Call: l.Call, Queue: ev.Queue, Channel: l.Channel, Caller: l.Caller,
			Offered: ev.TS, Transferred: true, Seen: true})
	case feed.TypeEnded:
		l := rd.live[ev.Call]
		if l == nil {
			return
		}
		l.Ended = ev.TS
		delete(rd.live, ev.Call)
		rd.wrapping[ev.Call] = l
	case feed.TypeWrapped:
		if l := rd.wrapping[ev.Call]; l != nil {
			l.Wrapped = ev.TS
			delete(rd.wrapping, ev.Call)
		}
	case feed.TypeSurvey:
		d.Surveys++
		if ev.Comment != "" {
			d.Comments++
		}
	case feed.TypeDrillStarted:
		d.Drills++
		if d.Started == nil {
			d.Started = copyEvent(ev)
		}
	case feed.TypeDrillAction:
		d.Actions = append(d.Actions, copyEvent(ev))
	case feed.TypeSnapshot:
		rd.snapshot(ev)
	}
}

// snapshot takes over a floor in progress: its queues' goals, its agents'
// states (from since) and its live calls, which were offered before it.
func (rd *reader) snapshot(ev *feed.Event) {
	s := ev.Snapshot
	for _, c := range s.Queues {
		*rd.queue(c.Queue) = c
	}
	for _, as := range s.Agents {
		a := rd.agent(as.Agent)
		if as.Name != "" {
			a.Name = as.Name
		}
		rd.setState(a, as.State, as.Reason, as.Queues, as.Queues != nil, as.Since)
	}
	clear(rd.live)
	clear(rd.wrapping)
	for _, c := range s.Calls {
		l := &Leg{Call: c.Call, Queue: c.Queue, Channel: c.Channel, Caller: c.Caller, Offered: c.Offered, Agent: c.Agent}
		if l.Channel == "" {
			l.Channel = feed.ChannelVoice
		}
		rd.offer(l)
		if c.Answered.IsZero() {
			continue
		}
		l.Outcome, l.At = Answered, c.Answered
		if !c.Ended.IsZero() {
			l.Ended = c.Ended
			delete(rd.live, c.Call)
			rd.wrapping[c.Call] = l
		}
	}
}

// copyEvent keeps an event and its drill fields past the decoder's reuse.
func copyEvent(ev *feed.Event) *feed.Event {
	c := *ev
	if ev.Drill != nil {
		dr := *ev.Drill
		c.Drill = &dr
	}
	return &c
}
