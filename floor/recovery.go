package floor

import (
	"slices"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// maxRecoveryItems bounds the day's recovery list. A floor of a few hundred
// agents loses a few hundred calls on a bad day; this keeps the day's list
// whole for floors fifty times that, at about 200 bytes an item.
const maxRecoveryItems = 20_000

// recoveryDay is the day's customers to win back: a ring of items, oldest
// first until it is full, and what it knows of the callers on it.
type recoveryDay struct {
	day     time.Time // the day (its start) the items belong to
	items   []RecoveryItem
	next    int   // once full, the oldest item, overwritten next
	dropped int64 // items let go today to keep the ring bounded
	// callers are the callers with an abandon on the list, so that their
	// next call is seen as a redial.
	callers map[string]*listedCaller
}

// listedCaller is one caller with abandons on the list.
type listedCaller struct {
	listed int     // their abandons on the list; forgotten at 0
	latest *Redial // their most recent call, updated as it goes on
}

// startDay empties the list when the floor's day has moved on.
func (r *recoveryDay) startDay(day time.Time) {
	if r.day.Equal(day) {
		return
	}
	clear(r.items)
	r.day, r.items, r.next, r.dropped = day, r.items[:0], 0, 0
	clear(r.callers)
}

// add lists an item of the day.
func (r *recoveryDay) add(day time.Time, it RecoveryItem) {
	r.startDay(day)
	if len(r.items) < maxRecoveryItems {
		r.items = append(r.items, it)
	} else {
		r.forget(r.items[r.next])
		r.items[r.next] = it
		r.next = (r.next + 1) % maxRecoveryItems
		r.dropped++
	}
	if it.Kind != RecoveryAbandon || it.Caller == "" {
		return
	}
	if r.callers == nil {
		r.callers = map[string]*listedCaller{}
	}
	lc := r.callers[it.Caller]
	if lc == nil {
		lc = &listedCaller{}
		r.callers[it.Caller] = lc
	}
	lc.listed++
}

// forget drops an overwritten item's hold on its caller.
func (r *recoveryDay) forget(it RecoveryItem) {
	if it.Kind != RecoveryAbandon || it.Caller == "" {
		return
	}
	if lc := r.callers[it.Caller]; lc != nil {
		if lc.listed--; lc.listed <= 0 {
			delete(r.callers, it.Caller)
		}
	}
}

// offered notes a call that is now on the floor (offered, or listed by a
// snapshot): when its caller has an abandon on the list and it is their
// most recent call, it is their redial and c keeps it up to date.
func (r *recoveryDay) offered(day time.Time, c *call) {
	r.startDay(day)
	if c.caller == "" {
		return
	}
	lc := r.callers[c.caller]
	if lc == nil {
		return
	}
	switch {
	case lc.latest != nil && lc.latest.Call == c.id:
		// The same call again (a snapshot after a resync): keep following it.
	case lc.latest != nil && c.offered.Before(lc.latest.At):
		return // an older call than the redial already known
	default:
		lc.latest = &Redial{Call: c.id, At: c.offered, Queue: c.queue.id}
	}
	c.redial = lc.latest
	c.followState()
}

// list is the day's items, newest first, each abandon with its caller's
// latest call since, copied so that a Report never changes, and how many
// the day has let go.
func (r *recoveryDay) list(day time.Time) (items []RecoveryItem, dropped int64) {
	if !r.day.Equal(day) {
		return []RecoveryItem{}, 0 // the list is of a day that is over
	}
	out := make([]RecoveryItem, 0, len(r.items))
	for i := range r.items {
		// Newest first: backwards from the slot before next.
		it := r.items[(r.next-1-i+2*len(r.items))%len(r.items)]
		if it.Kind == RecoveryAbandon && it.Caller != "" {
			if lc := r.callers[it.Caller]; lc != nil && lc.latest != nil &&
				lc.latest.Call != it.Call && !lc.latest.At.Before(it.At) {
				rd := *lc.latest
				it.Redial = &rd
			}
		}
		out = append(out, it)
	}
	// The ring is in arrival order, which is time order unless events came
	// out of order: sort only then.
	newestFirst := func(a, b RecoveryItem) int { return b.At.Compare(a.At) }
	if !slices.IsSortedFunc(out, newestFirst) {
		slices.SortStableFunc(out, newestFirst)
	}
	return out, r.dropped
}

// followState sets the redial c is (if any) to what c is doing now.
func (c *call) followState() {
	if c.redial == nil {
		return
	}
	switch c.state {
	case waiting:
		c.redial.Outcome, c.redial.Agent = RedialWaiting, ""
	case talking:
		c.redial.Outcome, c.redial.Agent = RedialAnswered, c.agent.id
	case wrapUp:
		c.redial.Outcome, c.redial.Agent = RedialEnded, c.agent.id
	}
	c.redial.Queue = c.queue.id
}

// followTransfer records on the redial c is (if any) that agent sent it to
// queue, or out of the floor to a destination.
func (c *call) followTransfer(agent, queue, to string) {
	if c.redial == nil {
		return
	}
	c.redial.Outcome, c.redial.Agent, c.redial.To = RedialTransferred, agent, to
	if queue != "" {
		c.redial.Queue = queue
	}
}

// followAbandon records on the redial c is (if any) that the caller left.
func (c *call) followAbandon() {
	if c.redial != nil {
		c.redial.Outcome, c.redial.Agent = RedialAbandoned, ""
	}
}

// maxDrillActions bounds the drill.action list: a drill's supervisor sends
// tens of commands; a thousand keeps every one of a long drill.
const maxDrillActions = 1000

// drillLog is what a drill feed said of the drill.
type drillLog struct {
	started *DrillStart
	actions []DrillAction // oldest first
	dropped int64
}

func (d *drillLog) apply(ev *feed.Event) {
	if ev.Type == feed.TypeDrillStarted {
		d.started = &DrillStart{At: ev.TS, Scenario: ev.Drill.Scenario, Seed: ev.Drill.Seed, Briefing: ev.Drill.Briefing}
		return
	}
	if len(d.actions) == maxDrillActions {
		d.actions = append(d.actions[:0], d.actions[1:]...)
		d.dropped++
	}
	c := ev.Drill
	a := DrillAction{At: ev.TS, ID: c.ID, By: c.By, Command: c.Command, Result: c.Result,
		Agent: c.Agent, Queues: slices.Clone(c.Queues), Count: c.Count, For: c.For, Queue: c.Queue, To: c.To}
	if c.AfterS != nil {
		a.AfterS = ptr(*c.AfterS)
	}
	d.actions = append(d.actions, a)
}

// maxFinishedCalls bounds how many finished calls' callers are remembered
// for their surveys: a survey comes minutes after its call, and this is
// hours of a large floor's calls, at under 100 bytes each.
const maxFinishedCalls = 20_000

// finishedCalls remembers who called on the calls that finished last, so
// that a low survey, which comes after its call has left the fold, still
// says whom to call back.
type finishedCalls struct {
	byCall map[string]finishedCall
	order  []string // call ids in the order they finished, a ring once full
	next   int      // once full, the oldest, forgotten next
}

type finishedCall struct{ caller, channel string }

// add remembers call c's caller, when it has one.
func (fc *finishedCalls) add(c *call) {
	if c.caller == "" {
		return
	}
	if fc.byCall == nil {
		fc.byCall = map[string]finishedCall{}
	}
	if _, ok := fc.byCall[c.id]; !ok {
		if len(fc.order) < maxFinishedCalls {
			fc.order = append(fc.order, c.id)
		} else {
			delete(fc.byCall, fc.order[fc.next])
			fc.order[fc.next] = c.id
			fc.next = (fc.next + 1) % maxFinishedCalls
		}
	}
	fc.byCall[c.id] = finishedCall{caller: c.caller, channel: c.channel}
}
