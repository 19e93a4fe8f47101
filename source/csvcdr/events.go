package csvcdr

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// A call's steps, in the order they happen; at the same instant an offer
// comes before its answer, the answer before its end.
const (
	stepOffered  = iota
	stepSettled  // answered or abandoned
	stepEnded    // answered calls only
	stepWrapped  // answered calls only
	stepsPerCall = 4
)

// step is one event of one record, as sorted: small, because a file's
// events are all held while they are put in time order.
type step struct {
	at   int64 // Unix ms
	rec  int32
	kind uint8
}

// event is the feed event of one step of r.
func (r *record) event(kind uint8) feed.Event {
	ev := feed.Event{Call: r.call, Queue: r.queue}
	switch kind {
	case stepOffered:
		ev.Type, ev.TS, ev.Channel, ev.Caller = feed.TypeOffered, ms(r.offered), r.channel, r.caller
	case stepSettled:
		ev.TS = ms(r.settled)
		if r.answered {
			ev.Type, ev.Agent = feed.TypeAnswered, r.agent
		} else {
			ev.Type, ev.Reason = feed.TypeAbandoned, r.reason
		}
	case stepEnded:
		ev.Type, ev.TS, ev.Agent, ev.Queue = feed.TypeEnded, ms(r.ended), r.agent, ""
	case stepWrapped:
		ev.Type, ev.TS, ev.Agent, ev.Queue = feed.TypeWrapped, ms(r.wrapped), r.agent, ""
	}
	return ev
}

func (r *record) steps() int {
	if r.answered {
		return stepsPerCall
	}
	return stepSettled + 1
}

// maxSkills is the most queues the fold takes in one agent's skills.
const maxSkills = 128

func ms(t int64) time.Time { return time.UnixMilli(t).UTC() }

// agentTrack derives an agent's state from their calls: the export knows no
// logins, pauses or states, only calls. An agent is on a call while any of
// theirs is in conversation, in wrap-up while any is, and between calls
// available if they answer another call the same day (in the map's zone),
// offline after their last call of the day. Overlapping calls of one agent
// (chats, or a system's own overlap) keep the busiest state.
type agentTrack struct {
	id, name          string
	skills            []string
	answers           []int64 // the agent's answer instants, in order
	next              int     // answers already made
	talking, wrapping int
	shown             string // the state last emitted
	introduced        bool   // the first state, with name and skills, is out
	dirty             bool
}

func (a *agentTrack) state(now int64, loc *time.Location) string {
	switch {
	case a.talking > 0:
		return feed.StateOnCall
	case a.wrapping > 0:
		return feed.StateWrapUp
	case a.next < len(a.answers) && sameDate(ms(a.answers[a.next]).In(loc), ms(now).In(loc)):
		return feed.StateAvailable
	}
	return feed.StateOffline
}

// emitAll puts the records' events in time order (stable: at one instant,
// offers first, then answers and abandons, ends and wrap-ups, each in file
// order) with the agents' derived states, and hands them to emit.
func emitAll(ctx context.Context, recs []record, loc *time.Location, emit func(*feed.Event)) error {
	n := 0
	for i := range recs {
		n += recs[i].steps()
	}
	steps := make([]step, 0, n)
	agents := map[string]*agentTrack{}
	for i := range recs {
		r := &recs[i]
		for k := range r.steps() {
			steps = append(steps, step{at: r.at(uint8(k)), rec: int32(i), kind: uint8(k)})
		}
		if !r.answered {
			continue
		}
		a := agents[r.agent]
		if a == nil {
			a = &agentTrack{id: r.agent, shown: feed.StateOffline}
			agents[r.agent] = a
		}
		if a.name == "" {
			a.name = r.name
		}
		if len(a.skills) < maxSkills && !slices.Contains(a.skills, r.queue) {
			a.skills = append(a.skills, r.queue)
		}
		a.answers = append(a.answers, r.settled)
	}
	slices.SortStableFunc(steps, func(a, b step) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.kind, b.kind))
	})
	for _, a := range agents {
		slices.Sort(a.answers)
		slices.Sort(a.skills)
	}

	// An agent's changes at one instant are shown once, after that
	// instant's call events: a wrap-up that ends as the next call is
	// answered shows no moment of availability.
	var dirty []*agentTrack
	var dirtyAt int64
	flush := func() {
		slices.SortFunc(dirty, func(a, b *agentTrack) int { return strings.Compare(a.id, b.id) })
		for _, a := range dirty {
			a.dirty = false
			st := a.state(dirtyAt, loc)
			if st == a.shown {
				continue
			}
			ev := feed.Event{Type: feed.TypeAgentState, TS: ms(dirtyAt), Agent: a.id, State: st}
			if !a.introduced {
				// The agent's first state names them and their skills.
				a.introduced = true
				ev.Name, ev.Skills, ev.HasSkills = a.name, a.skills, true
			}
			a.shown = st
			emit(&ev)
		}
		dirty = dirty[:0]
	}
	for i, s := range steps {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(dirty) > 0 && s.at > dirtyAt {
			flush()
		}
		r := &recs[s.rec]
		ev := r.event(s.kind)
		emit(&ev)
		if s.kind == stepOffered || !r.answered {
			continue
		}
		a := agents[r.agent]
		switch s.kind {
		case stepSettled:
			a.talking++
			a.next++
		case stepEnded:
			a.talking--
			a.wrapping++
		case stepWrapped:
			a.wrapping--
		}
		if !a.dirty {
			a.dirty = true
			dirty = append(dirty, a)
		}
		dirtyAt = s.at
	}
	flush()
	return nil
}

func (r *record) at(kind uint8) int64 {
	return [stepsPerCall]int64{r.offered, r.settled, r.ended, r.wrapped}[kind]
}
