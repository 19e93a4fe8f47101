package floor

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"os"
	"sort"
	"strconv"
	"time"

	_ "time/tzdata" // time zones for day.time_zone on machines without zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
)

// Goals is the local goals file: overrides of the feed's queue goals, the
// team's targets for every agent, each agent's own, and when "today" starts.
type Goals struct {
	Day      DayGoal               `yaml:"day"`
	Queues   map[string]QueueGoal  `yaml:"queues"`
	Team     AgentGoals            `yaml:"team"`
	Agents   map[string]AgentGoals `yaml:"agents"`
	Recovery RecoveryRule          `yaml:"recovery"`
	Alerts   AlertRules            `yaml:"alerts"`
	// Pauses are each aux reason's planned length ("lunch: 45m"): an agent
	// in aux for that reason longer than this is overrunning it.
	Pauses map[string]Span `yaml:"pauses"`
}

// DayGoal says when "today" starts.
type DayGoal struct {
	StartHour *int   `yaml:"start_hour"`
	TimeZone  string `yaml:"time_zone"`
	loc       *time.Location
}

// QueueGoal overrides a queue's goal; unset fields keep the feed's.
type QueueGoal struct {
	// Name is shown where the feed names the queue by id only (a phone
	// system's queue_log knows queues by their dialplan name).
	Name          string   `yaml:"name"`
	SLThresholdS  *Seconds `yaml:"sl_threshold_s"`
	SLTarget      *float64 `yaml:"sl_target"`
	ShortAbandonS *Seconds `yaml:"short_abandon_s"`
	SLMode        string   `yaml:"sl_mode"`
	// WrapS is the queue's wrap-up time in seconds, for sources that log no
	// wrap-up end (Asterisk's wrapuptime in queues.conf). Unset: none.
	WrapS *float64 `yaml:"wrap_s"`
	// ChannelGoals hold the calls of a channel to a goal of their own in
	// this queue (chat: {sl_threshold_s: 60s}, email: {sl_threshold_s:
	// 4h}), over the feed's channel_goals.
	ChannelGoals map[string]ChannelGoal `yaml:"channel_goals"`
}

// ChannelGoal overrides one channel's goal in a queue; an unset field keeps
// the feed's goal for the channel, or else the queue's.
type ChannelGoal struct {
	SLThresholdS *Seconds `yaml:"sl_threshold_s"`
	SLTarget     *float64 `yaml:"sl_target"`
}

// Seconds is a number of seconds in a goals file or a scenario, written as
// a person reads it: 20, 60s, 4h, 1h30m, 1d.
type Seconds float64

// UnmarshalYAML reads a number of seconds, or a duration.
func (s *Seconds) UnmarshalYAML(n *yaml.Node) error {
	var v float64
	if n.Kind == yaml.ScalarNode && n.Tag != "!!str" && n.Decode(&v) == nil {
		*s = Seconds(v)
		return nil
	}
	var text string
	if n.Kind == yaml.ScalarNode && n.Decode(&text) == nil {
		if v, err := ParseSeconds(text); err == nil {
			*s = Seconds(v)
			return nil
		}
	}
	return fmt.Errorf("line %d: %q is not a time; write seconds (20) or a duration (60s, 4h, 1h30m)", n.Line, n.Value)
}

// ParseSeconds reads seconds as Seconds does: a number, a Go duration, or
// whole days (1d).
func ParseSeconds(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d.Seconds(), nil
	}
	d, err := ParseSpan(s)
	return d.Seconds(), err
}

// AgentGoals are targets for an agent; unset ones are not checked.
type AgentGoals struct {
	AHTS      *float64 `yaml:"aht_s" json:"aht_s,omitempty"`         // at most
	CSAT      *float64 `yaml:"csat" json:"csat,omitempty"`           // at least
	AuxS      *float64 `yaml:"aux_s" json:"aux_s,omitempty"`         // at most, over the day
	Missed    *int64   `yaml:"missed" json:"missed,omitempty"`       // at most, over the day
	Occupancy *float64 `yaml:"occupancy" json:"occupancy,omitempty"` // at least
	// OccupancyMinStaffedS is how long an agent must have been staffed
	// today before their occupancy is judged (DefaultOccupancyMinStaffed):
	// three minutes into a shift it says nothing yet.
	OccupancyMinStaffedS *float64 `yaml:"occupancy_min_staffed_s" json:"occupancy_min_staffed_s,omitempty"`
}

