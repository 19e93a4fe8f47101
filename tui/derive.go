package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// agentSort is one order of the Agents view.
type agentSort struct {
	name string
	less func(a, b *floor.AgentReport) int
}

// byOpt orders optional figures, missing ones last whatever the direction.
func byOpt(a, b *float64, desc bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	if desc {
		return cmp.Compare(*b, *a)
	}
	return cmp.Compare(*a, *b)
}

var stateOrder = map[string]int{feed.StateAux: 0, feed.StateAvailable: 1, feed.StateOnCall: 2, feed.StateWrapUp: 3, feed.StateOffline: 4}

// agentSorts are the orders `s` cycles through; each puts the agents most
// worth a supervisor's look first.
var agentSorts = []agentSort{
	{"attention", attentionOrder},
	{"name", func(a, b *floor.AgentReport) int { return cmp.Compare(a.Label(), b.Label()) }},
	{"state", func(a, b *floor.AgentReport) int {
		return cmp.Or(cmp.Compare(stateOrder[a.State], stateOrder[b.State]), cmp.Compare(b.StateS, a.StateS))
	}},
	{"handled", func(a, b *floor.AgentReport) int { return cmp.Compare(b.Handled, a.Handled) }},
	{"aht", func(a, b *floor.AgentReport) int { return byOpt(a.AHTS, b.AHTS, true) }},
	{"csat", func(a, b *floor.AgentReport) int { return byOpt(a.CSAT, b.CSAT, false) }},
	{"missed", func(a, b *floor.AgentReport) int { return cmp.Compare(b.Missed, a.Missed) }},
	{"aux", func(a, b *floor.AgentReport) int { return cmp.Compare(b.AuxS, a.AuxS) }},
	{"occupancy", func(a, b *floor.AgentReport) int { return byOpt(a.Occupancy, b.Occupancy, false) }},
}

