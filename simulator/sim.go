// Package simulator is floorwatch's call-center floor: a deterministic
// discrete-event simulation of queues, callers and agents that emits the
// feed's events, and a runner that paces it on the wall clock.
//
// The model runs on a simulated clock in whole milliseconds (the protocol's
// resolution), so a client recomputing a wait from two `ts` gets exactly the
// simulator's own figure. It never reads the wall clock; with the same seed
// and scenario it emits the same events, byte for byte. Its randomness is
// common random numbers (random.go): the callers do not depend on what the
// floor or a drill's supervisor does.
package simulator

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

const (
	msPerS   = 1000
	msPerDay = 24 * 60 * 60 * msPerS
	never    = math.MaxInt64
)

// Agent states inside the model. Ringing shows as available on the feed:
// the floor cannot see a phone ring.
const (
	agOffline uint8 = iota
	agIdle
	agRinging
	agTalking
	agWrap
	agAux
)

// Call states inside the model.
const (
	callFree uint8 = iota
	callWaiting
	callRinging
	callTalking
	callWrap
)

type queueState struct {
	spec     *QueueSpec
	cfg      feed.QueueConfig
	waiting  deque // calls waiting, oldest first (stale entries skipped)
	idle     deque // idle agents with this skill, longest idle first
	nSkilled int

	arrivals stream // the gaps between arrivals
	arrived  uint64 // callers so far: the next one's place, which keys their stream
	redial   *RedialSpec
	// A supervisor's rules for calls that wait too long (drill commands).
	overflow, callback waitRule

	perMs      float64 // calls_per_hour in calls per ms
	rateAt     []int64 // ms of day where a RateSpec starts
	ratePerMs  []float64
	ahtMs      float64
	lognormal  bool
	logSigma   float64
	wrapMs     float64
	patienceMs float64 // 0: callers never hang up
	transferTo []int32
	// concurrency is how many of the queue's conversations an agent holds
	// at once.
	concurrency int

	shortAbandon time.Duration
	counters     Counters
}

// waitRule is a supervisor's rule for a queue's calls that wait longer than
// after: overflow to queue to, or a call back. Each new rule has a new gen,
// so that the checks armed under an earlier one are skipped.
type waitRule struct {
	on    bool
	after int64 // ms
	to    int32
	gen   int32
}

type groupState struct {
	spec        *AgentSpec
	ringMs      int64
	missedAuxMs int64
	shift       bool
	shiftStart  int64 // ms of day
	shiftEnd    int64
}

type agentState struct {
	ai         int32 // index in Sim.agents
	id, name   string
	skills     []string
	skillIdx   []int32
	g          *groupState
	index      int // within its group, for staggering breaks
	rng        stream
	quality    float64
	st         uint8
	wireState  string
	wireReason string
	idleEpoch  uint32
	auxSerial  uint32
	call       int32
	onShift    bool
	calledOut  bool // by a callout drill, until it ends
	sentHome   bool // by the supervisor, for good
	pending    int  // break index due when the agent is next free; -1 none
	// convs are the calls the agent holds, in conversation or wrap-up:
	// several at once only of queues whose concurrency allows it.
	convs []int32
}

// away reports whether the agent is kept off the floor whatever their shift.
func (a *agentState) away() bool { return a.calledOut || a.sentHome }

type callState struct {
	id       string
	who      caller
	serial   uint32
	q        int32
	offered  int64
	answered int64
	giveUp   int64 // when the caller hangs up if still waiting; never: they wait
	// calledBack is when the caller took a call back and hung up, keeping
	// their place in line; 0 if they did not.
	calledBack int64
	agent      int32
	state      uint8
}

type drillState struct {
	spec       *DrillSpec
	q          int32 // -1: every queue
	start, end int64
	active     bool
	agents     []int32 // who called out
}

// Options override a scenario's seed and length. Drill makes the run a
// drill: it opens with drill.started and takes commands (command.go).
type Options struct {
	Seed     *int64
	Duration time.Duration
	Drill    bool
}

// Sim is one simulated floor. It is not safe for concurrent use, except
// Clock, Progress and Submit, which any goroutine may call while Run
// drives the simulation.
type Sim struct {
	sc         *Scenario
	seed       int64
	drill      bool
	numbers    numberPlan
	start, end int64
	tzOffset   int64 // ms added to UTC for the scenario's time of day
	now        int64
	h          eventHeap
	queues     []*queueState
	groups     []*groupState
	agents     []*agentState
	calls      []callState
	free       []int32
	live       int
	serial     uint32
	nextCall   int64 // new callers so far (not their later contacts)
	idWidth    int
	queueIdx   map[string]int32
	agentIdx   map[string]int32
	redials    []caller // callers who will call again, by heap item
	redialFree []int32
	drills     []*drillState
	outage     int
	started    bool
	done       bool

	arena  arena
	events []*feed.Event
	idBuf  []byte

	clockMu sync.Mutex
	clock   pacing

	cmds commandQueue
}

