package simulator

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// Scenario is a floor to simulate, as a scenario file describes it. Its
// field names are the file's keys; see DESIGN.md "Scenarios" and the
// README for the format.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Briefing is what a trainee reads before a drill (drill.started
	// carries it); a bundled scenario with one is a bundled drill.
	Briefing string      `yaml:"briefing"`
	Goal     *GoalSpec   `yaml:"goal"`
	Seed     int64       `yaml:"seed"`
	Start    Timestamp   `yaml:"start"`
	Duration Duration    `yaml:"duration"`
	Surveys  *SurveySpec `yaml:"surveys"`
	// Redial is every queue's, unless the queue sets its own.
	Redial *RedialSpec `yaml:"redial"`
	Queues []QueueSpec `yaml:"queues"`
	Agents []AgentSpec `yaml:"agents"`
	Drills []DrillSpec `yaml:"drills"`
}

// QueueSpec is one queue: its goal, its callers and its calls.
type QueueSpec struct {
	Queue         string         `yaml:"queue"`
	Name          string         `yaml:"name"`
	SLThresholdS  *floor.Seconds `yaml:"sl_threshold_s"`
	SLTarget      *float64       `yaml:"sl_target"`
	ShortAbandonS *floor.Seconds `yaml:"short_abandon_s"`
	SLMode        string         `yaml:"sl_mode"`
	// ChannelGoals hold the calls of a channel to a goal of their own in
	// this queue (queue.config's channel_goals): calls of another channel
	// transferred or overflowing in, or the queue's own.
	ChannelGoals map[string]ChannelGoalSpec `yaml:"channel_goals"`
	// Channel is what the queue's calls are: voice (the default), chat,
	// email, social or a word of the floor's own. A caller's calls keep the
	// channel of the queue they dialled, through transfers, overflows and
	// redials.
	Channel string `yaml:"channel"`
	// Concurrency is how many of the queue's conversations an agent holds
	// at once (default 1; more only for a channel other than voice). An
	// agent holding some takes another only while every conversation it
	// holds allows that many, and no voice call while it holds any.
	Concurrency int `yaml:"concurrency"`
	// CallsPerHour is the arrival rate outside any Rates interval.
	CallsPerHour float64    `yaml:"calls_per_hour"`
	Rates        []RateSpec `yaml:"rates"`
	AHTS         float64    `yaml:"aht_s"`
	Handle       string     `yaml:"handle"`
	// HandleCV is the lognormal's standard deviation over its mean.
	HandleCV *float64 `yaml:"handle_cv"`
	// WrapS is the mean of an exponential wrap-up; 0 means none.
	WrapS float64 `yaml:"wrap_s"`
	// PatienceS is the mean of an exponential patience; nil: never hang up.
	PatienceS *float64      `yaml:"patience_s"`
	Transfer  *TransferSpec `yaml:"transfer"`
	Redial    *RedialSpec   `yaml:"redial"`
}

// ChannelGoalSpec is one channel's goal in a queue, written as in a goals
// file (sl_threshold_s: 60s); a field left out is the queue's.
type ChannelGoalSpec floor.ChannelGoal

// MaxConcurrency is the most conversations an agent may hold at once.
const MaxConcurrency = 20

// RedialSpec makes a share of the callers who hang up call again: each
// with the chance Probability, after an exponential delay of mean
// MeanDelay. A redial is a new call of the same caller to the same queue.
type RedialSpec struct {
	Probability float64  `yaml:"probability"`
	MeanDelay   Duration `yaml:"mean_delay"`
}

// GoalSpec is a drill's goal: Text for the trainee, and what of it a
// machine can check (see Check), each optional. The figures are those of
// Queue, or of the whole floor when it is empty, over the whole drill.
type GoalSpec struct {
	Text  string `yaml:"text"`
	Queue string `yaml:"queue"`
	// ServiceLevel is the least service level that meets the goal.
	ServiceLevel *float64 `yaml:"service_level"`
	// AbandonRate is the most abandon rate that meets it.
	AbandonRate *float64 `yaml:"abandon_rate"`
	// OvertimeHours is the most overtime that meets it, in agent-hours
	// called in (see OvertimeHours).
	OvertimeHours *float64 `yaml:"overtime_hours"`
}

// RateSpec sets a queue's arrival rate from a time of day until the next
// RateSpec (or the end of the day).
type RateSpec struct {
	At           Clock   `yaml:"at"`
	CallsPerHour float64 `yaml:"calls_per_hour"`
}

