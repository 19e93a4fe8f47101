package feed

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Encoder writes events as protocol lines, appending each event's fields to
// the caller's buffer: a producer at full speed writes millions of lines, and
// reflection and an allocation per line would cost it more than the
// simulation does. The output is byte for byte what encoding/json made of
// the line before (the tests keep that encoder as the reference): the same
// field order, number forms and string escapes.
//
// The zero value is ready to use; an Encoder is not safe for concurrent use.
type Encoder struct {
	// The date part of the last timestamp written ("2026-11-23T") and its
	// Unix day: the events of a run fall on few days.
	date   [32]byte
	dateN  int
	day    int64
	dateOK bool
}

// Encode writes ev as one protocol line, without the trailing newline.
func Encode(ev *Event) []byte {
	var e Encoder
	return e.Append(make([]byte, 0, 192), ev)
}

// Append appends ev as one protocol line, without the trailing newline.
func (e *Encoder) Append(b []byte, ev *Event) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"ts":`...)
	b = e.appendTime(b, ev.TS)
	switch ev.Type {
	case TypeHello:
		b = append(b, `,"v":`...)
		b = strconv.AppendInt(b, ProtocolVersion, 10)
		b = optString(b, `,"feed":`, ev.Feed)
		b = optString(b, `,"stream":`, ev.Stream)
	case TypeSnapshot:
		b = e.appendSnapshot(b, ev.Snapshot)
	case TypeQueueConfig:
		c := &ev.Config
		b = optString(b, `,"queue":`, c.Queue)
		b = optString(b, `,"name":`, c.Name)
		b = appendGoal(b, c)
		b = optString(b, `,"sl_mode":`, c.SLMode)
		b = appendChannelGoals(b, c.ChannelGoals)
	case TypeAgentState:
		b = optString(b, `,"agent":`, ev.Agent)
		b = optString(b, `,"name":`, ev.Name)
		b = optString(b, `,"state":`, ev.State)
		if ev.HasSkills {
			b = appendStrings(append(b, `,"queues":`...), ev.Skills)
		}
		b = optString(b, `,"reason":`, ev.Reason)
	case TypeSurvey:
		b = appendIDs(b, ev.Call, ev.Queue, ev.Agent)
		b = optFloat(b, `,"csat":`, ev.CSAT)
		b = optFloat(b, `,"nps":`, ev.NPS)
		b = optFloat(b, `,"ces":`, ev.CES)
		b = optString(b, `,"comment":`, ev.Comment)
	case TypeOffered:
		b = appendIDs(b, ev.Call, ev.Queue, "")
		b = optString(b, `,"channel":`, wireChannel(ev.Channel))
		b = optString(b, `,"caller":`, ev.Caller)
	case TypeTransferred:
		b = appendIDs(b, ev.Call, ev.Queue, ev.Agent)
		b = optString(b, `,"to":`, ev.To)
	case TypeAbandoned:
		b = appendIDs(b, ev.Call, ev.Queue, "")
		if ev.Reason != ReasonCaller {
			b = optString(b, `,"reason":`, ev.Reason)
		}
	case TypeDrillAction:
		if d := ev.Drill; d != nil {
			b = appendIDs(b, "", d.Queue, d.Agent)
			if d.Queues != nil {
				b = appendStrings(append(b, `,"queues":`...), d.Queues)
			}
			b = optString(b, `,"to":`, d.To)
			b = optString(b, `,"id":`, d.ID)
			b = optString(b, `,"by":`, d.By)
			if d.Command == "" {
				// The contract writes a frame that named no command as null.
				b = append(b, `,"command":null`...)
			} else {
				b = optString(b, `,"command":`, d.Command)
			}
			if d.Count != 0 {
				b = strconv.AppendInt(append(b, `,"count":`...), int64(d.Count), 10)
			}
			b = optString(b, `,"for":`, d.For)
			b = optFloat(b, `,"after_s":`, d.AfterS)
			b = optString(b, `,"result":`, d.Result)
		}
	case TypeDrillStarted:
		if d := ev.Drill; d != nil {
			b = optString(b, `,"scenario":`, d.Scenario)
			b = strconv.AppendInt(append(b, `,"seed":`...), d.Seed, 10)
			b = optString(b, `,"briefing":`, d.Briefing)
		}
	default:
		b = appendIDs(b, ev.Call, ev.Queue, ev.Agent)
	}
	return append(b, '}')
}

// appendTime writes t as a quoted protocol timestamp (TimeLayout, in UTC).
// Only the time of day is formatted per line; the date part once a day.
func (e *Encoder) appendTime(b []byte, t time.Time) []byte {
	const daySeconds = 24 * 60 * 60
	sec := t.Unix()
	day := sec / daySeconds
	if sec%daySeconds < 0 {
		day-- // floor division: before 1970 too, a day starts at midnight
	}
	if !e.dateOK || day != e.day {
		e.dateN = len(t.UTC().AppendFormat(e.date[:0], "2006-01-02T"))
		e.day, e.dateOK = day, true
	}
	s := int(sec - day*daySeconds)
	ms := t.Nanosecond() / 1e6 // TimeLayout's .000 truncates
	b = append(b, '"')
	b = append(b, e.date[:e.dateN]...)
	b = append2(b, s/3600)
	b = append2(append(b, ':'), s/60%60)
	b = append2(append(b, ':'), s%60)
	return append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendIDs writes the ids a call event carries, each when set, in the
// order every line has them.
func appendIDs(b []byte, call, queue, agent string) []byte {
	b = optString(b, `,"call":`, call)
	b = optString(b, `,"queue":`, queue)
	return optString(b, `,"agent":`, agent)
}

// optString writes key and s, unless s is empty.
func optString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

// optFloat writes key and *v, unless v is nil.
func optFloat(b []byte, key string, v *float64) []byte {
	if v == nil {
		return b
	}
	return appendFloat(append(b, key...), *v)
}

// appendGoal writes a queue's goal figures, which a line always carries.
func appendGoal(b []byte, c *QueueConfig) []byte {
	b = appendFloat(append(b, `,"sl_threshold_s":`...), c.SLThresholdS)
	b = appendFloat(append(b, `,"sl_target":`...), c.SLTarget)
	return appendFloat(append(b, `,"short_abandon_s":`...), c.ShortAbandonS)
}

// appendChannelGoals writes a queue's channel goals, channels in byte
// order, unless it has none.
func appendChannelGoals(b []byte, goals map[string]ChannelGoal) []byte {
	if len(goals) == 0 {
		return b
	}
	b = append(b, `,"channel_goals":{`...)
	for i, ch := range slices.Sorted(maps.Keys(goals)) {
		if i > 0 {
			b = append(b, ',')
		}
		g := goals[ch]
		b = appendFloat(append(appendString(b, ch), `:{"sl_threshold_s":`...), g.SLThresholdS)
		b = appendFloat(append(b, `,"sl_target":`...), g.SLTarget)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendStrings writes a list of strings; nil is written [] as well.
func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func (e *Encoder) appendSnapshot(b []byte, s *Snapshot) []byte {
	if s == nil {
		s = &Snapshot{}
	}
	b = append(b, `,"queues":[`...)
	for i := range s.Queues {
		c := &s.Queues[i]
		if i > 0 {
			b = append(b, ',')
		}
		// A snapshot's queue names its id and mode even when empty.
		b = appendString(append(b, `{"queue":`...), c.Queue)
		b = optString(b, `,"name":`, c.Name)
		b = appendGoal(b, c)
		b = appendString(append(b, `,"sl_mode":`...), c.SLMode)
		b = appendChannelGoals(b, c.ChannelGoals)
		b = append(b, '}')
	}
	b = append(b, `],"agents":[`...)
	for i := range s.Agents {
		a := &s.Agents[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"agent":`...), a.Agent)
		b = optString(b, `,"name":`, a.Name)
		b = appendString(append(b, `,"state":`...), a.State)
		b = e.appendTime(append(b, `,"since":`...), a.Since)
		b = appendStrings(append(b, `,"queues":`...), a.Queues)
		b = optString(b, `,"reason":`, a.Reason)
		b = optString(b, `,"call":`, a.Call)
		b = append(b, '}')
	}
	b = append(b, `],"calls":[`...)
	for i := range s.Calls {
		c := &s.Calls[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"call":`...), c.Call)
		b = appendString(append(b, `,"queue":`...), c.Queue)
		b = e.appendTime(append(b, `,"offered":`...), c.Offered)
		b = e.appendOptTime(append(b, `,"answered":`...), c.Answered)
		b = e.appendOptTime(append(b, `,"ended":`...), c.Ended)
		b = optString(b, `,"agent":`, c.Agent)
		b = optString(b, `,"channel":`, wireChannel(c.Channel))
		b = optString(b, `,"caller":`, c.Caller)
		b = append(b, '}')
	}
	return append(b, "]"...)
}

// appendOptTime writes t, or null when it is zero (not happened yet).
func (e *Encoder) appendOptTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	return e.appendTime(b, t)
}

// wireChannel leaves out the default channel, as version 1 feeds do.
func wireChannel(ch string) string {
	if ch == ChannelVoice {
		return ""
	}
	return ch
}

// appendFloat writes f as encoding/json does (ES6 number to string):
// plain digits, exponent form below 1e-6 and from 1e21, "e-7" not "e-07".
func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		// Every figure an event carries is measured or counted.
		panic("feed: encoding an event: json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// htmlSafe holds the bytes a JSON string carries as they are when, like
// encoding/json by default, <, > and & are escaped too (so that a line is
// safe inside an HTML page); bytes from 0x80 on are looked at as UTF-8.
var htmlSafe = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaped as encoding/json escapes
// it: quote and backslash; \b \f \n \r \t and other controls as \u00XX;
// <, > and &; U+2028 and U+2029; a byte that is not UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	i := 0
	for i < len(s) && htmlSafe[s[i]] {
		i++
	}
	b = append(append(b, '"'), s[:i]...)
	start := i
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
