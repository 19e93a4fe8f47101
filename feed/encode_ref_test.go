package feed

// The reflective encoder feed.Encode was before Encoder, kept as the
// reference the hand-written one must match byte for byte.

import (
	"encoding/json"
	"time"
)

// refOutEvent is the wire form of an Event: only the fields its type uses.
type refOutEvent struct {
	Type   string `json:"type"`
	Seq    int64  `json:"seq"`
	TS     string `json:"ts"`
	V      int    `json:"v,omitempty"`
	Feed   string `json:"feed,omitempty"`
	Stream string `json:"stream,omitempty"`

	Call  string `json:"call,omitempty"`
	Queue string `json:"queue,omitempty"`
	Agent string `json:"agent,omitempty"`
	Name  string `json:"name,omitempty"`

	SLThresholdS  *float64 `json:"sl_threshold_s,omitempty"`
	SLTarget      *float64 `json:"sl_target,omitempty"`
	ShortAbandonS *float64 `json:"short_abandon_s,omitempty"`
	SLMode        string   `json:"sl_mode,omitempty"`

	ChannelGoals map[string]ChannelGoal `json:"channel_goals,omitempty"`

	State  string `json:"state,omitempty"`
	Skills any    `json:"queues,omitempty"` // an agent's skills, or a snapshot's queue configs
	Reason string `json:"reason,omitempty"`

	Channel string `json:"channel,omitempty"`
	Caller  string `json:"caller,omitempty"`
	To      string `json:"to,omitempty"`

	ID       string          `json:"id,omitempty"`
	By       string          `json:"by,omitempty"`
	Command  json.RawMessage `json:"command,omitempty"`
	Count    int             `json:"count,omitempty"`
	For      string          `json:"for,omitempty"`
	AfterS   *float64        `json:"after_s,omitempty"`
	Result   string          `json:"result,omitempty"`
	Scenario string          `json:"scenario,omitempty"`
	Seed     *int64          `json:"seed,omitempty"`
	Briefing string          `json:"briefing,omitempty"`

	CSAT    *float64 `json:"csat,omitempty"`
	NPS     *float64 `json:"nps,omitempty"`
	CES     *float64 `json:"ces,omitempty"`
	Comment string   `json:"comment,omitempty"`

	// Pointers, so that a snapshot's empty lists are still written.
	Agents *[]refOutAgent `json:"agents,omitempty"`
	Calls  *[]refOutCall  `json:"calls,omitempty"`
}

type refOutAgent struct {
	Agent  string   `json:"agent"`
	Name   string   `json:"name,omitempty"`
	State  string   `json:"state"`
	Since  string   `json:"since"`
	Queues []string `json:"queues"`
	Reason string   `json:"reason,omitempty"`
	Call   string   `json:"call,omitempty"`
}

type refOutCall struct {
	Call     string  `json:"call"`
	Queue    string  `json:"queue"`
	Offered  string  `json:"offered"`
	Answered *string `json:"answered"`
	Ended    *string `json:"ended"`
	Agent    string  `json:"agent,omitempty"`
	Channel  string  `json:"channel,omitempty"`
	Caller   string  `json:"caller,omitempty"`
}

// refWireChannel leaves out the default channel, as version 1 feeds do.
func refWireChannel(ch string) string {
	if ch == ChannelVoice {
		return ""
	}
	return ch
}

func refOptTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := FormatTime(t)
	return &s
}

// refEncode writes ev as one protocol line, without the trailing newline.
func refEncode(ev *Event) []byte {
	o := refOutEvent{Type: ev.Type, Seq: ev.Seq, TS: FormatTime(ev.TS)}
	switch ev.Type {
	case TypeHello:
		o.V, o.Feed, o.Stream = ProtocolVersion, ev.Feed, ev.Stream
	case TypeSnapshot:
		refEncodeSnapshot(&o, ev.Snapshot)
	case TypeQueueConfig:
		c := ev.Config
		o.Queue, o.Name, o.SLMode, o.ChannelGoals = c.Queue, c.Name, c.SLMode, c.ChannelGoals
		o.SLThresholdS, o.SLTarget, o.ShortAbandonS = &c.SLThresholdS, &c.SLTarget, &c.ShortAbandonS
	case TypeAgentState:
		o.Agent, o.Name, o.State, o.Reason = ev.Agent, ev.Name, ev.State, ev.Reason
		if ev.HasSkills {
			o.Skills = refNonNil(ev.Skills)
		}
	case TypeSurvey:
		o.Call, o.Agent, o.Queue = ev.Call, ev.Agent, ev.Queue
		o.CSAT, o.NPS, o.CES, o.Comment = ev.CSAT, ev.NPS, ev.CES, ev.Comment
	case TypeOffered:
		o.Call, o.Queue = ev.Call, ev.Queue
		o.Channel, o.Caller = refWireChannel(ev.Channel), ev.Caller
	case TypeTransferred:
		o.Call, o.Queue, o.Agent, o.To = ev.Call, ev.Queue, ev.Agent, ev.To
	case TypeAbandoned:
		o.Call, o.Queue = ev.Call, ev.Queue
		if ev.Reason != ReasonCaller {
			o.Reason = ev.Reason
		}
	case TypeDrillAction:
		if d := ev.Drill; d != nil {
			o.ID, o.By, o.Result = d.ID, d.By, d.Result
			o.Command = json.RawMessage("null")
			if d.Command != "" {
				o.Command, _ = json.Marshal(d.Command)
			}
			o.Agent, o.Queue, o.To, o.Count, o.For, o.AfterS = d.Agent, d.Queue, d.To, d.Count, d.For, d.AfterS
			if d.Queues != nil {
				o.Skills = d.Queues
			}
		}
	case TypeDrillStarted:
		if d := ev.Drill; d != nil {
			o.Scenario, o.Seed, o.Briefing = d.Scenario, &d.Seed, d.Briefing
		}
	default:
		o.Call, o.Queue, o.Agent = ev.Call, ev.Queue, ev.Agent
	}
	b, err := json.Marshal(&o)
	if err != nil {
		// Every field is a plain string, number or slice of them.
		panic("feed: encoding an event: " + err.Error())
	}
	return b
}

// refNonNil makes a nil list encode as [] rather than null.
func refNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func refEncodeSnapshot(o *refOutEvent, s *Snapshot) {
	if s == nil {
		s = &Snapshot{}
	}
	o.Skills = refNonNil(s.Queues)
	agents := make([]refOutAgent, 0, len(s.Agents))
	for _, a := range s.Agents {
		agents = append(agents, refOutAgent{Agent: a.Agent, Name: a.Name, State: a.State,
			Since: FormatTime(a.Since), Queues: refNonNil(a.Queues), Reason: a.Reason, Call: a.Call})
	}
	calls := make([]refOutCall, 0, len(s.Calls))
	for _, c := range s.Calls {
		calls = append(calls, refOutCall{Call: c.Call, Queue: c.Queue, Offered: FormatTime(c.Offered),
			Answered: refOptTime(c.Answered), Ended: refOptTime(c.Ended), Agent: c.Agent,
			Channel: refWireChannel(c.Channel), Caller: c.Caller})
	}
	o.Agents, o.Calls = &agents, &calls
}