// TransferSpec sends a share of a queue's conversations on to other queues.
type TransferSpec struct {
	Rate float64  `yaml:"rate"`
	To   []string `yaml:"to"`
}

// SurveySpec sets how many callers answer the post-call survey.
type SurveySpec struct {
	Rate        float64 `yaml:"rate"`
	CommentRate float64 `yaml:"comment_rate"`
}

// AgentSpec is a group of agents with the same skills and schedule.
type AgentSpec struct {
	Count  int         `yaml:"count"`
	Queues []string    `yaml:"queues"`
	Shift  *ShiftSpec  `yaml:"shift"`
	Breaks []BreakSpec `yaml:"breaks"`
	// MissRate is the chance that an offered call rings unanswered.
	MissRate   float64  `yaml:"miss_rate"`
	RingS      *float64 `yaml:"ring_s"`
	MissedAuxS *float64 `yaml:"missed_aux_s"`
}

// ShiftSpec is a daily shift, from Start to End (past midnight if End is
// earlier).
type ShiftSpec struct {
	Start Clock `yaml:"start"`
	End   Clock `yaml:"end"`
}

// BreakSpec is a daily break for every agent of a group, taken in turn:
// the group's agents start theirs spread evenly over Spread from At.
type BreakSpec struct {
	At     Clock    `yaml:"at"`
	Length Duration `yaml:"length"`
	Reason string   `yaml:"reason"`
	Spread Duration `yaml:"spread"`
}

// DrillSpec is a scripted event. Types: surge (arrivals ×Factor), callout
// (Agents agents do not come in / go home), outage (no call is answered),
// long_calls (handle time ×Factor). Queue limits it to one queue.
type DrillSpec struct {
	Type   string   `yaml:"type"`
	At     Clock    `yaml:"at"`
	For    Duration `yaml:"for"`
	Factor float64  `yaml:"factor"`
	Queue  string   `yaml:"queue"`
	Agents int      `yaml:"agents"`
}

// Drill types.
const (
	DrillSurge     = "surge"
	DrillCallout   = "callout"
	DrillOutage    = "outage"
	DrillLongCalls = "long_calls"
)

// Defaults for what a scenario leaves out.
const (
	DefaultSurveyRate  = 0.2
	DefaultCommentRate = 0.25
	DefaultHandleCV    = 0.8
	DefaultRingS       = 12
	DefaultMissedAuxS  = 30
	DefaultBreakSpread = time.Hour
)

// DefaultStart is when a scenario without `start` begins: a Monday, 08:00 UTC.
var DefaultStart = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// Duration is a Go duration written as a string: "8h", "90m", "1h30m".
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if n.Kind != yaml.ScalarNode || n.Decode(&s) != nil {
		return fmt.Errorf("line %d: want a duration such as \"8h\" or \"90m\"", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration; write it like 8h, 90m or 1h30m", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) ms() int64 { return time.Duration(d).Milliseconds() }

// Clock is a time of day, "HH:MM" (or "HH:MM:SS"), in the zone of the
// scenario's start.
type Clock time.Duration

// UnmarshalYAML reads "HH:MM".
func (c *Clock) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if n.Kind != yaml.ScalarNode || n.Decode(&s) != nil {
		return fmt.Errorf("line %d: want a time of day such as \"12:30\"", n.Line)
	}
	var t time.Time
	var err error
	if t, err = time.Parse("15:04", s); err != nil {
		if t, err = time.Parse("15:04:05", s); err != nil {
			return fmt.Errorf("line %d: %q is not a time of day; write it like 09:00 or 13:30 (24-hour clock)", n.Line, s)
		}
	}
	*c = Clock(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
	return nil
}

// ms is the time of day in ms after midnight.
func (c Clock) ms() int64 { return time.Duration(c).Milliseconds() }

// Timestamp is an RFC 3339 time.
type Timestamp struct{ time.Time }

// UnmarshalYAML reads an RFC 3339 time, quoted or not.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a time such as \"2026-11-23T08:00:00Z\"", n.Line)
	}
	v, err := time.Parse(time.RFC3339, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not an RFC 3339 time; write it like 2026-11-23T08:00:00Z", n.Line, n.Value)
	}
	t.Time = v
	return nil
}