// New builds the floor a scenario describes, ready to run from its start.
func New(sc *Scenario, opt Options) *Sim {
	seed := sc.Seed
	if opt.Seed != nil {
		seed = *opt.Seed
	}
	dur := time.Duration(sc.Duration)
	if opt.Duration > 0 {
		dur = opt.Duration
	}
	_, off := sc.Start.Zone()
	s := &Sim{
		sc:       sc,
		seed:     seed,
		drill:    opt.Drill,
		numbers:  newNumberPlan(seed),
		start:    sc.Start.UnixMilli(),
		tzOffset: int64(off) * msPerS,
	}
	s.end = s.start + dur.Milliseconds()
	s.now = s.start
	s.clock.last = s.start
	s.cmds.ready = make(chan struct{}, 1)
	ids := map[string]int32{}
	s.queueIdx, s.agentIdx = ids, map[string]int32{}
	for i := range sc.Queues {
		ids[sc.Queues[i].Queue] = int32(i)
		q := newQueueState(&sc.Queues[i])
		q.arrivals = stream{key: streamKey(seed, streamArrivals, uint64(i), 0)}
		if r := cmp.Or(q.spec.Redial, sc.Redial); r != nil && r.Probability > 0 {
			q.redial = r
		}
		s.queues = append(s.queues, q)
	}
	for _, q := range s.queues {
		if t := q.spec.Transfer; t != nil {
			for _, to := range t.To {
				q.transferTo = append(q.transferTo, ids[to])
			}
		}
	}
	total := 0
	for i := range sc.Agents {
		total += sc.Agents[i].Count
	}
	s.idWidth = max(3, len(strconv.Itoa(total)))
	for gi := range sc.Agents {
		g := newGroupState(&sc.Agents[gi])
		s.groups = append(s.groups, g)
		skillIdx := make([]int32, len(g.spec.Queues))
		for k, q := range g.spec.Queues {
			skillIdx[k] = ids[q]
		}
		for i := 0; i < g.spec.Count; i++ {
			s.addAgent(g, i, skillIdx)
		}
	}
	for i := range sc.Drills {
		d := &drillState{spec: &sc.Drills[i], q: -1}
		if d.spec.Queue != "" {
			d.q = ids[d.spec.Queue]
		}
		d.start = s.nextClock(s.start, d.spec.At.ms())
		d.end = never
		if d.spec.For > 0 {
			d.end = d.start + d.spec.For.ms()
		}
		s.drills = append(s.drills, d)
		// Drills are scheduled first, so at a shared instant they take
		// effect before the arrivals and agents that depend on them.
		s.h.push(item{at: d.start, kind: evDrillStart, a: int32(i)})
		if d.end != never {
			s.h.push(item{at: d.end, kind: evDrillEnd, a: int32(i)})
		}
	}
	for _, a := range s.agents {
		s.scheduleAgent(a)
	}
	for qi := range s.queues {
		s.scheduleArrival(int32(qi))
	}
	return s
}

// addAgent puts the next agent on the books, the index-th of group g.
// Their randomness is their own stream, keyed by their place on the floor.
func (s *Sim) addAgent(g *groupState, index int, skillIdx []int32) *agentState {
	n := len(s.agents)
	a := &agentState{ai: int32(n), id: fmt.Sprintf("a%0*d", s.idWidth, n+1), name: agentName(n),
		skills: g.spec.Queues, skillIdx: skillIdx, g: g, index: index, call: -1, pending: -1,
		rng: stream{key: streamKey(s.seed, streamAgent, uint64(n), 0)}}
	a.quality = 0.5 * a.rng.norm()
	for _, qi := range skillIdx {
		s.queues[qi].nSkilled++
	}
	s.agents = append(s.agents, a)
	s.agentIdx[a.id] = a.ai
	return a
}

func newQueueState(spec *QueueSpec) *queueState {
	cfg := feed.DefaultQueueConfig(spec.Queue)
	cfg.Name = spec.Name
	if spec.SLThresholdS != nil {
		cfg.SLThresholdS = float64(*spec.SLThresholdS)
	}
	if spec.SLTarget != nil {
		cfg.SLTarget = *spec.SLTarget
	}
	if spec.ShortAbandonS != nil {
		cfg.ShortAbandonS = float64(*spec.ShortAbandonS)
	}
	if spec.SLMode != "" {
		cfg.SLMode = spec.SLMode
	}
	for ch, g := range spec.ChannelGoals {
		if cfg.ChannelGoals == nil {
			cfg.ChannelGoals = map[string]feed.ChannelGoal{}
		}
		cg := feed.ChannelGoal{SLThresholdS: cfg.SLThresholdS, SLTarget: cfg.SLTarget}
		if g.SLThresholdS != nil {
			cg.SLThresholdS = float64(*g.SLThresholdS)
		}
		if g.SLTarget != nil {
			cg.SLTarget = *g.SLTarget
		}
		cfg.ChannelGoals[ch] = cg
	}
	q := &queueState{spec: spec, cfg: cfg, perMs: spec.CallsPerHour / 3600 / msPerS,
		ahtMs: spec.AHTS * msPerS, wrapMs: spec.WrapS * msPerS, lognormal: spec.Handle == "lognormal",
		concurrency:  max(spec.Concurrency, 1),
		shortAbandon: time.Duration(cfg.ShortAbandonS * float64(time.Second))}
	q.counters.Queue, q.counters.Config = spec.Queue, cfg
	for _, r := range spec.Rates {
		q.rateAt = append(q.rateAt, r.At.ms())
		q.ratePerMs = append(q.ratePerMs, r.CallsPerHour/3600/msPerS)
	}
	if q.lognormal {
		cv := DefaultHandleCV
		if spec.HandleCV != nil {
			cv = *spec.HandleCV
		}
		q.logSigma = math.Sqrt(math.Log1p(cv * cv))
	}
	if spec.PatienceS != nil {
		q.patienceMs = *spec.PatienceS * msPerS
	}
	return q
}

