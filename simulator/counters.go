package simulator

import "github.com/floorwatch/floorwatch/feed"

// Counters are the simulator's own tallies for one queue, counted the way
// the contract counts (DESIGN.md "Metrics"), from the same millisecond
// instants it writes: a fold of the recording must arrive at the same.
type Counters struct {
	Queue  string
	Config feed.QueueConfig
	// Offered counts arrivals and transfers in.
	Offered        int64
	Answered       int64
	AnsweredWithin int64 // wait ≤ sl_threshold_s
	Abandoned      int64
	ShortAbandoned int64 // wait < short_abandon_s
	// AbandonedWithin counts abandons with wait ≤ sl_threshold_s, for the
	// abandons_in_sl_good mode.
	AbandonedWithin int64
	Missed          int64
	Transferred     int64 // conversations sent on from this queue
	Wrapped         int64
	Surveys         int64
	WaitMs          int64 // total wait of answered calls
	HandleMs        int64 // total answered → wrapped of wrapped calls
}

// ServiceLevel is the queue's service level by its sl_mode; ok is false
// with no denominator.
func (c Counters) ServiceLevel() (sl float64, ok bool) {
	var num, den int64
	switch c.Config.SLMode {
	case feed.ModeAnsweredOnly:
		num, den = c.AnsweredWithin, c.Answered
	case feed.ModeAbandonsInSLGood:
		num, den = c.AnsweredWithin+c.AbandonedWithin, c.Answered+c.Abandoned
	default:
		num, den = c.AnsweredWithin, c.Answered+c.Abandoned-c.ShortAbandoned
	}
	return ratio(float64(num), den)
}

// ASA is the mean wait of answered calls in seconds.
func (c Counters) ASA() (float64, bool) { return ratio(float64(c.WaitMs)/1000, c.Answered) }

// AHT is the mean answered-to-wrapped time in seconds.
func (c Counters) AHT() (float64, bool) { return ratio(float64(c.HandleMs)/1000, c.Wrapped) }

// AbandonRate is (abandoned − short) / (offered − short).
func (c Counters) AbandonRate() (float64, bool) {
	return ratio(float64(c.Abandoned-c.ShortAbandoned), c.Offered-c.ShortAbandoned)
}

func ratio(num float64, den int64) (float64, bool) {
	if den <= 0 {
		return 0, false
	}
	return num / float64(den), true
}

// Add sums two queues' counts (the floor's figures add the queues up).
func (c Counters) Add(o Counters) Counters {
	c.Offered += o.Offered
	c.Answered += o.Answered
	c.AnsweredWithin += o.AnsweredWithin
	c.Abandoned += o.Abandoned
	c.ShortAbandoned += o.ShortAbandoned
	c.AbandonedWithin += o.AbandonedWithin
	c.Missed += o.Missed
	c.Transferred += o.Transferred
	c.Wrapped += o.Wrapped
	c.Surveys += o.Surveys
	c.WaitMs += o.WaitMs
	c.HandleMs += o.HandleMs
	return c
}