// strictKeys rejects a mapping key that the struct type does not have,
// naming the valid ones, so a misspelt key is an error and not a silently
// ignored setting.
func strictKeys(n *yaml.Node, what string, t reflect.Type) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be a mapping of keys to values", n.Line, what)
	}
	valid := map[string]bool{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			valid[tag] = true
			names = append(names, tag)
		}
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !valid[k.Value] {
			return fmt.Errorf("line %d: %s has no key %q; valid keys: %s", k.Line, what, k.Value, strings.Join(names, ", "))
		}
	}
	return nil
}

// decodeStrict decodes n into v, after strictKeys; v's type must not have
// an UnmarshalYAML of its own (each spec passes itself as a plain type).
func decodeStrict[T any](n *yaml.Node, what string, v *T) error {
	if err := strictKeys(n, what, reflect.TypeFor[T]()); err != nil {
		return err
	}
	return n.Decode(v)
}

// UnmarshalYAML decodes strictly.
func (s *Scenario) UnmarshalYAML(n *yaml.Node) error {
	type plain Scenario
	return decodeStrict(n, "the scenario", (*plain)(s))
}

// UnmarshalYAML decodes strictly.
func (q *QueueSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain QueueSpec
	return decodeStrict(n, "a queue", (*plain)(q))
}

// UnmarshalYAML decodes strictly.
func (g *ChannelGoalSpec) UnmarshalYAML(n *yaml.Node) error {
	return decodeStrict(n, "a channel goal", (*floor.ChannelGoal)(g))
}

// UnmarshalYAML decodes strictly.
func (r *RedialSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain RedialSpec
	return decodeStrict(n, "redial", (*plain)(r))
}

// UnmarshalYAML decodes strictly.
func (g *GoalSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain GoalSpec
	return decodeStrict(n, "goal", (*plain)(g))
}

// UnmarshalYAML decodes strictly.
func (r *RateSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain RateSpec
	return decodeStrict(n, "a rate", (*plain)(r))
}

// UnmarshalYAML decodes strictly.
func (t *TransferSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain TransferSpec
	return decodeStrict(n, "transfer", (*plain)(t))
}

// UnmarshalYAML decodes strictly.
func (s *SurveySpec) UnmarshalYAML(n *yaml.Node) error {
	type plain SurveySpec
	return decodeStrict(n, "surveys", (*plain)(s))
}

// UnmarshalYAML decodes strictly.
func (a *AgentSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain AgentSpec
	return decodeStrict(n, "an agent group", (*plain)(a))
}

// UnmarshalYAML decodes strictly.
func (s *ShiftSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain ShiftSpec
	return decodeStrict(n, "shift", (*plain)(s))
}

// UnmarshalYAML decodes strictly.
func (b *BreakSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain BreakSpec
	return decodeStrict(n, "a break", (*plain)(b))
}

// UnmarshalYAML decodes strictly.
func (d *DrillSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain DrillSpec
	return decodeStrict(n, "a drill", (*plain)(d))
}

// Parse reads a scenario (YAML, or JSON, which is YAML) and checks it.
func Parse(data []byte) (*Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the scenario is empty")
		}
		return nil, cleanYAMLError(err)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// cleanYAMLError drops the library's Go type names from a type error.
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			m = strings.ReplaceAll(m, "cannot unmarshal", "cannot use")
			for _, goType := range []string{"float64", "int64", "int", "string", "[]string", "bool"} {
				m = strings.ReplaceAll(m, "into "+goType, "as "+friendly(goType))
			}
			msgs[i] = m
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

func friendly(goType string) string {
	switch goType {
	case "float64", "int64", "int":
		return "a number"
	case "[]string":
		return "a list of names"
	case "bool":
		return "true or false"
	}
	return "text"
}

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

