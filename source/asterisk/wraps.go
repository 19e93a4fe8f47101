package asterisk

import (
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// Wraps are the wrap-ups in progress of a converter's calls, by call id:
// who wraps up (A, the converter's own agent) and until when. The fold
// holds one wrap-up per call, ended by its call.wrapped.
type Wraps[A comparable] map[string]Wrap[A]

// Wrap is one call's wrap-up in progress.
type Wrap[A comparable] struct {
	End   time.Time
	Agent A
	ID    string // the agent's id on the feed
}

// EndCall ends call's conversation with agent a (id on the feed) at end,
// through push: a wrap-up the same call still had ends now, then
// call.ended, then call.wrapped at once when wrap is 0, else a wrap-up of
// wrap kept here until Done.
func (w Wraps[A]) EndCall(push func(time.Time, *feed.Event), call string, a A, id string, end time.Time, wrap time.Duration) {
	if old, ok := w[call]; ok {
		// The same call id ends again before its last wrap-up did.
		delete(w, call)
		push(end, &feed.Event{Type: feed.TypeWrapped, Call: call, Agent: old.ID})
	}
	push(end, &feed.Event{Type: feed.TypeEnded, Call: call, Agent: id})
	if wrap == 0 {
		push(end, &feed.Event{Type: feed.TypeWrapped, Call: call, Agent: id})
		return
	}
	w[call] = Wrap[A]{End: end.Add(wrap), Agent: a, ID: id}
}

// Done ends, through push, the wrap-up of call by a that is due at at;
// nothing when the call's wrap-up is another's by now (a later end of the
// same call id, or one already ended).
func (w Wraps[A]) Done(push func(time.Time, *feed.Event), call string, a A, at time.Time) {
	if cur, ok := w[call]; ok && cur.Agent == a && cur.End.Equal(at) {
		delete(w, call)
		push(at, &feed.Event{Type: feed.TypeWrapped, Call: call, Agent: cur.ID})
	}
}
