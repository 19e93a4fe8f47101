// Package feed is the floorwatch wire protocol (version 1 and the additive
// 1.1): the event types,
// an NDJSON decoder that checks every line, an encoder, and the WebSocket
// feed server and client that carry them.
package feed

import (
	"time"
)

// ProtocolVersion is the `v` a hello carries.
const ProtocolVersion = 1

// Event types of protocol version 1.
const (
	TypeHello       = "hello"
	TypeSnapshot    = "snapshot"
	TypeHeartbeat   = "heartbeat"
	TypeQueueConfig = "queue.config"
	TypeAgentState  = "agent.state"
	TypeOffered     = "call.offered"
	TypeAnswered    = "call.answered"
	TypeMissed      = "call.missed"
	TypeAbandoned   = "call.abandoned"
	TypeTransferred = "call.transferred"
	TypeEnded       = "call.ended"
	TypeWrapped     = "call.wrapped"
	TypeSurvey      = "survey.submitted"

	// Version 1.1: a supervisor's action in a drill and the drill's opening
	// line. Both are applied and change no figure.
	TypeDrillAction  = "drill.action"
	TypeDrillStarted = "drill.started"
)

// Abandon reasons (protocol 1.1): why a call left the queue unanswered.
// Every reason counts as abandoned; only ReasonCaller can be short. A source
// may send a reason not listed here: it is kept as it is.
const (
	ReasonCaller   = "caller"    // the caller hung up (the default)
	ReasonTimeout  = "timeout"   // the queue's maximum wait sent it elsewhere
	ReasonNoAgents = "no_agents" // nobody was logged in to take it
	ReasonExitKey  = "exit_key"  // the caller chose to leave (e.g. voicemail)
	ReasonWithdraw = "withdrawn" // taken out by the system or an operator
)

// ChannelVoice is a call's channel when the feed names none.
const ChannelVoice = "voice"

// Agent states.
const (
	StateOffline   = "offline"
	StateAvailable = "available"
	StateOnCall    = "on_call"
	StateWrapUp    = "wrap_up"
	StateAux       = "aux"
)

// Service-level modes: how a queue's counts combine into its service level.
const (
	ModeExcludeShort     = "exclude_short"
	ModeAnsweredOnly     = "answered_only"
	ModeAbandonsInSLGood = "abandons_in_sl_good"
)

// Queue goal defaults, used when a queue.config omits a field or a queue is
// first seen in a call event.
const (
	DefaultSLThresholdS  = 20
	DefaultSLTarget      = 0.8
	DefaultShortAbandonS = 5
	DefaultSLMode        = ModeExcludeShort
)

// TimeLayout is how every `ts` (and `now`, `since`, ...) is written:
// RFC 3339 UTC with milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// FormatTime writes t the way the protocol writes timestamps.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// QueueConfig is a queue and its answer-time goal.
type QueueConfig struct {
	Queue         string  `json:"queue"`
	Name          string  `json:"name,omitempty"`
	SLThresholdS  float64 `json:"sl_threshold_s"`
	SLTarget      float64 `json:"sl_target"`
	ShortAbandonS float64 `json:"short_abandon_s"`
	SLMode        string  `json:"sl_mode"`
	// ChannelGoals (1.1) hold a call of a listed channel to that channel's
	// goal instead of the queue's (chat within 60 s, email within 4 h);
	// short abandons keep the queue's short_abandon_s.
	ChannelGoals map[string]ChannelGoal `json:"channel_goals,omitempty"`
}

// ChannelGoal is one channel's answer-time goal in a queue.
type ChannelGoal struct {
	SLThresholdS float64 `json:"sl_threshold_s"`
	SLTarget     float64 `json:"sl_target"`
}

// Goal is the goal a call of channel ch is held to: the channel's own
// where the queue lists one, else the queue's.
func (c *QueueConfig) Goal(ch string) (thresholdS, target float64) {
	if g, ok := c.ChannelGoals[ch]; ok {
		return g.SLThresholdS, g.SLTarget
	}
	return c.SLThresholdS, c.SLTarget
}

// DefaultQueueConfig is the goal a queue gets when nothing configures it.
func DefaultQueueConfig(id string) QueueConfig {
	return QueueConfig{Queue: id, SLThresholdS: DefaultSLThresholdS, SLTarget: DefaultSLTarget,
		ShortAbandonS: DefaultShortAbandonS, SLMode: DefaultSLMode}
}