// DefaultOccupancyMinStaffed is the staffed time before occupancy is judged.
const DefaultOccupancyMinStaffed = 30 * time.Minute

// RecoveryRule says which customers the Recovery view lists.
type RecoveryRule struct {
	// AbandonWaitS: only an abandon after a longer wait is listed (default:
	// every abandon that is not a short abandon).
	AbandonWaitS *float64 `yaml:"abandon_wait_s"`
	CSATAtMost   *float64 `yaml:"csat_at_most"` // default 2
	NPSAtMost    *float64 `yaml:"nps_at_most"`  // default 6 (a detractor)
	CESAtLeast   *float64 `yaml:"ces_at_least"` // default 5
}

// Span is a length of time in a goals file, written as a person reads it:
// 45m, 1h30m, 90s.
type Span time.Duration

// UnmarshalYAML reads a span; a bare number is refused, since minutes and
// seconds would both be guesses.
func (s *Span) UnmarshalYAML(n *yaml.Node) error {
	var v string
	if err := n.Decode(&v); err != nil {
		return err
	}
	d, err := ParseSpan(v)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*s = Span(d)
	return nil
}

// LoadGoals reads and checks a goals file.
func LoadGoals(path string) (*Goals, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, err := ParseGoals(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// ParseGoals reads a goals file's YAML (or JSON), rejecting unknown keys and
// values out of range.
func ParseGoals(b []byte) (*Goals, error) {
	var g Goals
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("goals: %w", err)
	}
	g.clean()
	if h := g.Day.StartHour; h != nil && (*h < 0 || *h > 23) {
		return nil, fmt.Errorf("goals: day.start_hour: %d is not an hour (0..23)", *h)
	}
	if g.Day.TimeZone != "" {
		loc, err := time.LoadLocation(g.Day.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("goals: day.time_zone: %q is not a time zone (try UTC or Europe/Paris): %v", g.Day.TimeZone, err)
		}
		g.Day.loc = loc
	}
	for _, id := range sortedKeys(g.Queues) {
		q := g.Queues[id]
		where := "queues." + id
		if err := inRange(where+".sl_threshold_s", (*float64)(q.SLThresholdS), 0, math.Inf(1)); err != nil {
			return nil, err
		}
		if err := inRange(where+".sl_target", q.SLTarget, 0, 1); err != nil {
			return nil, err
		}
		if err := inRange(where+".short_abandon_s", (*float64)(q.ShortAbandonS), 0, math.Inf(1)); err != nil {
			return nil, err
		}
		for _, ch := range sortedKeys(q.ChannelGoals) {
			cg, at := q.ChannelGoals[ch], where+".channel_goals."+ch
			if ch == "" {
				return nil, fmt.Errorf("goals: %s.channel_goals: a channel's name is empty", where)
			}
			if err := inRange(at+".sl_threshold_s", (*float64)(cg.SLThresholdS), 0, math.Inf(1)); err != nil {
				return nil, err
			}
			if err := inRange(at+".sl_target", cg.SLTarget, 0, 1); err != nil {
				return nil, err
			}
		}
		if err := inRange(where+".wrap_s", q.WrapS, 0, 86400); err != nil {
			return nil, err
		}
		if q.SLMode != "" && !feed.ValidSLMode(q.SLMode) {
			return nil, fmt.Errorf("goals: %s.sl_mode: %q is not one of exclude_short, answered_only, abandons_in_sl_good", where, q.SLMode)
		}
	}
	check := func(where string, a AgentGoals) error {
		for _, c := range []struct {
			name   string
			v      *float64
			lo, hi float64
		}{{"aht_s", a.AHTS, 0, math.Inf(1)}, {"csat", a.CSAT, 1, 5}, {"aux_s", a.AuxS, 0, math.Inf(1)}, {"occupancy", a.Occupancy, 0, 1},
			{"occupancy_min_staffed_s", a.OccupancyMinStaffedS, 0, 86400}} {
			if err := inRange(where+"."+c.name, c.v, c.lo, c.hi); err != nil {
				return err
			}
		}
		if a.Missed != nil && *a.Missed < 0 {
			return fmt.Errorf("goals: %s.missed: must not be negative", where)
		}
		return nil
	}
	if err := g.Alerts.check(); err != nil {
		return nil, err
	}
	if err := check("team", g.Team); err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(g.Agents) {
		if err := check("agents."+id, g.Agents[id]); err != nil {
			return nil, err
		}
	}
	return &g, nil
}

// clean makes the file's ids and names safe to show: a goals file is text
// from outside like a feed.
func (g *Goals) clean() {
	if len(g.Queues) > 0 {
		qs := make(map[string]QueueGoal, len(g.Queues))
		for id, q := range g.Queues {
			q.Name = safetext.Clean(q.Name)
			if len(q.ChannelGoals) > 0 {
				// Cleaned as the decoder cleans a feed's, so that they match.
				cgs := make(map[string]ChannelGoal, len(q.ChannelGoals))
				for ch, cg := range q.ChannelGoals {
					cgs[safetext.Clean(ch)] = cg
				}
				q.ChannelGoals = cgs
			}
			qs[safetext.Clean(id)] = q
		}
		g.Queues = qs
	}
	if len(g.Alerts.Queues) > 0 {
		qs := make(map[string]AlertLimits, len(g.Alerts.Queues))
		for id, q := range g.Alerts.Queues {
			qs[safetext.Clean(id)] = q
		}
		g.Alerts.Queues = qs
	}
	if len(g.Pauses) > 0 {
		ps := make(map[string]Span, len(g.Pauses))
		for reason, d := range g.Pauses {
			ps[safetext.Clean(reason)] = d
		}
		g.Pauses = ps
	}
	if len(g.Agents) > 0 {
		as := make(map[string]AgentGoals, len(g.Agents))
		for id, a := range g.Agents {
			as[safetext.Clean(id)] = a
		}
		g.Agents = as
	}
}

func inRange(field string, v *float64, lo, hi float64) error {
	if v != nil && (*v < lo || *v > hi || math.IsNaN(*v)) {
		return fmt.Errorf("goals: %s: %v is out of range %v..%v", field, *v, lo, hi)
	}
	return nil
}

func (g *Goals) queueGoal(c feed.QueueConfig) feed.QueueConfig {
	o, ok := g.Queues[c.Queue]
	if !ok {
		return c
	}
	if o.SLThresholdS != nil {
		c.SLThresholdS = float64(*o.SLThresholdS)
	}
	if o.SLTarget != nil {
		c.SLTarget = *o.SLTarget
	}
	if o.ShortAbandonS != nil {
		c.ShortAbandonS = float64(*o.ShortAbandonS)
	}
	if o.SLMode != "" {
		c.SLMode = o.SLMode
	}
	if c.Name == "" {
		c.Name = o.Name
	}
	if len(o.ChannelGoals) > 0 {
		// A copy: the feed's config is the queue's own.
		goals := make(map[string]feed.ChannelGoal, len(c.ChannelGoals)+len(o.ChannelGoals))
		maps.Copy(goals, c.ChannelGoals)
		for ch, og := range o.ChannelGoals {
			g, ok := goals[ch]
			if !ok {
				g = feed.ChannelGoal{SLThresholdS: c.SLThresholdS, SLTarget: c.SLTarget}
			}
			if og.SLThresholdS != nil {
				g.SLThresholdS = float64(*og.SLThresholdS)
			}
			if og.SLTarget != nil {
				g.SLTarget = *og.SLTarget
			}
			goals[ch] = g
		}
		c.ChannelGoals = goals
	}
	return c
}

// QueueConfigs are the goals file's queues as complete configs (the
// protocol's defaults where the file is silent), sorted by id: what a
// bridge announces for a source that carries no goals.
func (g *Goals) QueueConfigs() []feed.QueueConfig {
	if g == nil {
		return nil
	}
	out := make([]feed.QueueConfig, 0, len(g.Queues))
	for _, id := range sortedKeys(g.Queues) {
		out = append(out, g.queueGoal(feed.DefaultQueueConfig(id)))
	}
	return out
}

// WrapUp is a queue's wrap-up time from the goals file (0 when unset).
func (g *Goals) WrapUp(queue string) time.Duration {
	if g == nil {
		return 0
	}
	if q, ok := g.Queues[queue]; ok && q.WrapS != nil {
		return time.Duration(*q.WrapS * float64(time.Second))
	}
	return 0
}

// agentGoals are the team's goals with the agent's own on top.
func (g *Goals) agentGoals(id string) AgentGoals {
	if g == nil {
		return AgentGoals{}
	}
	out := g.Team
	if o, ok := g.Agents[id]; ok {
		if o.AHTS != nil {
			out.AHTS = o.AHTS
		}
		if o.CSAT != nil {
			out.CSAT = o.CSAT
		}
		if o.AuxS != nil {
			out.AuxS = o.AuxS
		}
		if o.Missed != nil {
			out.Missed = o.Missed
		}
		if o.Occupancy != nil {
			out.Occupancy = o.Occupancy
		}
		if o.OccupancyMinStaffedS != nil {
			out.OccupancyMinStaffedS = o.OccupancyMinStaffedS
		}
	}
	return out
}

// flags names the goals an agent is off, in a fixed order. They are
// judged on the day whatever the window (a daily aux limit cannot trip on
// half an hour, nor a flag come and go as a window slides), occupancy only
// once the agent has been staffed long enough for it to mean something.
func (a *AgentReport) flags() []string {
	g, d := a.Goals, &a.Day
	out := []string{}
	if g.AHTS != nil && d.AHTS != nil && *d.AHTS > *g.AHTS {
		out = append(out, "aht")
	}
	if g.CSAT != nil && d.CSAT != nil && *d.CSAT < *g.CSAT {
		out = append(out, "csat")
	}
	if g.AuxS != nil && d.AuxS > *g.AuxS {
		out = append(out, "aux")
	}
	if g.Missed != nil && d.Missed > *g.Missed {
		out = append(out, "missed")
	}
	minStaffed := DefaultOccupancyMinStaffed.Seconds()
	if g.OccupancyMinStaffedS != nil {
		minStaffed = *g.OccupancyMinStaffedS
	}
	if g.Occupancy != nil && d.Occupancy != nil && *d.Occupancy < *g.Occupancy && d.StaffedS >= minStaffed {
		out = append(out, "occupancy")
	}
	if a.Pause != nil && a.Pause.OverrunS > 0 {
		out = append(out, "pause")
	}
	return out
}

// listsAbandon says whether an abandon after wait seconds goes on the
// recovery list.
func (f *Floor) listsAbandon(wait float64, short bool) bool {
	if r := f.opts.Goals; r != nil && r.Recovery.AbandonWaitS != nil {
		return wait > *r.Recovery.AbandonWaitS
	}
	return !short
}

func (f *Floor) lowScore(fc fact) bool {
	csatMax, npsMax, cesMin := 2.0, 6.0, 5.0
	if g := f.opts.Goals; g != nil {
		r := g.Recovery
		if r.CSATAtMost != nil {
			csatMax = *r.CSATAtMost
		}
		if r.NPSAtMost != nil {
			npsMax = *r.NPSAtMost
		}
		if r.CESAtLeast != nil {
			cesMin = *r.CESAtLeast
		}
	}
	// NaN compares false, so a score the survey did not ask never matches.
	return fc.csat <= csatMax || fc.nps <= npsMax || fc.ces >= cesMin
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
