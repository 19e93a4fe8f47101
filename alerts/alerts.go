// Package alerts is a viewer's book on the floor's alert log: which alerts
// a supervisor has acknowledged, and which are new since the book last
// looked, for a bell or a notification. The alerts themselves are judged
// in the fold (floor.Report.Alerts), minute by minute on the floor clock,
// so every viewer sees the same day whenever it connected; the goals
// file's `alerts:` section sets their thresholds. It knows nothing of how
// alerts are shown.
package alerts

import (
	"sort"
	"time"

	"github.com/floorwatch/floorwatch/floor"
)

// Kinds of breach, as the fold names them.
const (
	KindServiceLevel = floor.AlertServiceLevel
	KindLongWait     = floor.AlertLongWait
	KindUnderstaffed = floor.AlertUnderstaffed
	KindAbandonRate  = floor.AlertAbandonRate
	KindOccupancy    = floor.AlertOccupancy
	KindPauseOverrun = floor.AlertPauseOverrun
)

// FloorSubject is the Subject of alerts about the whole floor.
const FloorSubject = floor.FloorSubject

// Options configure a Book. The zero value is ready to use.
type Options struct {
	// By names whoever acknowledges with this book, on the alerts they
	// acknowledge; "" leaves acknowledgements unsigned.
	By string
	// Shared, when set, holds the acknowledgements of every book on the
	// same floor (the sessions of one server: live.Hub), so that an alert
	// one supervisor acknowledged shows as theirs to the others. Nil keeps
	// them in the book.
	Shared Acks
}

// Acks keep acknowledgements shared by several books.
type Acks interface {
	// AlertAcks is every acknowledgement, by alert key; the map is never
	// changed afterwards.
	AlertAcks() map[string]Ack
	// AckAlert acknowledges the alert key, by by, at at (floor clock).
	AckAlert(key, by string, at time.Time)
}

// Ack is one acknowledgement: when (on the floor clock) and by whom.
type Ack struct {
	At time.Time
	By string
}

// Alert is one of the floor's alerts as this book sees it.
type Alert struct {
	floor.Alert
	Acked   bool
	AckedAt time.Time // on the floor clock
	AckedBy string
}

// Book follows the floor's alert log for one viewer. It is not safe for
// concurrent use: each dashboard keeps its own.
type Book struct {
	opts   Options
	alerts []Alert        // the last report's log, with acknowledgements
	acks   map[string]Ack // this book's own, without Options.Shared
	// seen are the alerts this book has handed out as raised (or found
	// already over), so that each is raised once.
	seen  map[string]bool
	now   time.Time
	floor int // the report's NewFloor count: a new floor starts a new book
}

// New makes an empty Book.
func New(opts Options) *Book {
	return &Book{opts: opts, acks: map[string]Ack{}, seen: map[string]bool{}}
}

// Observe takes the alert log of a report and returns the alerts raised
// since the last report it observed, oldest first: for the bell and for
// notifications. While a report is still catching up with its feed it
// raises nothing (the morning's alerts are history, not news); the first
// caught-up report raises what is active then. Reports must come in floor
// clock order; an older one is ignored.
func (b *Book) Observe(r *floor.Report) (raised []Alert) {
	if n := newFloorCount(r); n != b.floor {
		*b = *New(b.opts)
		b.floor = n
	}
	if r.Now.Before(b.now) {
		return nil
	}
	b.now = r.Now.Time
	b.alerts = make([]Alert, len(r.Alerts))
	acks := b.acks
	if b.opts.Shared != nil {
		acks = b.opts.Shared.AlertAcks()
	}
	keep := make(map[string]Ack, len(b.acks))
	for i, fa := range r.Alerts {
		a := Alert{Alert: fa}
		if k, ok := acks[fa.Key]; ok {
			a.Acked, a.AckedAt, a.AckedBy = true, k.At, k.By
			keep[fa.Key] = k
		}
		b.alerts[i] = a
		if r.CaughtUp && !b.seen[fa.Key] {
			b.seen[fa.Key] = true
			if fa.Active() {
				raised = append(raised, a)
			}
		}
	}
	// Acknowledgements of alerts gone from the log are let go with them.
	b.acks = keep
	sort.SliceStable(raised, func(i, j int) bool { return raised[i].Began.Before(raised[j].Began) })
	return raised
}

func newFloorCount(r *floor.Report) int {
	if r.NewFloor == nil {
		return 0
	}
	return r.NewFloor.Count
}

// Ack acknowledges the alert with this key (active or not), at the floor
// clock of the last report; it stays acknowledged if it returns inside the
// cooldown. It reports whether there was such an alert not yet
// acknowledged.
func (b *Book) Ack(key string) bool {
	for i := range b.alerts {
		if a := &b.alerts[i]; a.Key == key && !a.Acked {
			b.ackAt(a)
			return true
		}
	}
	return false
}

func (b *Book) ackAt(a *Alert) {
	a.Acked, a.AckedAt, a.AckedBy = true, b.now, b.opts.By
	if b.opts.Shared != nil {
		b.opts.Shared.AckAlert(a.Key, b.opts.By, b.now)
		return
	}
	b.acks[a.Key] = Ack{At: b.now, By: b.opts.By}
}

// AckAll acknowledges every active alert and says how many it did.
func (b *Book) AckAll() int {
	n := 0
	for i := range b.alerts {
		if a := &b.alerts[i]; a.Active() && !a.Acked {
			b.ackAt(a)
			n++
		}
	}
	return n
}

// Unacked counts the active alerts nobody has acknowledged.
func (b *Book) Unacked() int {
	n := 0
	for _, a := range b.alerts {
		if a.Active() && !a.Acked {
			n++
		}
	}
	return n
}

// Active counts the breaches going on now.
func (b *Book) Active() int {
	n := 0
	for _, a := range b.alerts {
		if a.Active() {
			n++
		}
	}
	return n
}

// List is the day's alerts for the Alerts view: active ones first (those
// not acknowledged before those that are, newest first), then ended ones,
// most recently ended first. Report.Alerts is the same log in the order
// raised, newest first.
func (b *Book) List() []Alert {
	out := append([]Alert(nil), b.alerts...)
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
