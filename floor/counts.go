package floor

import (
	"maps"
	"math"
	"time"
)

// queueCounts are the counted figures of a queue over some span.
type queueCounts struct {
	offered, answered, within     int64
	abandoned, short, abandonedIn int64            // abandonedIn: abandoned with wait within the goal
	byReason                      map[string]int64 // abandoned by reason; nil until one is
	waitSum                       float64
	handleSum                     float64
	handled                       int64 // wrapped calls with an AHT sample
	surveys                       survey
	// The service-level targets the answered, abandoned and short-abandoned
	// calls were held to, summed in billionths (integers add up exactly, so
	// calls all held to 0.8 have a mean of exactly 0.8): the goal of any
	// span is their mean over the calls its service level counts (slParts).
	targetAnswered, targetAbandoned, targetShort int64
}

// agentCounts are the counted figures of an agent over some span.
type agentCounts struct {
	handled, missed, transferred int64
	handleSum                    float64
	handleN                      int64
	surveys                      survey
}

// survey sums post-call scores.
type survey struct {
	n                     int64
	csatSum               float64
	csatN                 int64
	promoters, detractors int64
	npsN                  int64
	cesSum                float64
	cesN                  int64
}

func (s *survey) add(csat, nps, ces float64) {
	s.n++
	if !math.IsNaN(csat) {
		s.csatSum += csat
		s.csatN++
	}
	if !math.IsNaN(nps) {
		s.npsN++
		switch {
		case nps >= 9:
			s.promoters++
		case nps <= 6:
			s.detractors++
		}
	}
	if !math.IsNaN(ces) {
		s.cesSum += ces
		s.cesN++
	}
}

func (s *survey) merge(o survey) {
	s.n += o.n
	s.csatSum += o.csatSum
	s.csatN += o.csatN
	s.promoters += o.promoters
	s.detractors += o.detractors
	s.npsN += o.npsN
	s.cesSum += o.cesSum
	s.cesN += o.cesN
}

// agentTime is where an agent's staffed time went, in seconds.
type agentTime struct {
	available, busy, aux float64 // busy: on call or in wrap-up
	auxBy                map[string]float64
}

func (t *agentTime) add(state, reason string, secs float64) {
	if secs <= 0 {
		return
	}
	switch state {
	case "available":
		t.available += secs
	case "on_call", "wrap_up":
		t.busy += secs
	case "aux":
		t.aux += secs
		if t.auxBy == nil {
			t.auxBy = map[string]float64{}
		}
		t.auxBy[auxReason(reason)] += secs
	}
}

// clone is t with its own auxBy, for adding to without changing t.
func (t agentTime) clone() agentTime {
	t.auxBy = maps.Clone(t.auxBy)
	return t
}

func (t *agentTime) merge(o agentTime) {
	t.available += o.available
	t.busy += o.busy
	t.aux += o.aux
	for r, s := range o.auxBy {
		if t.auxBy == nil {
			t.auxBy = map[string]float64{}
		}
		t.auxBy[r] += s
	}
}

func auxReason(r string) string {
	if r == "" {
		return "unspecified"
	}
	return r
}

// factKind is what a fact records.
type factKind uint8

const (
	factOffered factKind = iota
	factAnswered
	factAbandoned
	factMissed
	factTransferred
	factWrapped
	factSurvey
)

// A fact is one counted happening, kept for the rolling windows. The same
// fact is added to the all-time and today counters when it happens and
// re-added from the log for a window, so every span counts the same way.
type fact struct {
	at    time.Time
	kind  factKind
	flags uint8 // next to kind, so the two share one word
	q     *queue
	a     *agent
	v     float64 // wait or handle time, seconds
	// target is the service-level target an answered or abandoned call was
	// held to, in billionths: its channel's in that queue, or the queue's.
	target int64
	// reason is an abandon's (one shared copy of each: the guard keeps them)
	reason string
	// ch is the call's channel, on the facts of a call (offer, answer,
	// abandon, wrap-up); one shared copy of each, like reason.
	ch string
	// survey scores, NaN when not asked
	csat, nps, ces float64
}

const (
	flagWithin uint8 = 1 << iota // answered or abandoned within the goal
	flagShort                    // a short abandon
)

func (fc *fact) addTo(qc *queueCounts, ac *agentCounts) {
	switch fc.kind {
	case factOffered:
		qc.offered++
	case factAnswered:
		qc.answered++
		qc.waitSum += fc.v
		qc.targetAnswered += fc.target
		if fc.flags&flagWithin != 0 {
			qc.within++
		}
		ac.handled++
	case factAbandoned:
		qc.abandoned++
		qc.targetAbandoned += fc.target
		if fc.flags&flagWithin != 0 {
			qc.abandonedIn++
		}
		if fc.flags&flagShort != 0 {
			qc.short++
			qc.targetShort += fc.target
		}
		if qc.byReason == nil {
			qc.byReason = map[string]int64{}
		}
		qc.byReason[fc.reason]++
	case factMissed:
		ac.missed++
	case factTransferred:
		ac.transferred++
	case factWrapped:
		qc.handled++
		qc.handleSum += fc.v
		ac.handleN++
		ac.handleSum += fc.v
	case factSurvey:
		qc.surveys.add(fc.csat, fc.nps, fc.ces)
		ac.surveys.add(fc.csat, fc.nps, fc.ces)
	}
}

// factLog keeps the facts of the horizon, oldest first. Facts older than the
// horizon are dropped as new ones come, so its size follows the floor's
// rate, not the length of the shift.
type factLog struct {
	facts []fact
	head  int // facts[head:] are live
}

func (l *factLog) add(fc fact, horizonStart time.Time) {
	for l.head < len(l.facts) && l.facts[l.head].at.Before(horizonStart) {
		l.facts[l.head] = fact{}
		l.head++
	}
	// Reuse the dropped front once it is half the slice.
	if l.head > 0 && l.head >= len(l.facts)/2 {
		n := copy(l.facts, l.facts[l.head:])
		clear(l.facts[n:])
		l.facts = l.facts[:n]
		l.head = 0
	}
	l.facts = append(l.facts, fc)
}

func (l *factLog) live() []fact { return l.facts[l.head:] }