// check validates what decoding cannot and fills in defaults.
func (s *Scenario) check() error {
	if s.Start.IsZero() {
		s.Start.Time = DefaultStart
	}
	if s.Duration <= 0 {
		return fieldErr("duration", "must be set to a positive duration such as \"8h\"")
	}
	if s.Surveys == nil {
		s.Surveys = &SurveySpec{Rate: DefaultSurveyRate, CommentRate: DefaultCommentRate}
	}
	if r := s.Surveys.Rate; r < 0 || r > 1 {
		return fieldErr("surveys.rate", "must be between 0 and 1 (a share of calls), got %v", r)
	}
	if r := s.Surveys.CommentRate; r < 0 || r > 1 {
		return fieldErr("surveys.comment_rate", "must be between 0 and 1 (a share of surveys), got %v", r)
	}
	if len(s.Queues) == 0 {
		return fieldErr("queues", "at least one queue is needed")
	}
	if err := s.Redial.check("redial"); err != nil {
		return err
	}
	ids := map[string]bool{}
	for i := range s.Queues {
		q := &s.Queues[i]
		f := fmt.Sprintf("queues[%d]", i)
		if q.Queue == "" {
			return fieldErr(f+".queue", "every queue needs an id, such as \"support\"")
		}
		if ids[q.Queue] {
			return fieldErr(f+".queue", "%q is used by two queues; ids must be unique", q.Queue)
		}
		ids[q.Queue] = true
		f = fmt.Sprintf("queues[%d] (%s)", i, q.Queue)
		if err := q.check(f); err != nil {
			return err
		}
	}
	for i := range s.Queues {
		if t := s.Queues[i].Transfer; t != nil {
			for _, to := range t.To {
				if !ids[to] {
					return fieldErr(fmt.Sprintf("queues[%d] (%s).transfer.to", i, s.Queues[i].Queue), "%q is not a queue; queues are %s", to, idList(ids))
				}
			}
		}
	}
	if len(s.Agents) == 0 {
		return fieldErr("agents", "at least one agent group is needed, such as {count: 10, queues: [%s]}", s.Queues[0].Queue)
	}
	skilled := map[string]bool{}
	for i := range s.Agents {
		if err := s.Agents[i].check(fmt.Sprintf("agents[%d]", i), ids); err != nil {
			return err
		}
		for _, q := range s.Agents[i].Queues {
			skilled[q] = true
		}
	}
	for _, q := range s.Queues {
		if !skilled[q.Queue] {
			return fieldErr("agents", "no agent group has queue %q among its queues, so its calls would never be answered", q.Queue)
		}
	}
	for i := range s.Drills {
		if err := s.Drills[i].check(fmt.Sprintf("drills[%d]", i), ids); err != nil {
			return err
		}
	}
	return s.Goal.check(ids)
}

func (r *RedialSpec) check(f string) error {
	if r == nil {
		return nil
	}
	if r.Probability < 0 || r.Probability > 1 {
		return fieldErr(f+".probability", "must be between 0 and 1 (a share of the callers who hang up), got %v", r.Probability)
	}
	if r.Probability > 0 && r.MeanDelay <= 0 {
		return fieldErr(f+".mean_delay", "must be a positive duration such as \"5m\"")
	}
	return nil
}

func (g *GoalSpec) check(ids map[string]bool) error {
	if g == nil {
		return nil
	}
	if strings.TrimSpace(g.Text) == "" {
		return fieldErr("goal.text", "say the goal in words for the trainee, such as \"keep support at 80 %% without overtime\"")
	}
	if g.Queue != "" && !ids[g.Queue] {
		return fieldErr("goal.queue", "%q is not a queue; queues are %s", g.Queue, idList(ids))
	}
	for _, r := range []struct {
		name string
		v    *float64
	}{{"service_level", g.ServiceLevel}, {"abandon_rate", g.AbandonRate}} {
		if r.v != nil && (*r.v < 0 || *r.v > 1) {
			return fieldErr("goal."+r.name, "must be between 0 and 1 (0.8 is 80%%), got %v", *r.v)
		}
	}
	if g.OvertimeHours != nil && *g.OvertimeHours < 0 {
		return fieldErr("goal.overtime_hours", "must be 0 or more agent-hours, got %v", *g.OvertimeHours)
	}
	return nil
}

func idList(ids map[string]bool) string {
	l := make([]string, 0, len(ids))
	for id := range ids {
		l = append(l, id)
	}
	sort.Strings(l)
	return strings.Join(l, ", ")
}

