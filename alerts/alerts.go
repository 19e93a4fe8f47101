// Package alerts follows goal breaches on the floor: when each began and
// ended on the floor clock, whether a supervisor has acknowledged it, and a
// cooldown so that a breach that flaps around its goal is one alert, not a
// stream of them. It is driven by successive floor.Reports and knows nothing
// of how alerts are shown.
package alerts

import (
	"fmt"
	"sort"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

// Kinds of breach.
const (
	// KindServiceLevel: the service level is below its goal.
	KindServiceLevel = "service_level"
	// KindLongWait: the oldest waiting call has waited LongWaitFactor times
	// the queue's answer-time threshold.
	KindLongWait = "long_wait"
	// KindUnderstaffed: Erlang C needs more agents than are staffed.
	KindUnderstaffed = "understaffed"
	// KindAbandonRate: too many callers hang up.
	KindAbandonRate = "abandon_rate"
)

// FloorSubject is the Subject of alerts about the whole floor.
const FloorSubject = "floor"

// Options tune when a breach counts. The zero value takes the defaults.
type Options struct {
	// Cooldown: a breach that comes back within this long (floor clock) of
	// its end reopens the same alert instead of raising a new one.
	Cooldown time.Duration
	// MinCalls is how many answered plus abandoned calls a service level or
	// abandon rate needs before it is judged; a handful of calls is noise.
	MinCalls int64
	// MaxAbandonRate is the highest acceptable abandon rate (0..1).
	MaxAbandonRate float64
	// LongWaitFactor times a queue's sl_threshold_s is a wait worth an alert.
	LongWaitFactor float64
	// Keep is how many ended alerts are remembered.
	Keep int
}

// Defaults for Options.
const (
	DefaultCooldown       = 5 * time.Minute
	DefaultMinCalls       = 10
	DefaultMaxAbandonRate = 0.05
	DefaultLongWaitFactor = 3
	DefaultKeep           = 200
)

func (o Options) withDefaults() Options {
	if o.Cooldown <= 0 {
		o.Cooldown = DefaultCooldown
	}
	if o.MinCalls <= 0 {
		o.MinCalls = DefaultMinCalls
	}
	if o.MaxAbandonRate <= 0 {
		o.MaxAbandonRate = DefaultMaxAbandonRate
	}
	if o.LongWaitFactor <= 0 {
		o.LongWaitFactor = DefaultLongWaitFactor
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	return o
}

// Alert is one goal breach.
type Alert struct {
	// Key names the breach: the same kind on the same subject has the same
	// key in every report.
	Key         string
	Kind        string
	Subject     string // a queue id, or FloorSubject
	SubjectName string
	// Detail is the figure against its goal, as last seen while active.
	Detail string
	Began  time.Time // floor clock
	Ended  time.Time // zero while the breach lasts
	Acked  bool
	// Returns counts how often the breach came back inside the cooldown.
	Returns int
}

// Active reports whether the breach is still going on.
func (a Alert) Active() bool { return a.Ended.IsZero() }

// Book is the alert history of one viewer. It is not safe for concurrent use:
// each dashboard keeps its own.
type Book struct {
	opts   Options
	alerts []*Alert // every remembered alert, in the order raised
	open   map[string]*Alert
	// last is the most recent alert for each key, active or ended, for the
	// cooldown.
	last map[string]*Alert
	now  time.Time
}

// New makes an empty Book.
func New(opts Options) *Book {
	return &Book{opts: opts.withDefaults(), open: map[string]*Alert{}, last: map[string]*Alert{}}
}

type breach struct {
	kind, subject, name, detail string
}

// breaches lists every goal the report shows broken: service level and
// abandon rate for the floor and each queue, long waits and staffing for
// each queue.
func (b *Book) breaches(r *floor.Report) []breach {
	var out []breach
	rates := func(subject, name string, m *floor.Metrics) {
		if m.Answered+m.Abandoned < b.opts.MinCalls {
			return
		}
		if m.ServiceLevel != nil && *m.ServiceLevel < m.SLTarget {
			out = append(out, breach{KindServiceLevel, subject, name,
				fmt.Sprintf("SL %.1f%% < goal %.0f%%", *m.ServiceLevel*100, m.SLTarget*100)})
		}
		if m.AbandonRate != nil && *m.AbandonRate > b.opts.MaxAbandonRate {
			out = append(out, breach{KindAbandonRate, subject, name,
				fmt.Sprintf("abandon %.1f%% > %.0f%%", *m.AbandonRate*100, b.opts.MaxAbandonRate*100)})
		}
	}
	rates(FloorSubject, "Floor", &r.Floor)
	for i := range r.Queues {
		q := &r.Queues[i]
		name := q.Label()
		rates(q.Queue, name, &q.Metrics)
		if limit := q.SLThresholdS * b.opts.LongWaitFactor; q.LongestWaitS != nil && *q.LongestWaitS >= limit {
			out = append(out, breach{KindLongWait, q.Queue, name,
				fmt.Sprintf("oldest call waiting %.0fs ≥ %.0fs", *q.LongestWaitS, limit)})
		}
		if n := q.AgentsNeeded; n != nil && *n > q.Staffed {
			out = append(out, breach{KindUnderstaffed, q.Queue, name,
				fmt.Sprintf("needs %d agents, %d staffed", *n, q.Staffed)})
		}
	}
	return out
}

// Observe compares a report with the alerts open so far: breaches that are
// new begin (or reopen inside the cooldown), breaches no longer shown end.
// It reports whether anything began or ended. Reports must come in floor
// clock order; an older one is ignored.
func (b *Book) Observe(r *floor.Report) bool {
	now := r.Now.Time
	if now.Before(b.now) {
		return false
	}
	b.now = now
	changed := false
	seen := map[string]bool{}
	for _, br := range b.breaches(r) {
		key := br.kind + ":" + br.subject
		seen[key] = true
		if a := b.open[key]; a != nil {
			a.Detail = br.detail
			continue
		}
		changed = true
		if prev := b.last[key]; prev != nil && now.Sub(prev.Ended) < b.opts.Cooldown {
			prev.Ended = time.Time{}
			prev.Detail = br.detail
			prev.Returns++
			b.open[key] = prev
			continue
		}
		a := &Alert{Key: key, Kind: br.kind, Subject: br.subject, SubjectName: br.name, Detail: br.detail, Began: now}
		b.alerts = append(b.alerts, a)
		b.open[key] = a
		b.last[key] = a
	}
	for key, a := range b.open {
		if !seen[key] {
			a.Ended = now
			delete(b.open, key)
			changed = true
		}
	}
	b.forget()
	return changed
}

// forget drops the oldest ended alerts beyond Keep.
func (b *Book) forget() {
	ended := len(b.alerts) - len(b.open)
	if ended <= b.opts.Keep {
		return
	}
	drop := ended - b.opts.Keep
	kept := b.alerts[:0]
	for _, a := range b.alerts {
		if drop > 0 && !a.Active() {
			drop--
			if b.last[a.Key] == a {
				delete(b.last, a.Key)
			}
			continue
		}
		kept = append(kept, a)
	}
	b.alerts = kept
}

// Ack acknowledges the alert with this key (active or not); it stays
// acknowledged if it returns inside the cooldown. It reports whether there
// was such an alert not yet acknowledged.
func (b *Book) Ack(key string) bool {
	a := b.last[key]
	if a == nil || a.Acked {
		return false
	}
	a.Acked = true
	return true
}

// AckAll acknowledges every active alert and says how many it did.
func (b *Book) AckAll() int {
	n := 0
	for _, a := range b.open {
		if !a.Acked {
			a.Acked = true
			n++
		}
	}
	return n
}

// Unacked counts the active alerts nobody has acknowledged.
func (b *Book) Unacked() int {
	n := 0
	for _, a := range b.open {
		if !a.Acked {
			n++
		}
	}
	return n
}

// Active counts the breaches going on now.
func (b *Book) Active() int { return len(b.open) }

// List is every remembered alert, as copies: active ones first (those not
// acknowledged before those that are, newest first), then ended ones, most
// recently ended first.
func (b *Book) List() []Alert {
	out := make([]Alert, len(b.alerts))
	for i, a := range b.alerts {
		out[i] = *a
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Active() != y.Active() {
			return x.Active()
		}
		if x.Active() {
			if x.Acked != y.Acked {
				return !x.Acked
			}
			return x.Began.After(y.Began)
		}
		return x.Ended.After(y.Ended)
	})
	return out
}
