package debrief

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
	"github.com/floorwatch/floorwatch/simulator"
)

// CallFigures are the call figures `status --json` gives a queue or the
// floor, under the same names.
type CallFigures struct {
	Offered           int64            `json:"offered"`
	Answered          int64            `json:"answered"`
	Abandoned         int64            `json:"abandoned"`
	ShortAbandoned    int64            `json:"short_abandoned"`
	AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
	AnsweredWithin    int64            `json:"answered_within"`
	ServiceLevel      *float64         `json:"service_level"`
	ASAS              *float64         `json:"asa_s"`
	AHTS              *float64         `json:"aht_s"`
	AbandonRate       *float64         `json:"abandon_rate"`
	Waiting           int              `json:"waiting"`
	LongestWaitS      *float64         `json:"longest_wait_s"`
}

func callFigures(m *floor.Metrics) CallFigures {
	return CallFigures{Offered: m.Offered, Answered: m.Answered, Abandoned: m.Abandoned,
		ShortAbandoned: m.ShortAbandoned, AbandonedByReason: m.AbandonedByReason, AnsweredWithin: m.AnsweredWithin,
		ServiceLevel: m.ServiceLevel, ASAS: m.ASAS, AHTS: m.AHTS, AbandonRate: m.AbandonRate,
		Waiting: m.Waiting, LongestWaitS: m.LongestWaitS}
}

// HungUp counts the callers who hung up while waiting, short abandons
// aside: the customers the floor lost. A call an overflow moved on
// (reason timeout) is not among them: it waits on in its new queue, where
// its outcome counts.
func (c *CallFigures) HungUp() int64 {
	return c.AbandonedByReason[feed.ReasonCaller] - c.ShortAbandoned
}

// Pair is a queue's or the floor's figures with the supervisor's actions
// and without them (the shadow floor).
type Pair struct {
	With    CallFigures `json:"with"`
	Without CallFigures `json:"without"`
}

// WithinGained is how many more callers were answered within the goal
// with the actions than without (negative: fewer).
func (p *Pair) WithinGained() int64 { return p.With.AnsweredWithin - p.Without.AnsweredWithin }

// HangupsAvoided is how many fewer callers hung up with the actions than
// without (negative: more).
func (p *Pair) HangupsAvoided() int64 { return p.Without.HungUp() - p.With.HungUp() }

// formulaExpr is the score's formula; termNotes say what each of its
// terms counts, and scoreNote why the formula is what it is, for a trainer
// who asks. The Markdown, the HTML and the JSON all carry them.
const formulaExpr = "score = within_gained + hangups_avoided − overtime_hours × calls_per_agent_hour"

var termNotes = [][2]string{
	{"within_gained", "callers answered within the goal with your actions, minus without them"},
	{"hangups_avoided", "callers who hung up without your actions, minus with them (short abandons aside)"},
	{"overtime_hours", "agent-hours of overtime you called in: count × for of each overtime taken"},
	{"calls_per_agent_hour", "3600 s ÷ the floor's AHT without your actions"},
}

const scoreNote = "A caller counts 1 for being answered within the goal and 1 for not being lost: " +
	"one saved from hanging up and answered in time counts 2. An hour of overtime is charged " +
	"the calls an agent handles in an hour: it has to do at least that much good. " +
	"Both sides meet the same callers (common random numbers), so every difference is your actions' doing. " +
	"Figures are counted as `status` counts them: a call an overflow moved is judged in the queue " +
	"that answered it, from when it got there."

// Formula is the score's formula in full, as the JSON carries it.
var Formula = func() string {
	terms := make([]string, len(termNotes))
	for i, t := range termNotes {
		terms[i] = t[0] + " = " + t[1]
	}
	return formulaExpr + ", where " + strings.Join(terms, "; ") + ". " + scoreNote
}()

// Terms are the score's terms, each as the formula names it.
type Terms struct {
	WithinGained   int64   `json:"within_gained"`
	HangupsAvoided int64   `json:"hangups_avoided"`
	OvertimeHours  float64 `json:"overtime_hours"`
	// CallsPerAgentHour is nil when the floor without the actions had no
	// handled call to take an AHT from; overtime then costs nothing, and
	// the score says so.
	CallsPerAgentHour *float64 `json:"calls_per_agent_hour"`
}

// Score is what the actions were worth, in callers, against the same
// callers with no action taken; and whether the drill's goal was met.
type Score struct {
	Points  float64     `json:"points"`
	Formula string      `json:"formula"`
	Terms   Terms       `json:"terms"`
	Goal    *GoalResult `json:"goal,omitempty"`
}

// GoalResult is the drill's goal judged on the figures with the actions,
// and on those without them (no overtime), so a trainee sees whether the
// goal needed acting at all.
type GoalResult struct {
	Text          string   `json:"text"`
	Queue         string   `json:"queue,omitempty"`
	Met           bool     `json:"met"`
	Missed        []string `json:"missed"`
	MetWithout    bool     `json:"met_without"`
	MissedWithout []string `json:"missed_without"`
}