// AgentSnap is an agent as a snapshot lists it.
type AgentSnap struct {
	Agent  string    `json:"agent"`
	Name   string    `json:"name,omitempty"`
	State  string    `json:"state"`
	Since  time.Time `json:"since"`
	Queues []string  `json:"queues"`
	Reason string    `json:"reason,omitempty"`
	Call   string    `json:"call,omitempty"`
}

// CallSnap is a live call as a snapshot lists it: waiting (Answered zero),
// in conversation (Answered set), or in wrap-up (Ended set). Channel and
// Caller are additive (1.1), so a resumed client keeps them.
type CallSnap struct {
	Call     string    `json:"call"`
	Queue    string    `json:"queue"`
	Offered  time.Time `json:"offered"`
	Answered time.Time `json:"answered,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	Agent    string    `json:"agent,omitempty"`
	Channel  string    `json:"channel,omitempty"`
	Caller   string    `json:"caller,omitempty"`
}

// Snapshot is the full current state of a floor.
type Snapshot struct {
	Queues []QueueConfig `json:"queues"`
	Agents []AgentSnap   `json:"agents"`
	Calls  []CallSnap    `json:"calls"`
}

// Event is one decoded, shape-checked line of a feed. Which fields are set
// depends on Type; ids are strings and empty when absent.
type Event struct {
	Type string
	Seq  int64
	TS   time.Time

	// hello
	V      int
	Feed   string
	Stream string

	Queue string
	Agent string
	Call  string
	Name  string

	// queue.config (defaults filled in)
	Config QueueConfig

	// agent.state
	State     string
	Skills    []string
	HasSkills bool // the event carried `queues`; without it skills are kept
	// Reason is an aux state's reason, or why a call was abandoned (1.1;
	// ReasonCaller when the line gives none).
	Reason string

	// call.offered: Channel is ChannelVoice when the line names none;
	// Caller (1.1) is the caller's number or customer id, "" when unknown.
	Channel string
	Caller  string

	// call.transferred (1.1): a destination outside the floor. With To and
	// no Queue the call leaves the floor.
	To string

	// drill.action and drill.started (1.1)
	Drill *Drill

	// survey.submitted: nil when the survey did not ask
	CSAT    *float64
	NPS     *float64
	CES     *float64
	Comment string

	// snapshot
	Snapshot *Snapshot
}

// Drill is what a drill.action or drill.started line says: ID, By, Command
// (the command's name, "" when the frame was none), Result and the
// command's own fields are drill.action's; Scenario, Seed and Briefing
// drill.started's.
type Drill struct {
	ID      string
	By      string
	Command string
	Result  string
	// The command's own fields, those DESIGN.md "Drills" gives it; zero
	// when it has none. AfterS is nil when absent or null (null ends an
	// overflow or a callback).
	Agent    string
	Queues   []string
	Count    int
	For      string
	Queue    string
	To       string
	AfterS   *float64
	Scenario string
	Seed     int64
	Briefing string
}

// IsControl reports whether the event only announces the feed's position and
// moves the clock (hello, heartbeat) rather than changing the floor.
func (e *Event) IsControl() bool { return e.Type == TypeHello || e.Type == TypeHeartbeat }

// KnownType reports whether protocol version 1.1 defines t.
func KnownType(t string) bool {
	switch t {
	case TypeHello, TypeSnapshot, TypeHeartbeat, TypeQueueConfig, TypeAgentState,
		TypeOffered, TypeAnswered, TypeMissed, TypeAbandoned, TypeTransferred,
		TypeEnded, TypeWrapped, TypeSurvey, TypeDrillAction, TypeDrillStarted:
		return true
	}
	return false
}

// ValidAgentState reports whether s is one of the protocol's agent states.
func ValidAgentState(s string) bool {
	switch s {
	case StateOffline, StateAvailable, StateOnCall, StateWrapUp, StateAux:
		return true
	}
	return false
}

// ValidSLMode reports whether m is one of the protocol's service-level modes.
func ValidSLMode(m string) bool {
	switch m {
	case ModeExcludeShort, ModeAnsweredOnly, ModeAbandonsInSLGood:
		return true
	}
	return false
}