func (q *QueueSpec) check(f string) error {
	if q.SLThresholdS != nil && *q.SLThresholdS < 0 {
		return fieldErr(f+".sl_threshold_s", "must be 0 or more seconds, got %v", *q.SLThresholdS)
	}
	for _, ch := range slices.Sorted(maps.Keys(q.ChannelGoals)) {
		g, cf := q.ChannelGoals[ch], f+".channel_goals."+ch
		switch {
		case ch == "":
			return fieldErr(f+".channel_goals", "a channel's name is empty")
		case g.SLThresholdS != nil && *g.SLThresholdS < 0:
			return fieldErr(cf+".sl_threshold_s", "must be 0 or more seconds, got %v", *g.SLThresholdS)
		case g.SLTarget != nil && (*g.SLTarget < 0 || *g.SLTarget > 1):
			return fieldErr(cf+".sl_target", "must be between 0 and 1 (0.9 is 90%%), got %v", *g.SLTarget)
		}
	}
	if q.Channel == "" {
		q.Channel = feed.ChannelVoice
	}
	switch {
	case q.Concurrency == 0:
		q.Concurrency = 1
	case q.Concurrency < 0 || q.Concurrency > MaxConcurrency:
		return fieldErr(f+".concurrency", "must be 1 to %d conversations at once, got %d", MaxConcurrency, q.Concurrency)
	case q.Concurrency > 1 && q.Channel == feed.ChannelVoice:
		return fieldErr(f+".concurrency", "a voice call takes the whole agent; set channel (chat, email, social) for %d at once", q.Concurrency)
	}
	if q.SLTarget != nil && (*q.SLTarget < 0 || *q.SLTarget > 1) {
		return fieldErr(f+".sl_target", "must be between 0 and 1 (0.8 is 80%%), got %v", *q.SLTarget)
	}
	if q.ShortAbandonS != nil && *q.ShortAbandonS < 0 {
		return fieldErr(f+".short_abandon_s", "must be 0 or more seconds, got %v", *q.ShortAbandonS)
	}
	if q.SLMode != "" && !feed.ValidSLMode(q.SLMode) {
		return fieldErr(f+".sl_mode", "%q is not a mode; use %s, %s or %s", q.SLMode, feed.ModeExcludeShort, feed.ModeAnsweredOnly, feed.ModeAbandonsInSLGood)
	}
	if q.CallsPerHour < 0 {
		return fieldErr(f+".calls_per_hour", "must be 0 or more, got %v", q.CallsPerHour)
	}
	for j, r := range q.Rates {
		if r.CallsPerHour < 0 {
			return fieldErr(fmt.Sprintf("%s.rates[%d].calls_per_hour", f, j), "must be 0 or more, got %v", r.CallsPerHour)
		}
		if j > 0 && r.At <= q.Rates[j-1].At {
			return fieldErr(fmt.Sprintf("%s.rates[%d].at", f, j), "times must increase through the day; %s follows %s", clockString(r.At), clockString(q.Rates[j-1].At))
		}
	}
	if q.AHTS <= 0 {
		return fieldErr(f+".aht_s", "must be more than 0 seconds (the mean handle time), got %v", q.AHTS)
	}
	switch q.Handle {
	case "":
		q.Handle = "exponential"
	case "exponential", "lognormal":
	default:
		return fieldErr(f+".handle", "%q is not a distribution; use exponential or lognormal", q.Handle)
	}
	if q.HandleCV != nil && (*q.HandleCV <= 0 || q.Handle != "lognormal") {
		return fieldErr(f+".handle_cv", "applies to handle: lognormal only and must be more than 0, got %v with handle %s", *q.HandleCV, q.Handle)
	}
	if q.WrapS < 0 {
		return fieldErr(f+".wrap_s", "must be 0 or more seconds, got %v", q.WrapS)
	}
	if q.PatienceS != nil && *q.PatienceS <= 0 {
		return fieldErr(f+".patience_s", "must be more than 0 seconds, or left out for callers who never hang up; got %v", *q.PatienceS)
	}
	if err := q.Redial.check(f + ".redial"); err != nil {
		return err
	}
	if t := q.Transfer; t != nil {
		if t.Rate < 0 || t.Rate > 1 {
			return fieldErr(f+".transfer.rate", "must be between 0 and 1 (a share of conversations), got %v", t.Rate)
		}
		if len(t.To) == 0 {
			return fieldErr(f+".transfer.to", "name at least one queue to transfer to")
		}
	}
	return nil
}

