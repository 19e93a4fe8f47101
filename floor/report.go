package floor

import (
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// Report is the floor as the views see it: every figure of the contract for
// one window, computed at one instant of the floor clock. Its JSON form is
// `floorwatch status --json`. A Report is never changed after it is made, so
// any number of views may read it at once.
type Report struct {
	Feed   FeedStats     `json:"feed"`
	Now    Time          `json:"now"`
	Window string        `json:"window"` // "all", "today" or a duration such as "30m"
	Floor  Metrics       `json:"floor"`
	Queues []QueueReport `json:"queues"`
	// Channels are the floor's call figures by the calls' channel (protocol
	// 1.1), sorted: each channel the floor has had a call of.
	Channels []ChannelReport `json:"channels"`
	Agents   []AgentReport   `json:"agents"`

	// For the dashboard; not part of `status --json`.
	//
	// DayStart is when the floor's day began (Options.DayStartHour in
	// Zone), the zone intervals are aligned in.
	DayStart time.Time      `json:"-"`
	Zone     *time.Location `json:"-"`
	// IntervalSize is the length of the intervals of Floor and of each
	// queue (zero when the window asked for none). IntervalsFrom, when
	// set, is how far back intervals reach: calls before it were let go
	// from them (they stay in the window's figures), as the fold keeps
	// maxIntervalDays of intervals.
	IntervalSize  time.Duration `json:"-"`
	IntervalsFrom time.Time     `json:"-"`
	//
	// Recovery is the day's customers to win back (whatever the window),
	// newest first; RecoveryDropped counts the day's oldest items let go to
	// keep the list bounded.
	Recovery        []RecoveryItem `json:"-"`
	RecoveryDropped int64          `json:"-"`
	History         History        `json:"-"`
	// CaughtUp: no event the feed's hello announced is still to come.
	// Until then the figures are history being applied, not the floor as
	// it is. Unlike Floor.CaughtUp, lines with no hello before them (a
	// recording) count as caught up: nothing is known to be missing.
	CaughtUp bool `json:"-"`
	// NewFloor is set once a rerun (a hello with a new stream whose clock
	// is behind the floor's) has started the floor afresh; nil before.
	NewFloor *NewFloor `json:"-"`
	// Alerts is the day's alert log, judged on the floor clock at each
	// minute boundary of the fold (so it holds what happened before a
	// viewer connected): every alert active at some time today, newest
	// first, at most 5,000 of them (AlertsDropped counts the older
	// ones let go).
	Alerts        []Alert `json:"-"`
	AlertsDropped int64   `json:"-"`
	// Pauses are the planned length of each aux reason, in seconds, from
	// the goals file (empty without one).
	Pauses map[string]float64 `json:"-"`
	// Drill is the drill.started line of a drill feed (nil otherwise);
	// Actions are its drill.action lines, oldest first, the most recent
	// maxDrillActions of them (ActionsDropped counts the older ones).
	Drill          *DrillStart   `json:"-"`
	Actions        []DrillAction `json:"-"`
	ActionsDropped int64         `json:"-"`
}

// FeedStats is the line accounting of the feed.
type FeedStats struct {
	Name       string `json:"name,omitempty"`
	Stream     string `json:"stream,omitempty"`
	LastSeq    int64  `json:"last_seq"`
	Events     int64  `json:"events"`
	BadLines   int64  `json:"bad_lines"`
	Unknown    int64  `json:"unknown"`
	Duplicates int64  `json:"duplicates"`
	Gaps       int64  `json:"gaps"`
	// LastError describes the most recent bad line, for the views.
	LastError string `json:"last_error,omitempty"`
}

// Metrics are the figures of the contract, for a queue or the whole floor.
// A ratio with no denominator is nil (null in JSON).
type Metrics struct {
	Offered        int64 `json:"offered"`
	Answered       int64 `json:"answered"`
	Abandoned      int64 `json:"abandoned"`
	ShortAbandoned int64 `json:"short_abandoned"`
	// AbandonedByReason counts abandons by why the call left (protocol
	// 1.1): only reasons that occurred, empty (never nil) when none did.
	AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
	AnsweredWithin    int64            `json:"answered_within"`
	ServiceLevel      *float64         `json:"service_level"`
	ASAS              *float64         `json:"asa_s"`
	AHTS              *float64         `json:"aht_s"`
	AbandonRate       *float64         `json:"abandon_rate"`
	Waiting           int              `json:"waiting"`
	LongestWaitS      *float64         `json:"longest_wait_s"`
	Staffed           int              `json:"staffed"`
	Available         int              `json:"available"`
	OnCall            int              `json:"on_call"`
	WrapUp            int              `json:"wrap_up"`
	Aux               int              `json:"aux"`
	Occupancy         *float64         `json:"occupancy"`
	CSAT              *float64         `json:"csat"`
	NPS               *float64         `json:"nps"`
	CES               *float64         `json:"ces"`
	Surveys           int64            `json:"surveys"`
	// SLTarget is the goal the service level is held against: the mean of
	// the targets its calls were held to (a call of a channel with a goal
	// of its own in the queue is held to that), weighted as the service
	// level's denominator counts them. Where it counts no call: the
	// queue's own target, or for the floor the plain mean of the queues'.
	SLTarget float64 `json:"sl_target"`
	// Intervals are the figures interval by interval (Window.WithIntervals),
	// from the first interval with a call to the one that holds now; left
	// out of the JSON when the window asked for none.
	Intervals []Interval `json:"intervals,omitzero"`
}

// ChannelReport is the call figures of one channel's calls, on the floor
// or in a queue.
type ChannelReport struct {
	Channel        string   `json:"channel"`
	Offered        int64    `json:"offered"`
	Answered       int64    `json:"answered"`
	Abandoned      int64    `json:"abandoned"`
	ShortAbandoned int64    `json:"short_abandoned"`
	AnsweredWithin int64    `json:"answered_within"`
	ServiceLevel   *float64 `json:"service_level"`
	ASAS           *float64 `json:"asa_s"`
	AHTS           *float64 `json:"aht_s"`
	AbandonRate    *float64 `json:"abandon_rate"`
	Waiting        int      `json:"waiting"`
	LongestWaitS   *float64 `json:"longest_wait_s"`
	// The goal, for the dashboard. SLTarget is weighted like Metrics'
	// (where no call was judged: the channel's own target, on the floor
	// the plain mean over the queues that have its calls). SLThresholdS is
	// the channel's threshold in the queue, in a queue's list only (0 on
	// the floor's: queues may differ).
	SLTarget     float64 `json:"-"`
	SLThresholdS float64 `json:"-"`
}

// Interval is the figures of one interval of the clock (protocol 1.1): a
// call counts in the interval in which it was answered or abandoned, an
// offer in the one in which it was offered, an AHT sample in the one in
// which its call was answered.
type Interval struct {
	Start          Time  `json:"start"`
	Offered        int64 `json:"offered"`
	Answered       int64 `json:"answered"`
	AnsweredWithin int64 `json:"answered_within"`
	Abandoned      int64 `json:"abandoned"`
	ShortAbandoned int64 `json:"short_abandoned"`
	// AbandonedByReason is {} where nothing was abandoned.
	AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
	ServiceLevel      *float64         `json:"service_level"`
	ASAS              *float64         `json:"asa_s"`
	AHTS              *float64         `json:"aht_s"`
	AbandonRate       *float64         `json:"abandon_rate"`
	// For the dashboard: where the interval ends (Start plus the size,
	// except where a zone's clock moves by less than an interval), whether
	// it holds now, and its goal (as Metrics.SLTarget, over its calls).
	End        time.Time `json:"-"`
	InProgress bool      `json:"-"`
	SLTarget   float64   `json:"-"`
}

// QueueReport is one queue: its goal and its figures.
type QueueReport struct {
	Queue string `json:"queue"`
	Name  string `json:"name"`
	Metrics
	SLThresholdS  float64 `json:"sl_threshold_s"`
	ShortAbandonS float64 `json:"short_abandon_s"`
	SLMode        string  `json:"sl_mode"`
	// ArrivalsPerHour is the offer rate over the last 30 minutes of the floor
	// clock (or since the first event, if sooner).
	ArrivalsPerHour float64 `json:"arrivals_per_hour"`
	// AgentsNeeded is the Erlang C staffing that meets the goal at the current
	// arrival rate and AHT; nil when either is unknown.
	AgentsNeeded *int `json:"agents_needed"`
	// Channels are the queue's call figures by channel, each with the goal
	// its calls are held to in this queue, sorted; for the dashboard.
	Channels []ChannelReport `json:"-"`
}

// AgentReport is one agent's accountability line.
type AgentReport struct {
	Agent       string             `json:"agent"`
	Name        string             `json:"name"`
	State       string             `json:"state"`
	Reason      string             `json:"reason,omitempty"`
	StateS      float64            `json:"state_s"`
	Queues      []string           `json:"queues"`
	Call        string             `json:"call,omitempty"`
	Handled     int64              `json:"handled"`
	AHTS        *float64           `json:"aht_s"`
	Missed      int64              `json:"missed"`
	Transferred int64              `json:"transferred"`
	AuxS        float64            `json:"aux_s"`
	AuxByReason map[string]float64 `json:"aux_by_reason"`
	CSAT        *float64           `json:"csat"`
	Surveys     int64              `json:"surveys"`
	Occupancy   *float64           `json:"occupancy"`
	// Goals in force for this agent (team goals with the agent's own
	// overrides) and the ones the agent is off.
	Goals AgentGoals `json:"goals"`
	Flags []string   `json:"flags"`
	// Comments are what customers wrote in this agent's surveys today,
	// newest first, the last maxAgentComments of them: the agent's own
	// card shows praise as well as complaints. Not in status --json.
	Comments []SurveyComment `json:"-"`
	// Pause is the agent's current pause against its planned length: set
	// while the agent is in aux for a reason the goals file plans.
	Pause *Pause `json:"pause,omitempty"`
	// Day holds the day's figures the flags are judged on, whatever the
	// window: a daily limit is a limit on the day.
	Day AgentDay `json:"-"`
}

// Pause is an agent's pause now, in seconds.
type Pause struct {
	Reason   string  `json:"reason"`
	PlannedS float64 `json:"planned_s"`
	ElapsedS float64 `json:"elapsed_s"`
	// OverrunS is how far past its planned length the pause has gone (0
	// while within it).
	OverrunS float64 `json:"overrun_s"`
}

// AgentDay is an agent's day so far: what the goals are held against.
type AgentDay struct {
	Handled   int64
	AHTS      *float64
	Missed    int64
	AuxS      float64
	CSAT      *float64
	Occupancy *float64
	// StaffedS is the time not offline today; occupancy is judged only
	// past the goal's occupancy_min_staffed_s.
	StaffedS float64
}

// NewFloor says that the floor started afresh on a rerun.
type NewFloor struct {
	// Count is how many times the floor has started afresh: a view that
	// saw a lower count has a banner to show.
	Count  int
	Stream string    // the new stream
	At     time.Time // the new floor's clock at its hello
	// Previous is where the old floor's clock stood when it was let go.
	Previous time.Time
}

// Kinds of recovery items.
const (
	RecoveryAbandon = "abandon" // a caller who left the queue unanswered
	RecoverySurvey  = "survey"  // a survey with a low score
)

// RecoveryItem is a customer to win back: a call abandoned (other than a
// short abandon, or after the goals file's recovery.abandon_wait_s), or a
// survey with a low score.
type RecoveryItem struct {
	At    time.Time `json:"at"`   // when the call left, or the survey came
	Kind  string    `json:"kind"` // RecoveryAbandon or RecoverySurvey
	Call  string    `json:"call"`
	Queue string    `json:"queue"`
	Agent string    `json:"agent,omitempty"`
	// Caller is whom to call back, as the source gives it ("" when it gave
	// none); Channel the call's channel; Reason why an abandoned call left
	// (feed.ReasonCaller and the others, or a source's own word).
	Caller  string  `json:"caller,omitempty"`
	Channel string  `json:"channel,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	WaitS   float64 `json:"wait_s,omitempty"`
	// Redial is the caller's latest call offered since this abandon, and
	// what became of it; nil when the caller has not called again (or is
	// unknown).
	Redial  *Redial  `json:"redial,omitempty"`
	CSAT    *float64 `json:"csat,omitempty"`
	NPS     *float64 `json:"nps,omitempty"`
	CES     *float64 `json:"ces,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// Key names the item for as long as the floor lives, so a view can mark it
// done and find the mark again in the next Report.
func (it *RecoveryItem) Key() string {
	return it.Kind + "/" + it.Call + "@" + feed.FormatTime(it.At)
}

// What became of a redial.
const (
	RedialWaiting     = "waiting"     // still in the queue
	RedialAnswered    = "answered"    // Agent is talking with the caller
	RedialEnded       = "ended"       // Agent finished the conversation
	RedialTransferred = "transferred" // Agent sent it to Queue, or out of the floor (To)
	RedialAbandoned   = "abandoned"   // the caller left again (listed on its own too)
)

// Redial is a later call from the same caller.
type Redial struct {
	Call    string    `json:"call"`
	At      time.Time `json:"at"` // when it was offered
	Queue   string    `json:"queue"`
	Outcome string    `json:"outcome"`
	Agent   string    `json:"agent,omitempty"`
	To      string    `json:"to,omitempty"`
}

// DrillStart is a drill feed's opening line (drill.started).
type DrillStart struct {
	At       time.Time
	Scenario string
	Seed     int64
	Briefing string
}

// DrillAction is a supervisor's command as the simulator took it
// (drill.action): Command is "" when the frame held none, Result "ok" or
// "refused: why".
type DrillAction struct {
	At      time.Time
	ID      string
	By      string
	Command string
	Result  string
	// The command's own fields, as the line gave them (feed.Drill's), so
	// that an action log can say what was done.
	Agent  string
	Queues []string
	Count  int
	For    string
	Queue  string
	To     string
	AfterS *float64
}

// History is the last hour of the floor, a point a minute of the floor
// clock, oldest first, built from what the floor counted (catch-up
// included), for sparklines. The last point is the minute holding End.
type History struct {
	End  time.Time     // the floor clock at the last point: the Report's Now
	Step time.Duration // a minute
	// ServiceLevel is the service level of the Report's window as it stood
	// at the end of each minute; its last point is the headline's (NaN
	// where the window had no call to judge).
	ServiceLevel []float64
	Waiting      []float64 // the most calls waiting at once in each minute
	Arrivals     []float64 // calls offered in each minute
	// Labels say what each series is, for the view to show.
	Labels HistoryLabels
}

// HistoryLabels name the series of a History.
type HistoryLabels struct {
	ServiceLevel, Waiting, Arrivals string
}

// Span is how much of the floor clock the series cover.
func (h *History) Span() time.Duration { return time.Duration(len(h.Arrivals)) * h.Step }

// Time marshals as the protocol writes timestamps.
type Time struct{ time.Time }

// MarshalJSON writes t like a `ts`.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + feed.FormatTime(t.Time) + `"`), nil
}

// Label is the queue's name, or its id when the feed gave none.
func (q *QueueReport) Label() string {
	if q.Name != "" {
		return q.Name
	}
	return q.Queue
}

// Label is the agent's name, or their id when the feed gave none.
func (a *AgentReport) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Agent
}

// SurveyComment is what one customer wrote of one agent, with the scores
// they gave; it names no call and no caller.
type SurveyComment struct {
	At      Time     `json:"at"`
	CSAT    *float64 `json:"csat,omitempty"`
	NPS     *float64 `json:"nps,omitempty"`
	CES     *float64 `json:"ces,omitempty"`
	Comment string   `json:"comment"`
}