// threshold is the answer-time goal of a call of channel ch in the queue:
// the channel's own where the queue sets one.
func (q *queueState) threshold(ch string) time.Duration {
	s, _ := q.cfg.Goal(ch)
	return time.Duration(s * float64(time.Second))
}

// channel is the call's channel: its caller's, the one of the queue they
// dialled.
func (s *Sim) channel(c *callState) string { return s.queues[c.who.home].spec.Channel }

func newGroupState(spec *AgentSpec) *groupState {
	g := &groupState{spec: spec, ringMs: DefaultRingS * msPerS, missedAuxMs: DefaultMissedAuxS * msPerS}
	if spec.RingS != nil {
		g.ringMs = int64(math.Round(*spec.RingS * msPerS))
	}
	if spec.MissedAuxS != nil {
		g.missedAuxMs = int64(math.Round(*spec.MissedAuxS * msPerS))
	}
	if spec.Shift != nil {
		g.shift = true
		g.shiftStart = spec.Shift.Start.ms()
		g.shiftEnd = spec.Shift.End.ms()
	}
	return g
}

var firstNames = []string{"Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jon",
	"Kara", "Luis", "Maya", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara",
	"Umar", "Vera", "Will", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Carmen", "Dmitri",
	"Erin", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nora"}

// agentName is a stable display name for the n-th agent.
func agentName(n int) string {
	return firstNames[n%len(firstNames)] + " " + string(rune('A'+(n/len(firstNames))%26)) + "."
}

// nextClock is the first instant at or after t whose time of day (in the
// scenario's zone) is tod ms.
func (s *Sim) nextClock(t, tod int64) int64 {
	local := t + s.tzOffset
	day := local - mod(local, msPerDay)
	at := day + tod
	if at < local {
		at += msPerDay
	}
	return at - s.tzOffset
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// scheduleAgent puts the agent on or off shift at the start and arms its
// daily shift and breaks. An agent whose shift starts exactly at the start
// is on from the first instant.
func (s *Sim) scheduleAgent(a *agentState) {
	g := a.g
	a.onShift = true
	if g.shift {
		length := mod(g.shiftEnd-g.shiftStart, msPerDay)
		nextStart := s.nextClock(s.start, g.shiftStart)
		shiftStart := nextStart - msPerDay
		if nextStart == s.start {
			shiftStart, nextStart = s.start, s.start+msPerDay
		}
		a.onShift = s.start < shiftStart+length
		if a.onShift {
			s.h.push(item{at: shiftStart + length, kind: evShiftEnd, a: a.ai})
		}
		s.h.push(item{at: nextStart, kind: evShiftStart, a: a.ai})
	}
	for bi := range g.spec.Breaks {
		s.h.push(item{at: s.breakTime(a, bi, s.start), kind: evBreak, a: a.ai, c: int32(bi)})
	}
}

// breakTime is the agent's next turn at break bi at or after t: the group's
// agents take it one after another across the break's spread.
func (s *Sim) breakTime(a *agentState, bi int, t int64) int64 {
	b := a.g.spec.Breaks[bi]
	stagger := b.Spread.ms() * int64(a.index) / int64(a.g.spec.Count)
	first := s.nextClock(t-stagger, b.At.ms())
	return first + stagger
}

// rate is queue q's arrival rate (calls per ms) at the current instant, and
// when it next may change.
func (s *Sim) rate(qi int32) (float64, int64) {
	q := s.queues[qi]
	r := q.perMs
	tod := mod(s.now+s.tzOffset, msPerDay)
	next := s.now - tod + msPerDay // midnight: back to the base rate
	for i, at := range q.rateAt {
		if at <= tod {
			r = q.ratePerMs[i]
		} else {
			next = min(next, s.now-tod+at)
			break
		}
	}
	for _, d := range s.drills {
		if d.spec.Type != DrillSurge || (d.q >= 0 && d.q != qi) {
			continue
		}
		if d.active {
			r *= d.spec.Factor
			next = min(next, d.end)
		} else if d.start > s.now {
			next = min(next, d.start)
		}
	}
	return r, next
}

// scheduleArrival arms queue q's next arrival from now. The rate is
// piecewise constant, and an exponential gap is memoryless, so when the gap
// runs past the next change the draw is simply made again from there.
func (s *Sim) scheduleArrival(qi int32) {
	if s.now >= s.end {
		return
	}
	r, next := s.rate(qi)
	next = min(next, s.end)
	at := int64(never)
	if r > 0 {
		at = s.now + int64(math.Round(s.queues[qi].arrivals.exp()/r))
	}
	switch {
	case at < next:
		s.h.push(item{at: at, kind: evArrival, a: qi})
	case next < s.end:
		s.h.push(item{at: next, kind: evArrival, a: qi, c: -1})
	}
}

// Step runs the next simulated instant: every happening at that
// millisecond. The events it emits are added to Events. The first Step
// emits the floor as it stands at the start: a queue.config for every queue
// and an agent.state for every agent. Step reports false, emitting nothing,
// once the run is over: its duration has passed and every call has been
// played out (or waits where no agent will ever answer it; see stranded).
func (s *Sim) Step() bool {
	at, ok := s.nextInstant()
	if !ok {
		return false
	}
	if !s.started {
		s.started = true
		s.begin()
		return true
	}
	s.now = at
	for {
		s.handle(s.h.pop())
		if next, ok := s.h.peek(); !ok || next != at {
			break
		}
	}
	s.publishClock(at)
	return true
}

// publishClock tells Clock the model has reached t.
func (s *Sim) publishClock(t int64) {
	s.clockMu.Lock()
	s.clock.last = t
	s.clockMu.Unlock()
}

// nextInstant is the instant the next Step will run, if there is one. The
// run is over when nothing is scheduled, or when the duration has passed and
// no call is left on the floor that could still end.
func (s *Sim) nextInstant() (int64, bool) {
	if s.done {
		return 0, false
	}
	if !s.started {
		return s.start, true
	}
	at, ok := s.h.peek()
	if !ok || at > s.end && (s.live == 0 || s.stranded()) {
		s.done = true
		return 0, false
	}
	return at, true
}

// stranded reports whether every call left on the floor waits for ever: it
// waits with no patience in a queue with no overflow, whose every skilled
// agent has called out or gone home for good, and no drill still to end
// could bring one back. The play-out stops there instead of running the
// agents' days on without end.
func (s *Sim) stranded() bool {
	for _, d := range s.drills {
		if d.active && d.end != never {
			return false
		}
	}
	for i := range s.calls {
		c := &s.calls[i]
		if c.state == callFree {
			continue
		}
		if c.state != callWaiting || c.giveUp != never || s.queues[c.q].overflow.on || s.staffable(c.q) {
			return false
		}
	}
	return true
}

// staffable reports whether some agent with queue qi among its skills is
// not away and is on shift or has a shift to come back for, and so will be
// there to answer it sooner or later. (Overtime has no shift to come back
// for.)
func (s *Sim) staffable(qi int32) bool {
	for _, a := range s.agents {
		if !a.away() && (a.onShift || a.g.shift) && hasSkill(a, qi) {
			return true
		}
	}
	return false
}

// Events are the events emitted since the last Recycle, in order.
func (s *Sim) Events() []*feed.Event { return s.events }

// Recycle forgets the events emitted so far and reuses their memory: every
// pointer Events returned before is invalid afterwards.
func (s *Sim) Recycle() {
	s.events = s.events[:0]
	s.arena.reset()
}

// Done reports whether the run is over.
func (s *Sim) Done() bool { return s.done }

// End is when arrivals stop; calls still on the floor are then played out.
func (s *Sim) End() time.Time { return time.UnixMilli(s.end).UTC() }

// Now is the instant of the last Step.
func (s *Sim) Now() time.Time { return time.UnixMilli(s.now).UTC() }

// Counters are the simulator's own tallies, one per queue in scenario
// order, counted as the contract counts them.
func (s *Sim) Counters() []Counters {
	out := make([]Counters, len(s.queues))
	for i, q := range s.queues {
		out[i] = q.counters
	}
	return out
}

// begin emits the floor as it stands at the start; a drill opens with its
// drill.started line, after which it is event for event its scenario's run.
func (s *Sim) begin() {
	if s.drill {
		ev := s.emit(feed.TypeDrillStarted)
		ev.Drill = &feed.Drill{Scenario: s.sc.Name, Seed: s.seed, Briefing: s.sc.Briefing}
	}
	for _, q := range s.queues {
		ev := s.emit(feed.TypeQueueConfig)
		ev.Queue, ev.Config = q.cfg.Queue, q.cfg
	}
	for _, a := range s.agents {
		if a.onShift {
			a.st, a.wireState = agIdle, feed.StateAvailable
			s.addIdle(a)
		} else {
			a.st, a.wireState = agOffline, feed.StateOffline
		}
		s.announce(a)
	}
}

// announce emits the agent in full: name, skills and what they are doing.
func (s *Sim) announce(a *agentState) {
	ev := s.emit(feed.TypeAgentState)
	ev.Agent, ev.Name, ev.Skills, ev.HasSkills = a.id, a.name, a.skills, true
	ev.State, ev.Reason = a.wireState, a.wireReason
}

func (s *Sim) emit(typ string) *feed.Event { return &s.emitSlot(typ).ev }

func (s *Sim) emitSlot(typ string) *slot {
	sl := s.arena.nextSlot()
	sl.ev.Type, sl.ev.TS = typ, time.UnixMilli(s.now).UTC()
	s.events = append(s.events, &sl.ev)
	return sl
}

func (s *Sim) handle(it item) {
	switch it.kind {
	case evArrival:
		if it.c >= 0 {
			s.arrive(it.a)
		}
		s.scheduleArrival(it.a)
	case evAbandon:
		c := &s.calls[it.c]
		if c.serial == it.tok && c.giveUp != never && (c.state == callWaiting || c.state == callRinging) {
			s.abandon(it.c)
		}
	case evTalkEnd:
		s.talkEnd(it.a, it.c)
	case evWrapEnd:
		s.finish(it.a, it.c)
	case evRingEnd:
		a := s.agents[it.a]
		c := &s.calls[it.c]
		if a.st == agRinging && a.call == it.c && c.serial == it.tok && c.state == callRinging {
			s.missed(it.a, it.c)
		}
	case evAuxEnd:
		if a := s.agents[it.a]; a.st == agAux && a.auxSerial == it.tok {
			s.settle(a)
		}
	case evShiftStart:
		a := s.agents[it.a]
		g := a.g
		s.h.push(item{at: s.now + msPerDay, kind: evShiftStart, a: it.a})
		s.h.push(item{at: s.now + mod(g.shiftEnd-g.shiftStart, msPerDay), kind: evShiftEnd, a: it.a})
		a.onShift = true
		if a.st == agOffline {
			s.settle(a)
		}
	case evShiftEnd:
		a := s.agents[it.a]
		a.onShift = false
		if a.st == agIdle || a.st == agAux {
			s.offline(a)
		}
	case evBreak:
		a := s.agents[it.a]
		s.h.push(item{at: s.breakTime(a, int(it.c), s.now+1), kind: evBreak, a: it.a, c: it.c})
		if !a.onShift || a.calledOut || a.st == agAux || a.st == agOffline {
			return
		}
		a.pending = int(it.c)
		if a.st == agIdle {
			s.settle(a)
		}
	case evDrillStart:
		s.drillStart(s.drills[it.a])
	case evDrillEnd:
		s.drillEnd(s.drills[it.a])
	case evRedial:
		s.redial(it.c)
	case evOverflow, evCallback:
		c := &s.calls[it.c]
		if c.serial != it.tok || c.state != callWaiting {
			return
		}
		q := s.queues[c.q]
		if it.kind == evOverflow && q.overflow.on && q.overflow.gen == it.a {
			s.overflow(it.c, q.overflow.to)
		} else if it.kind == evCallback && q.callback.on && q.callback.gen == it.a {
			s.callBack(it.c)
		}
	}
}

// newCall puts a call of caller who, with that id, on the floor: waiting
// in their queue from now, their current leg started.
func (s *Sim) newCall(who caller, id string) int32 {
	var ci int32
	if n := len(s.free); n > 0 {
		ci = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		s.calls = append(s.calls, callState{})
		ci = int32(len(s.calls) - 1)
	}
	s.serial++
	s.calls[ci] = callState{id: id, who: who, serial: s.serial, q: who.home, offered: s.now, agent: -1, state: callWaiting}
	s.startLeg(&s.calls[ci])
	s.live++
	return ci
}

// startLeg starts a new wait of the caller's (a new call, a redial, a
// transfer): their patience for it is their own draw.
func (s *Sim) startLeg(c *callState) {
	c.giveUp, c.calledBack = never, 0
	if p := s.queues[c.q].patienceMs; p > 0 {
		c.giveUp = s.now + int64(math.Round(expOf(c.who.draw(drawPatience))*p))
	}
}

func (s *Sim) freeCall(ci int32) {
	s.calls[ci].state = callFree
	s.free = append(s.free, ci)
	s.live--
}

// arrive is a new caller: the queue's next, with the stream of their own.
func (s *Sim) arrive(qi int32) {
	q := s.queues[qi]
	s.nextCall++
	s.idBuf = strconv.AppendInt(append(s.idBuf[:0], 'c'), s.nextCall, 10)
	id := string(s.idBuf)
	who := caller{rng: stream{key: streamKey(s.seed, streamCaller, uint64(qi), q.arrived)},
		number: s.numbers.number(s.nextCall), base: id, home: qi}
	q.arrived++
	s.offer(s.newCall(who, id))
}

// offer announces a call waiting in its queue (a new call or a follow-up
// contact) and starts its wait.
func (s *Sim) offer(ci int32) {
	c := &s.calls[ci]
	q := s.queues[c.q]
	ev := s.emit(feed.TypeOffered)
	ev.Call, ev.Queue, ev.Caller = c.id, q.cfg.Queue, c.who.number
	if ch := s.channel(c); ch != feed.ChannelVoice {
		ev.Channel = ch // voice goes without saying, as in a version 1 feed
	}
	q.counters.Offered++
	s.wait(ci)
}

// wait starts a call's wait in its queue: the caller hangs up at giveUp,
// and it goes to the longest-idle agent or joins the back of the queue.
func (s *Sim) wait(ci int32) {
	c := &s.calls[ci]
	q := s.queues[c.q]
	if c.giveUp != never {
		s.h.push(item{at: c.giveUp, kind: evAbandon, c: ci, tok: c.serial})
	}
	if s.outage == 0 {
		if ai := s.takeIdle(q); ai >= 0 {
			s.connect(ci, ai)
			s.relist(s.agents[ai])
			return
		}
	}
	q.waiting.pushBack(ref{ci, c.serial})
	s.armRules(ci)
}

// armRules schedules the queue's overflow and call-back checks for a call
// that waits in it.
func (s *Sim) armRules(ci int32) {
	s.armRule(ci, evOverflow)
	s.armRule(ci, evCallback)
}

// armRule schedules one check (evOverflow or evCallback), due when the
// call has waited the rule's time. A call back is offered once.
func (s *Sim) armRule(ci int32, kind uint8) {
	c := &s.calls[ci]
	q := s.queues[c.q]
	r := q.overflow
	if kind == evCallback {
		if c.calledBack != 0 {
			return
		}
		r = q.callback
	}
	if r.on {
		s.h.push(item{at: max(s.now, c.offered+r.after), kind: kind, a: r.gen, c: ci, tok: c.serial})
	}
}

// takeIdle removes and returns the queue's agent who has waited longest to
// take one of its calls, or -1.
func (s *Sim) takeIdle(q *queueState) int32 {
	for q.idle.size > 0 {
		r := q.idle.popFront()
		if a := s.agents[r.idx]; a.idleEpoch == r.tok && s.canTake(a, q) {
			return r.idx
		}
	}
	return -1
}

// canTake reports whether agent a may start a conversation of queue q now:
// an idle agent may; one holding conversations only while each of them,
// and q, allows one more at once, and not while winding down (a break due,
// the shift over, sent home or called out).
func (s *Sim) canTake(a *agentState, q *queueState) bool {
	switch {
	case a.st == agIdle:
		return true
	case a.st != agTalking && a.st != agWrap:
		return false
	}
	n := len(a.convs)
	if n == 0 || n >= q.concurrency || a.pending >= 0 || !a.onShift || a.away() {
		return false
	}
	for _, ci := range a.convs {
		if n >= s.queues[s.calls[ci].q].concurrency {
			return false
		}
	}
	return true
}

// canTakeAny reports whether the agent may start a conversation of some
// queue of theirs.
func (s *Sim) canTakeAny(a *agentState) bool {
	for _, qi := range a.skillIdx {
		if s.canTake(a, s.queues[qi]) {
			return true
		}
	}
	return false
}

// relist puts an agent who holds conversations and may take more back in
// the lists of the queues they may take, at the back.
func (s *Sim) relist(a *agentState) {
	if len(a.convs) > 0 && s.canTakeAny(a) {
		s.addIdle(a)
	}
}

// head is the queue's longest-waiting call, or -1; stale entries (calls
// that hung up) are dropped on the way.
func (s *Sim) head(q *queueState) int32 {
	for q.waiting.size > 0 {
		r := q.waiting.front()
		if c := &s.calls[r.idx]; c.serial == r.tok && c.state == callWaiting {
			return r.idx
		}
		q.waiting.popFront()
	}
	return -1
}

// addIdle lists the agent, as ready for a call, in each queue of theirs
// whose calls they may take.
func (s *Sim) addIdle(a *agentState) {
	a.idleEpoch++
	for _, qi := range a.skillIdx {
		q := s.queues[qi]
		if !s.canTake(a, q) {
			continue
		}
		q.idle.pushBack(ref{a.ai, a.idleEpoch})
		if q.idle.size > 2*q.nSkilled+16 {
			// Agents who went idle and were taken by another queue leave
			// stale entries here; drop them so the list stays bounded.
			q.idle.filter(func(r ref) bool {
				b := s.agents[r.idx]
				return b.idleEpoch == r.tok && s.canTake(b, q)
			})
		}
	}
}

// connect offers a call to an agent: it rings unanswered (a miss) or the
// agent picks it up.
// A phone rings: only an agent holding no conversation misses one; an agent
// chatting already takes the next chat at the keyboard.
func (s *Sim) connect(ci, ai int32) {
	a := s.agents[ai]
	c := &s.calls[ci]
	c.agent, a.call = ai, ci
	if miss := a.g.spec.MissRate; miss > 0 && len(a.convs) == 0 && a.rng.float() < miss {
		a.st, c.state = agRinging, callRinging
		s.h.push(item{at: s.now + a.g.ringMs, kind: evRingEnd, a: ai, c: ci, tok: c.serial})
		return
	}
	q := s.queues[c.q]
	a.st, c.state, c.answered = agTalking, callTalking, s.now
	a.convs = append(a.convs, ci)
	ev := s.emit(feed.TypeAnswered)
	ev.Call, ev.Queue, ev.Agent = c.id, q.cfg.Queue, a.id
	s.setWire(a, feed.StateOnCall, "")
	wait := time.Duration(s.now-c.offered) * time.Millisecond
	q.counters.Answered++
	q.counters.WaitMs += s.now - c.offered
	if wait <= q.threshold(s.channel(c)) {
		q.counters.AnsweredWithin++
	}
	s.h.push(item{at: s.now + s.handleTime(c), kind: evTalkEnd, a: ai, c: ci})
}

// handleTime is the caller's own draw, in the distribution of the queue
// that answers, at the mean in force now.
func (s *Sim) handleTime(c *callState) int64 {
	q := s.queues[c.q]
	mean := q.ahtMs
	for _, d := range s.drills {
		if d.active && d.spec.Type == DrillLongCalls && (d.q < 0 || d.q == c.q) {
			mean *= d.spec.Factor
		}
	}
	u := c.who.draw(drawHandle)
	var x float64
	if q.lognormal {
		mu := math.Log(mean) - q.logSigma*q.logSigma/2
		x = math.Exp(mu + q.logSigma*normOf(u))
	} else {
		x = expOf(u) * mean
	}
	return int64(math.Round(x))
}

// leave takes a waiting call out of its queue unanswered, for a reason:
// the caller hung up, or an overflow moved it. Every reason counts as
// abandoned; only a caller hanging up can be short.
func (s *Sim) leave(c *callState, reason string) {
	q := s.queues[c.q]
	ev := s.emit(feed.TypeAbandoned)
	ev.Call, ev.Queue, ev.Reason = c.id, q.cfg.Queue, reason
	wait := time.Duration(s.now-c.offered) * time.Millisecond
	q.counters.Abandoned++
	if reason == feed.ReasonCaller && wait < q.shortAbandon {
		q.counters.ShortAbandoned++
	}
	if wait <= q.threshold(s.channel(c)) {
		q.counters.AbandonedWithin++
	}
}

// abandon: the caller hangs up. Some call again later (redial).
func (s *Sim) abandon(ci int32) {
	c := &s.calls[ci]
	s.leave(c, feed.ReasonCaller)
	s.redialLater(c)
	ringing := c.state == callRinging
	ai := c.agent
	s.freeCall(ci)
	if ringing {
		// The caller hung up while the agent's phone rang: the agent is free.
		a := s.agents[ai]
		a.call = -1
		s.settle(a)
	}
}

func (s *Sim) missed(ai, ci int32) {
	a := s.agents[ai]
	c := &s.calls[ci]
	q := s.queues[c.q]
	ev := s.emit(feed.TypeMissed)
	ev.Call, ev.Queue, ev.Agent = c.id, q.cfg.Queue, a.id
	q.counters.Missed++
	a.call = -1
	s.aux(a, "missed", a.g.missedAuxMs)
	// The call keeps its place (it has waited longest) and its patience.
	c.state, c.agent = callWaiting, -1
	q.waiting.pushFront(ref{ci, c.serial})
	if s.outage == 0 {
		if bi := s.takeIdle(q); bi >= 0 {
			q.waiting.popFront()
			s.connect(ci, bi)
			s.relist(s.agents[bi])
			return
		}
	}
	// Checks that fell due while it rang were skipped: arm them again.
	s.armRules(ci)
}

// redialLater: a share of the callers who hang up call again after a
// while, a new call from the same number to the queue they dialled. Both
// the choice and the delay are the caller's own draws. Arrivals stop at
// the end of the run, redials with them.
func (s *Sim) redialLater(c *callState) {
	r := s.queues[c.who.home].redial
	if r == nil || c.who.draw(drawRedial) >= r.Probability {
		return
	}
	at := s.now + int64(math.Round(expOf(c.who.draw(drawRedialDelay))*float64(r.MeanDelay.ms())))
	if at >= s.end {
		return
	}
	who := c.who
	who.leg++
	var i int32
	if n := len(s.redialFree); n > 0 {
		i = s.redialFree[n-1]
		s.redialFree = s.redialFree[:n-1]
		s.redials[i] = who
	} else {
		i = int32(len(s.redials))
		s.redials = append(s.redials, who)
	}
	s.h.push(item{at: at, kind: evRedial, c: i})
}

func (s *Sim) redial(i int32) {
	who := s.redials[i]
	s.redialFree = append(s.redialFree, i)
	id := who.nextID()
	s.offer(s.newCall(who, id))
}

// overflow moves a waiting call to queue to: it leaves its queue (reason
// timeout, as an ACD's queue timeout reports it) and is offered in to as
// the caller's next contact. The caller is still on the line: their
// patience runs on.
func (s *Sim) overflow(ci, to int32) {
	c := &s.calls[ci]
	s.leave(c, feed.ReasonTimeout)
	// A new serial cancels what was armed for the wait in the old queue.
	s.serial++
	c.id, c.serial, c.q, c.offered = c.who.nextID(), s.serial, to, s.now
	s.offer(ci)
}

// callBack: the caller takes the offer of a call back and hangs up, keeping
// their place in line (virtual hold, as ACDs do it). On the feed the call
// stays waiting until an agent calls them back (call.answered), so its
// wait is the caller's whole wait for service and the customer counts
// once: an abandon avoided becomes an answer, late. Nobody is on hold, so
// nobody hangs up; the survey's mood counts only the time they held.
func (s *Sim) callBack(ci int32) {
	c := &s.calls[ci]
	c.giveUp, c.calledBack = never, s.now
}

func (s *Sim) talkEnd(ai, ci int32) {
	a := s.agents[ai]
	c := &s.calls[ci]
	q := s.queues[c.q]
	if t := q.spec.Transfer; t != nil && c.who.draw(drawTransfer) < t.Rate {
		target := q.transferTo[int(c.who.draw(drawTransferTo)*float64(len(q.transferTo)))]
		tq := s.queues[target]
		ev := s.emit(feed.TypeTransferred)
		ev.Call, ev.Agent, ev.Queue = c.id, a.id, tq.cfg.Queue
		q.counters.Transferred++
		tq.counters.Offered++
		// A new offer in the target queue and the caller's next
		// conversation: a fresh serial cancels what was armed for the
		// first wait, and a fresh patience starts.
		a.drop(ci)
		s.serial++
		c.serial, c.q, c.offered, c.state, c.agent = s.serial, target, s.now, callWaiting, -1
		c.who.leg++
		s.startLeg(c)
		a.call = -1
		s.wait(ci)
		s.released(a)
		return
	}
	ev := s.emit(feed.TypeEnded)
	ev.Call, ev.Agent = c.id, a.id
	if q.wrapMs > 0 {
		c.state = callWrap
		s.busy(a)
		s.h.push(item{at: s.now + int64(math.Round(expOf(c.who.draw(drawWrap))*q.wrapMs)), kind: evWrapEnd, a: ai, c: ci})
		return
	}
	s.finish(ai, ci)
}

// drop takes call ci from the conversations the agent holds.
func (a *agentState) drop(ci int32) {
	if i := slices.Index(a.convs, ci); i >= 0 {
		a.convs = slices.Delete(a.convs, i, i+1)
	}
}

// busy shows what an agent holding conversations is doing: on a call
// while any of them is in conversation, else in wrap-up.
func (s *Sim) busy(a *agentState) {
	for _, ci := range a.convs {
		if s.calls[ci].state == callTalking {
			a.st = agTalking
			s.setWire(a, feed.StateOnCall, "")
			return
		}
	}
	a.st = agWrap
	s.setWire(a, feed.StateWrapUp, "")
}

// released follows the end of one of an agent's conversations: an agent
// with none left settles; one still holding others shows what they do and
// may take another.
func (s *Sim) released(a *agentState) {
	if len(a.convs) == 0 {
		s.settle(a)
		return
	}
	s.busy(a)
	s.serve(a)
}

// finish ends wrap-up: the call leaves the floor, the caller may answer the
// survey, and the agent is free.
func (s *Sim) finish(ai, ci int32) {
	a := s.agents[ai]
	c := &s.calls[ci]
	q := s.queues[c.q]
	ev := s.emit(feed.TypeWrapped)
	ev.Call, ev.Agent = c.id, a.id
	q.counters.Wrapped++
	q.counters.HandleMs += s.now - c.answered
	if sv := s.sc.Surveys; sv.Rate > 0 && c.who.draw(drawSurvey) < sv.Rate {
		s.survey(a, c, q)
	}
	a.call = -1
	a.drop(ci)
	s.freeCall(ci)
	s.released(a)
}

// settle decides what a free agent does next: go home if off shift or
// away, take a due break, or become available and take the
// longest-waiting call among its queues.
func (s *Sim) settle(a *agentState) {
	if !a.onShift || a.away() {
		s.offline(a)
		return
	}
	if a.pending >= 0 {
		b := a.g.spec.Breaks[a.pending]
		a.pending = -1
		s.aux(a, b.Reason, b.Length.ms())
		return
	}
	a.st = agIdle
	s.setWire(a, feed.StateAvailable, "")
	s.serve(a)
}

// serve gives an agent who may take calls the longest-waiting ones among
// their queues, as many as they may hold, then lists them as ready for the
// next if they may take more.
func (s *Sim) serve(a *agentState) {
	for s.outage == 0 {
		best, bestQ := int32(-1), (*queueState)(nil)
		for _, qi := range a.skillIdx {
			q := s.queues[qi]
			if !s.canTake(a, q) {
				continue
			}
			if ci := s.head(q); ci >= 0 && (best < 0 || s.calls[ci].offered < s.calls[best].offered) {
				best, bestQ = ci, q
			}
		}
		if best < 0 {
			break
		}
		bestQ.waiting.popFront()
		s.connect(best, a.ai)
	}
	if s.canTakeAny(a) {
		s.addIdle(a)
	}
}

func (s *Sim) aux(a *agentState, reason string, lengthMs int64) {
	a.st = agAux
	a.auxSerial++
	s.setWire(a, feed.StateAux, reason)
	s.h.push(item{at: s.now + lengthMs, kind: evAuxEnd, a: a.ai, tok: a.auxSerial})
}

func (s *Sim) offline(a *agentState) {
	a.st = agOffline
	a.auxSerial++ // cancels a pending aux end
	a.pending = -1
	s.setWire(a, feed.StateOffline, "")
}

// setWire emits agent.state when what clients see of the agent changes.
func (s *Sim) setWire(a *agentState, state, reason string) {
	if a.wireState == state && a.wireReason == reason {
		return
	}
	a.wireState, a.wireReason = state, reason
	ev := s.emit(feed.TypeAgentState)
	ev.Agent, ev.State, ev.Reason = a.id, state, reason
}

func (s *Sim) drillStart(d *drillState) {
	d.active = true
	// A surge needs nothing here: every arrival draw stops at the next
	// rate change, a surge's start and end among them (see rate).
	switch d.spec.Type {
	case DrillOutage:
		s.outage++
	case DrillCallout:
		for ai, a := range s.agents {
			if len(d.agents) == d.spec.Agents {
				break
			}
			if a.away() || (d.q >= 0 && !hasSkill(a, d.q)) {
				continue
			}
			a.calledOut = true
			d.agents = append(d.agents, int32(ai))
			if a.st == agIdle || a.st == agAux {
				s.offline(a)
			}
		}
	}
}

func (s *Sim) drillEnd(d *drillState) {
	d.active = false
	switch d.spec.Type {
	case DrillOutage:
		s.outage--
		if s.outage == 0 {
			s.drainQueues()
		}
	case DrillCallout:
		for _, ai := range d.agents {
			a := s.agents[ai]
			a.calledOut = false
			if a.st == agOffline && a.onShift {
				s.settle(a)
			}
		}
	}
}

// drainQueues gives the calls that waited through an outage to the agents
// who sat idle, longest-idle agent to longest-waiting call.
func (s *Sim) drainQueues() {
	for _, q := range s.queues {
		for {
			ci := s.head(q)
			if ci < 0 {
				break
			}
			ai := s.takeIdle(q)
			if ai < 0 {
				break
			}
			q.waiting.popFront()
			s.connect(ci, ai)
			s.relist(s.agents[ai])
		}
	}
}

func hasSkill(a *agentState, qi int32) bool {
	for _, k := range a.skillIdx {
		if k == qi {
			return true
		}
	}
	return false
}