// attentionOrder: agents off the most goals first, then the longest in aux,
// then by name; offline agents last.
func attentionOrder(a, b *floor.AgentReport) int {
	ao, bo := a.State == feed.StateOffline, b.State == feed.StateOffline
	if ao != bo {
		if ao {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(len(b.Flags), len(a.Flags)),
		cmp.Compare(auxNow(b), auxNow(a)),
		cmp.Compare(a.Label(), b.Label()))
}

func auxNow(a *floor.AgentReport) float64 {
	if a.State == feed.StateAux {
		return a.StateS
	}
	return 0
}

// queueGap is how far a queue's service level is below its goal (negative
// when above; zero when there is no service level yet).
func queueGap(q *floor.QueueReport) float64 {
	if q.ServiceLevel == nil {
		return 0
	}
	return q.SLTarget - *q.ServiceLevel
}

// worstFirst orders queues: furthest below goal, then the longest wait, then
// the most calls waiting.
func worstFirst(a, b *floor.QueueReport) int {
	lw := func(q *floor.QueueReport) float64 {
		if q.LongestWaitS == nil {
			return 0
		}
		return *q.LongestWaitS
	}
	return cmp.Or(cmp.Compare(queueGap(b), queueGap(a)), cmp.Compare(lw(b), lw(a)),
		cmp.Compare(b.Waiting, a.Waiting), cmp.Compare(a.Queue, b.Queue))
}

// priorSurveys is the weight, in surveys, of the team's mean in the CSAT
// Recognition ranks by: a Bayesian average, (n·mean + k·team) / (n + k).
// One 5-star survey then ranks as a little above the team, not first; an
// agent's own mean takes over as their surveys add up.
const priorSurveys = 5

// rankCSAT is an agent's CSAT as Recognition ranks it, nil without surveys.
func rankCSAT(a *floor.AgentReport, team *float64) *float64 {
	if a.CSAT == nil || a.Surveys == 0 {
		return nil
	}
	if team == nil {
		return a.CSAT
	}
	n := float64(a.Surveys)
	v := (n**a.CSAT + priorSurveys**team) / (n + priorSurveys)
	return &v
}

// leaderOrder ranks the best service: highest ranked CSAT (agents with
// surveys first), then the most goals met, then the most calls handled.
func leaderOrder(team *float64) func(a, b *floor.AgentReport) int {
	return func(a, b *floor.AgentReport) int {
		return cmp.Or(byOpt(rankCSAT(a, team), rankCSAT(b, team), true), cmp.Compare(goalsMet(b), goalsMet(a)),
			cmp.Compare(b.Handled, a.Handled), cmp.Compare(a.Label(), b.Label()))
	}
}

// goalFlags are the flags that stand for a goal of goalsSet; the others
// ("pause": a pause over its plan) are no goal of the day's.
var goalFlags = []string{"aht", "csat", "aux", "missed", "occupancy"}

// goalsSet counts the goals an agent is held to; goalsMet those not flagged.
func goalsSet(a *floor.AgentReport) int {
	g := a.Goals
	n := 0
	for _, set := range []bool{g.AHTS != nil, g.CSAT != nil, g.AuxS != nil, g.Missed != nil, g.Occupancy != nil} {
		if set {
			n++
		}
	}
	return n
}

func goalsMet(a *floor.AgentReport) int {
	n := goalsSet(a)
	for _, f := range a.Flags {
		if slices.Contains(goalFlags, f) {
			n--
		}
	}
	return n
}

// matches is the `/` filter: every word must appear in the agent's id, name,
// state, aux reason, skills or flags.
func matches(a *floor.AgentReport, words []string) bool {
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join([]string{a.Agent, a.Name, stateLabel(a.State), a.Reason,
		strings.Join(a.Queues, " "), strings.Join(a.Flags, " ")}, " "))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// derive rebuilds the ordered lists the views show. Unfiltered, they are
// the same for every dashboard on the report in that order: a Share sorts
// them once for all (shared.go).
func (m *Model) derive() {
	words := strings.Fields(strings.ToLower(m.filter.Value()))
	var l *lists
	if m.opts.Share != nil && len(words) == 0 {
		l = m.opts.Share.sortedLists(m.report, m.sortIdx)
	} else {
		l = sortLists(m.report, m.sortIdx, words)
	}
	m.queues, m.attention, m.agents, m.leaders = l.queues, l.attention, l.agents, l.leaders
	m.agentByID, m.queueByID = l.agentByID, l.queueByID

	m.serving = m.servingOf(m.serving[:0], m.queueID)
	// The lists may have shrunk under the cursors. The Recovery list is
	// built only when shown, and clamps its cursor then.
	for v, c := range m.cursor {
		if v != viewRecovery {
			m.clamp(v, c)
		}
	}
}

// sortLists sorts the lists of r: queues worst first, agents off goal
// first, the agents matching the filter words in the Agents view's order
// sortIdx, and Recognition's board. The lists are new: a Share hands them to
// many dashboards, and nobody changes them.
func sortLists(r *floor.Report, sortIdx int, words []string) *lists {
	l := &lists{queueByID: make(map[string]*floor.QueueReport, len(r.Queues))}
	l.queues = make([]*floor.QueueReport, 0, len(r.Queues))
	for i := range r.Queues {
		q := &r.Queues[i]
		l.queues = append(l.queues, q)
		l.queueByID[q.Queue] = q
	}
	slices.SortFunc(l.queues, worstFirst)

	l.agentByID = make(map[string]*floor.AgentReport, len(r.Agents))
	all := make([]*floor.AgentReport, len(r.Agents))
	for i := range r.Agents {
		all[i] = &r.Agents[i]
		l.agentByID[all[i].Agent] = all[i]
	}
	l.attention = slices.Clone(all)
	slices.SortStableFunc(l.attention, attentionOrder)

	for _, a := range all {
		if matches(a, words) {
			l.agents = append(l.agents, a)
		}
	}
	order := agentSorts[sortIdx].less
	slices.SortStableFunc(l.agents, func(a, b *floor.AgentReport) int {
		return cmp.Or(order(a, b), cmp.Compare(a.Agent, b.Agent))
	})
	l.leaders = recognitionBoard(nil, all, r.Floor.CSAT)
	return l
}

// servingOf appends to dst the agents with queue among their skills, off
// their goals first.
func (m *Model) servingOf(dst []*floor.AgentReport, queue string) []*floor.AgentReport {
	if queue == "" {
		return dst
	}
	for _, a := range m.attention {
		if slices.Contains(a.Queues, queue) {
			dst = append(dst, a)
		}
	}
	return dst
}

func itoa(n int) string { return strconv.Itoa(n) }