func (a *AgentSpec) check(f string, ids map[string]bool) error {
	if a.Count <= 0 {
		return fieldErr(f+".count", "must be 1 or more agents, got %d", a.Count)
	}
	if len(a.Queues) == 0 {
		return fieldErr(f+".queues", "name the queues these agents answer; queues are %s", idList(ids))
	}
	for _, q := range a.Queues {
		if !ids[q] {
			return fieldErr(f+".queues", "%q is not a queue; queues are %s", q, idList(ids))
		}
	}
	if a.MissRate < 0 || a.MissRate >= 1 {
		return fieldErr(f+".miss_rate", "must be at least 0 and below 1 (a share of offered calls), got %v", a.MissRate)
	}
	if a.RingS != nil && *a.RingS < 0 {
		return fieldErr(f+".ring_s", "must be 0 or more seconds, got %v", *a.RingS)
	}
	if a.MissedAuxS != nil && *a.MissedAuxS < 0 {
		return fieldErr(f+".missed_aux_s", "must be 0 or more seconds, got %v", *a.MissedAuxS)
	}
	if a.Shift != nil && a.Shift.Start == a.Shift.End {
		return fieldErr(f+".shift", "start and end are both %s; leave shift out for agents on all day", clockString(a.Shift.Start))
	}
	for j := range a.Breaks {
		b := &a.Breaks[j]
		bf := fmt.Sprintf("%s.breaks[%d]", f, j)
		if b.Length <= 0 {
			return fieldErr(bf+".length", "must be a positive duration such as \"15m\"")
		}
		if b.Spread < 0 {
			return fieldErr(bf+".spread", "must be 0 or a positive duration")
		}
		if b.Spread == 0 {
			b.Spread = Duration(DefaultBreakSpread)
		}
		if b.Reason == "" {
			b.Reason = "break"
		}
	}
	return nil
}

func (d *DrillSpec) check(f string, ids map[string]bool) error {
	if d.Queue != "" && !ids[d.Queue] {
		return fieldErr(f+".queue", "%q is not a queue; queues are %s", d.Queue, idList(ids))
	}
	if d.For < 0 {
		return fieldErr(f+".for", "must be a positive duration")
	}
	switch d.Type {
	case DrillSurge, DrillLongCalls:
		if d.Factor <= 0 {
			return fieldErr(f+".factor", "a %s needs a factor above 0 (2 doubles it), got %v", d.Type, d.Factor)
		}
		if d.For == 0 {
			return fieldErr(f+".for", "a %s needs a length, such as \"1h\"", d.Type)
		}
	case DrillOutage:
		if d.For == 0 {
			return fieldErr(f+".for", "an outage needs a length, such as \"20m\"")
		}
	case DrillCallout:
		if d.Agents <= 0 {
			return fieldErr(f+".agents", "a callout needs the number of agents calling out, got %d", d.Agents)
		}
	case "":
		return fieldErr(f+".type", "missing; use %s, %s, %s or %s", DrillSurge, DrillCallout, DrillOutage, DrillLongCalls)
	default:
		return fieldErr(f+".type", "%q is not a drill; use %s, %s, %s or %s", d.Type, DrillSurge, DrillCallout, DrillOutage, DrillLongCalls)
	}
	return nil
}

func clockString(c Clock) string {
	d := time.Duration(c)
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

//go:embed scenarios/*.yaml
var bundled embed.FS

// Bundled lists the scenarios built into the binary, sorted by name.
func Bundled() []BundledScenario {
	entries, err := fs.ReadDir(bundled, "scenarios")
	if err != nil {
		panic("simulator: bundled scenarios: " + err.Error())
	}
	var out []BundledScenario
	for _, e := range entries {
		data, err := bundled.ReadFile("scenarios/" + e.Name())
		if err != nil {
			panic("simulator: bundled scenarios: " + err.Error())
		}
		s, err := Parse(data)
		if err != nil {
			panic("simulator: bundled scenario " + e.Name() + ": " + err.Error())
		}
		out = append(out, BundledScenario{Name: strings.TrimSuffix(e.Name(), ".yaml"), Scenario: s})
	}
	return out
}

// BundledScenario is one scenario built into the binary.
type BundledScenario struct {
	Name     string
	Scenario *Scenario
}

// DefaultScenario is what `sim` runs without --scenario.
const DefaultScenario = "steady-day"

// Load returns the bundled scenario of that name, or else reads the file at
// that path.
func Load(nameOrPath string) (*Scenario, error) {
	if data, err := bundled.ReadFile("scenarios/" + nameOrPath + ".yaml"); err == nil && !strings.ContainsAny(nameOrPath, "/\\") {
		return Parse(data)
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			names := make([]string, 0)
			for _, b := range Bundled() {
				names = append(names, b.Name)
			}
			return nil, fmt.Errorf("scenario %q: no such bundled scenario or file; bundled: %s", nameOrPath, strings.Join(names, ", "))
		}
		return nil, fmt.Errorf("scenario %q: %w", nameOrPath, err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(nameOrPath), err)
	}
	return s, nil
}