// Comparison is the floor and its queues with and without the actions,
// and the score; what the dashboard shows beside the drill ("service
// level 78 % (without your actions 64 %)") and what the debrief reports.
type Comparison struct {
	Floor  Pair
	Queues []QueuePair
	Score  Score
}

// QueuePair is one queue's Pair.
type QueuePair struct {
	Queue string `json:"queue"`
	Name  string `json:"name"`
	Pair
}

// Compare sets the drill's floor (with) beside its shadow (without), both
// over the same span, and scores the actions; goal may be nil.
func Compare(with, without *floor.Report, actions []*feed.Drill, goal *simulator.GoalSpec) *Comparison {
	c := &Comparison{Floor: Pair{With: callFigures(&with.Floor), Without: callFigures(&without.Floor)}}
	withQ := map[string]*floor.QueueReport{}
	for i := range with.Queues {
		withQ[with.Queues[i].Queue] = &with.Queues[i]
	}
	// The shadow has every queue of the scenario; the drill's fold may lack
	// one no call reached yet: it is all zeros there.
	for i := range without.Queues {
		wq := &without.Queues[i]
		p := QueuePair{Queue: wq.Queue, Name: wq.Name, Pair: Pair{Without: callFigures(&wq.Metrics)}}
		if q := withQ[wq.Queue]; q != nil {
			p.With, p.Name = callFigures(&q.Metrics), q.Name
		} else {
			p.With = callFigures(&floor.Metrics{AbandonedByReason: map[string]int64{}})
		}
		c.Queues = append(c.Queues, p)
	}
	t := Terms{WithinGained: c.Floor.WithinGained(), HangupsAvoided: c.Floor.HangupsAvoided(),
		OvertimeHours: simulator.OvertimeHours(actions)}
	c.Score = Score{Formula: Formula, Terms: t, Points: float64(t.WithinGained + t.HangupsAvoided)}
	if aht := c.Floor.Without.AHTS; aht != nil && *aht > 0 {
		perHour := 3600 / *aht
		c.Score.Terms.CallsPerAgentHour = &perHour
		c.Score.Points -= t.OvertimeHours * perHour
	}
	if goal != nil {
		c.Score.Goal = c.judge(goal, t.OvertimeHours)
	}
	return c
}

// judge checks the goal on the goal's queue (or the floor), with the
// actions and without.
func (c *Comparison) judge(g *simulator.GoalSpec, overtime float64) *GoalResult {
	p := &c.Floor
	for i := range c.Queues {
		if c.Queues[i].Queue == g.Queue {
			p = &c.Queues[i].Pair
		}
	}
	r := &GoalResult{Text: safetext.Clean(g.Text), Queue: g.Queue}
	r.Met, r.Missed = g.Check(simulator.GoalFigures{ServiceLevel: p.With.ServiceLevel, AbandonRate: p.With.AbandonRate, OvertimeHours: overtime})
	r.MetWithout, r.MissedWithout = g.Check(simulator.GoalFigures{ServiceLevel: p.Without.ServiceLevel, AbandonRate: p.Without.AbandonRate})
	return r
}

// Headline is the comparison in one line, for a status bar: "service level
// 78.0% (without your actions 64.0%), 212 more callers answered within
// goal, 31 hang-ups avoided, 8 agent-hours of overtime".
func (c *Comparison) Headline() string {
	t := c.Score.Terms
	hours := "agent-hours"
	if t.OvertimeHours == 1 {
		hours = "agent-hour"
	}
	return fmt.Sprintf("service level %s (without your actions %s), %s answered within goal, %s, %s %s of overtime",
		floor.Pct(c.Floor.With.ServiceLevel), floor.Pct(c.Floor.Without.ServiceLevel),
		signed(t.WithinGained, "more callers", "fewer callers"), signed(t.HangupsAvoided, "hang-ups avoided", "more hang-ups"),
		trimFloat(t.OvertimeHours), hours)
}

// Short is Headline in the width of a small terminal: "SL 78.0% (without
// you 64.0%) · +212 in goal · 31 hang-ups avoided · 8 h overtime".
func (c *Comparison) Short() string {
	t := c.Score.Terms
	return fmt.Sprintf("SL %s (without you %s) · %+d in goal · %s · %s h overtime",
		floor.Pct(c.Floor.With.ServiceLevel), floor.Pct(c.Floor.Without.ServiceLevel), t.WithinGained,
		signed(t.HangupsAvoided, "hang-ups avoided", "more hang-ups"), trimFloat(t.OvertimeHours))
}

// signed writes n with the word for its direction: "12 more callers",
// "3 fewer callers".
func signed(n int64, up, down string) string {
	if n < 0 {
		return fmt.Sprintf("%d %s", -n, down)
	}
	return fmt.Sprintf("%d %s", n, up)
}

// trimFloat writes a figure with at most two decimals and no trailing
// zeros: 8, 2.5, 1.25.
func trimFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
