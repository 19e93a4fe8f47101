package simulator

import (
	"math"

	"github.com/floorwatch/floorwatch/feed"
)

// How a caller's mood turns into scores. Mood is the agent's own quality
// (fixed per agent, so accountability views see steady differences), less
// a penalty that grows with the wait, plus the caller's noise. A wait of
// waitPenaltyS costs one point of mood, at most maxWaitPenalty; one point
// of mood is worth about one CSAT point.
const (
	waitPenaltyS   = 90.0
	maxWaitPenalty = 3.0
	moodNoise      = 0.8
	longWaitS      = 60
)

var (
	praise    = []string{"Quick and friendly, thank you.", "Sorted in one call.", "Very helpful agent.", "Great service."}
	neutral   = []string{"Fine.", "Got there in the end.", "OK, nothing special."}
	complaint = []string{"Had to explain twice.", "Agent did not seem to know the answer.", "Not resolved.", "Rude."}
	waitMoan  = []string{"Waited far too long on hold.", "The hold music, forever.", "Nearly hung up waiting."}
)

// survey emits the caller's post-call survey for a call just wrapped.
func (s *Sim) survey(a *agentState, c *callState, q *queueState) {
	held := c.answered
	if c.calledBack != 0 {
		held = c.calledBack
	}
	waitS := float64(held-c.offered) / msPerS
	mood := a.quality - math.Min(maxWaitPenalty, waitS/waitPenaltyS) + moodNoise*normOf(c.who.draw(drawMood))
	sl := s.emitSlot(feed.TypeSurvey)
	ev := &sl.ev
	ev.Call, ev.Agent, ev.Queue = c.id, a.id, q.cfg.Queue
	sl.scores = [3]float64{
		clamp(math.Round(4.3+0.9*mood), 1, 5),
		clamp(math.Round(8.3+1.8*mood), 0, 10),
		clamp(math.Round(2.4-1.2*mood), 1, 7),
	}
	ev.CSAT, ev.NPS, ev.CES = &sl.scores[0], &sl.scores[1], &sl.scores[2]
	q.counters.Surveys++
	if c.who.draw(drawComment) < s.sc.Surveys.CommentRate {
		var pool []string
		switch csat := sl.scores[0]; {
		case csat <= 2 && waitS > longWaitS:
			pool = waitMoan
		case csat <= 2:
			pool = complaint
		case csat >= 4:
			pool = praise
		default:
			pool = neutral
		}
		ev.Comment = pool[int(c.who.draw(drawCommentPick)*float64(len(pool)))]
	}
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
