package csvcdr

import (
	"fmt"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// record is one call of the export with its times settled, ready to become
// events. Times are Unix milliseconds, the protocol's precision.
type record struct {
	line                              int64
	call, queue, agent, name, channel string
	caller                            string
	answered                          bool
	reason                            string // why it was abandoned
	offered, settled, ended, wrapped  int64  // settled: answered or abandoned; ended/wrapped: answered calls
}

// Where each of a call's times came from, for --check ("": its own column).
const (
	fromColumn      = ""
	fromAnswerWait  = "answered − wait: the stated wait wins"
	fromOfferWait   = "offered + wait"
	fromAnswerTalk  = "answered + talk"
	fromEndWrap     = "ended + wrap"
	fromGoalsWrap   = "ended + the goals file's wrap_s for the queue"
	fromEndedColumn = "the ended column"
	fromNoWrap      = "no wrap-up: it ends with the call"
)

// parsed is a row taken apart: what each mapped column held and became,
// and where each event's time came from. --check prints it; Run only keeps
// the record.
type parsed struct {
	raw  [nKeys]string // trimmed values of the mapped columns
	has  [nKeys]bool   // mapped and holding a value
	date time.Time
	at   [nKeys]time.Time     // the time columns, placed
	dur  [nKeys]time.Duration // the duration columns
	out  outcome
	wait time.Duration // between the offer and the answer or abandon
	from [4]string     // where each event's time came from, by step kind
}

// maxText bounds an id or a caller: longer is no id but a broken row.
const maxText = 256

// epoch is the earliest time of a call: before it is a placeholder (and a
// year the feed cannot write).
var epoch = time.Unix(0, 0)

// converter turns the rows of one export into records.
type converter struct {
	m      *mapping
	latest time.Time // ten years from now: later is a placeholder (9999-12-31)
	idx    [nKeys]int
	width  int              // the header's column count
	seen   map[string]int64 // call id → the line that had it
	names  map[string]string
	goals  *floor.Goals // a queue's wrap_s, where the export has no wrap-up
	layout int          // the time layout that read the last time
}

func newConverter(m *mapping, idx [nKeys]int, width int, goals *floor.Goals) *converter {
	return &converter{m: m, idx: idx, width: width, latest: time.Now().AddDate(10, 0, 0),
		seen: map[string]int64{}, names: map[string]string{}, goals: goals}
}

// goalsWrap is the queue's wrap-up time from the goals file, if it has one.
func (c *converter) goalsWrap(queue string) (time.Duration, bool) {
	if c.goals == nil {
		return 0, false
	}
	q, ok := c.goals.Queues[queue]
	if !ok || q.WrapS == nil {
		return 0, false
	}
	return time.Duration(*q.WrapS * float64(time.Second)).Round(time.Millisecond), true
}

// intern shares the strings a file repeats on every row (queues, agents,
// channels), so a large file is held once per name.
func (c *converter) intern(s string) string {
	if v, ok := c.names[s]; ok {
		return v
	}
	c.names[s] = s
	return s
}

// row converts one data row. It returns the record, or the kind of skip
// (a row that is no call of the floor), or why the row is malformed; p
// holds what the row was taken apart into, as far as it got.
func (c *converter) row(line int64, fields []string, p *parsed) (rec record, skip string, err error) {
	if len(fields) != c.width {
		return rec, "", fmt.Errorf("%d fields, but the header has %d", len(fields), c.width)
	}
	m := c.m
	for k := range nKeys {
		if c.idx[k] < 0 {
			continue
		}
		v := strings.TrimSpace(fields[c.idx[k]])
		p.raw[k] = v
		// "No value" words are no value, except in the word lists' own
		// columns and where they read as a duration (a wait of 00:00:00).
		p.has[k] = v != "" && (k == kOutcome || k == kOnly || !m.empty[fold(v)])
		if k.isDuration() && v != "" {
			if d, derr := m.parseDuration(v); derr == nil {
				p.has[k], p.dur[k] = true, d
			} else if p.has[k] {
				err = fmt.Errorf("%s: %w", keyNames[k], derr)
			}
		}
	}
	if c.idx[kOnly] >= 0 && !m.only[fold(p.raw[kOnly])] {
		return rec, fmt.Sprintf("%s %s", m.columns[kOnly], show(p.raw[kOnly])), nil
	}
	if c.idx[kOutcome] >= 0 {
		o, ok := m.outcomes[fold(p.raw[kOutcome])]
		if !ok {
			return rec, "", fmt.Errorf("outcome %s is in none of the map's outcome lists", show(p.raw[kOutcome]))
		}
		if o.skip {
			return rec, "outcome " + show(p.raw[kOutcome]), nil
		}
		p.out = o
	} else {
		p.out = outcome{answer: p.has[kAnswered], reason: feed.ReasonCaller}
	}
	// A row that reached neither a queue nor an agent (a call that ended in
	// the IVR, an internal call) is no call of the floor.
	if !p.has[kOffered] && !p.has[kAnswered] {
		return rec, "no offered or answered time", nil
	}
	if !p.has[kQueue] && !p.has[kAgent] {
		return rec, "no queue or agent", nil
	}
	if err != nil {
		return rec, "", err
	}
	if err := c.texts(p); err != nil {
		return rec, "", err
	}
	if err := c.times(p); err != nil {
		return rec, "", err
	}
	rec, err = c.settle(p)
	if err != nil {
		return rec, "", err
	}
	rec.line = line
	c.seen[rec.call] = line
	return rec, "", nil
}

// texts checks the ids the events need.
func (c *converter) texts(p *parsed) error {
	for _, k := range []key{kCall, kQueue, kAgent, kAgentName, kChannel, kCaller} {
		if len(p.raw[k]) > maxText {
			return fmt.Errorf("%s: %d bytes: longer than any id (%d)", keyNames[k], len(p.raw[k]), maxText)
		}
	}
	switch {
	case !p.has[kCall]:
		return fmt.Errorf("no call id (column %s)", show(c.m.columns[kCall]))
	case !p.has[kQueue]:
		return fmt.Errorf("no queue (column %s)", show(c.m.columns[kQueue]))
	case p.out.answer && !p.has[kAgent]:
		return fmt.Errorf("answered, but no agent (column %s)", show(c.m.columns[kAgent]))
	}
	if first, dup := c.seen[safetext.Clean(p.raw[kCall])]; dup {
		return fmt.Errorf("call %s is already on line %d", show(p.raw[kCall]), first)
	}
	return nil
}

// times reads the date and places the time columns in the order a call
// lives them, each at or after the one before.
func (c *converter) times(p *parsed) error {
	m := c.m
	if p.has[kDate] {
		d, err := m.parseDate(p.raw[kDate])
		if err != nil {
			return fmt.Errorf("date: %w", err)
		}
		p.date = d
	}
	var prev time.Time
	for _, k := range []key{kOffered, kAnswered, kEnded, kWrapped} {
		if !p.has[k] {
			continue
		}
		r, err := m.parseTime(p.raw[k], &c.layout)
		if err != nil {
			return fmt.Errorf("%s: %w", keyNames[k], err)
		}
		if r.timeOfDay() && !p.has[kDate] {
			if c.idx[kDate] >= 0 {
				return fmt.Errorf("%s %s is a time of day, and the row's date is empty", keyNames[k], show(p.raw[k]))
			}
			return fmt.Errorf("%s %s is a time of day: map the date column (date: {column: …, format: …})", keyNames[k], show(p.raw[k]))
		}
		if p.at[k], err = m.place(r, p.date, prev); err != nil {
			return fmt.Errorf("%s %s: %w", keyNames[k], show(p.raw[k]), err)
		}
		if p.at[k].Before(epoch) || p.at[k].After(c.latest) {
			return fmt.Errorf("%s %s is no time of a call (before 1970, or ten years from now): a placeholder?", keyNames[k], show(p.raw[k]))
		}
		prev = p.at[k]
	}
	return nil
}

// settle works out the call's events: a wait the source states wins over a
// difference of times; a missing answer time is offered + wait, a missing
// end answered + talk, a missing wrap-up end ended + wrap, or none.
func (c *converter) settle(p *parsed) (record, error) {
	m := c.m
	rec := record{
		call:    safetext.Clean(p.raw[kCall]),
		queue:   c.intern(safetext.Clean(p.raw[kQueue])),
		channel: c.channel(p),
	}
	if p.has[kCaller] {
		rec.caller = safetext.Clean(p.raw[kCaller])
	}
	wait, hasWait := p.dur[kWait], p.has[kWait]
	offered := p.at[kOffered]
	p.from[0] = fromColumn

	if !p.out.answer {
		if p.has[kAnswered] {
			return rec, fmt.Errorf("outcome %s is an abandon, but answered is %s", show(p.raw[kOutcome]), show(p.raw[kAnswered]))
		}
		var left time.Time
		switch {
		case hasWait:
			left, p.from[1] = offered.Add(wait), fromOfferWait
		case p.has[kEnded]:
			left, p.from[1] = p.at[kEnded], fromEndedColumn
		default:
			return rec, fmt.Errorf("abandoned, but neither wait nor ended says when the caller left")
		}
		if left.Before(offered) {
			return rec, fmt.Errorf("the abandon (%s) is before the offer (%s)", m.stamp(left), m.stamp(offered))
		}
		if left.Sub(offered) > maxDuration {
			return rec, fmt.Errorf("the caller waits more than a day (offered %s, left %s)", m.stamp(offered), m.stamp(left))
		}
		rec.reason = p.out.reason
		rec.offered, rec.settled = offered.UnixMilli(), left.UnixMilli()
		p.wait = time.Duration(rec.settled-rec.offered) * time.Millisecond
		return rec, nil
	}

	rec.answered = true
	rec.agent = c.intern(safetext.Clean(p.raw[kAgent]))
	if p.has[kAgentName] {
		rec.name = c.intern(safetext.Clean(p.raw[kAgentName]))
	}
	answered := p.at[kAnswered]
	p.from[1] = fromColumn
	switch {
	case p.has[kAnswered] && hasWait:
		offered, p.from[0] = answered.Add(-wait), fromAnswerWait
	case p.has[kAnswered] && p.has[kOffered]:
		if answered.Before(offered) {
			return rec, fmt.Errorf("answered (%s) is before offered (%s)", m.stamp(answered), m.stamp(offered))
		}
	case p.has[kAnswered]:
		return rec, fmt.Errorf("answered, but no offered time and no wait: how long did it wait?")
	case hasWait: // offered is there: a row without either time is skipped
		answered, p.from[1] = offered.Add(wait), fromOfferWait
	default:
		return rec, fmt.Errorf("answered, but no answered time, and no wait to add to the offer")
	}

	ended := p.at[kEnded]
	p.from[2] = fromColumn
	switch {
	case p.has[kEnded]:
	case p.has[kTalk]:
		ended, p.from[2] = answered.Add(p.dur[kTalk]), fromAnswerTalk
	default:
		return rec, fmt.Errorf("answered, but no ended time and no talk time")
	}
	if ended.Before(answered) {
		return rec, fmt.Errorf("ended (%s) is before answered (%s)", m.stamp(ended), m.stamp(answered))
	}

	wrapped := p.at[kWrapped]
	p.from[3] = fromColumn
	goalsWrap, hasGoalsWrap := c.goalsWrap(rec.queue)
	switch {
	case p.has[kWrapped]:
	case p.has[kWrap]:
		wrapped, p.from[3] = ended.Add(p.dur[kWrap]), fromEndWrap
	case hasGoalsWrap && c.idx[kWrapped] < 0 && c.idx[kWrap] < 0:
		wrapped, p.from[3] = ended.Add(goalsWrap), fromGoalsWrap
	default:
		wrapped, p.from[3] = ended, fromNoWrap
	}
	if wrapped.Before(ended) {
		return rec, fmt.Errorf("wrapped (%s) is before ended (%s)", m.stamp(wrapped), m.stamp(ended))
	}
	if wrapped.Sub(offered) > maxDuration {
		return rec, fmt.Errorf("the call lasts more than a day (offered %s, wrapped %s)", m.stamp(offered), m.stamp(wrapped))
	}
	rec.offered, rec.settled = offered.UnixMilli(), answered.UnixMilli()
	rec.ended, rec.wrapped = ended.UnixMilli(), wrapped.UnixMilli()
	p.wait = time.Duration(rec.settled-rec.offered) * time.Millisecond
	return rec, nil
}

// channel is the map's channel for the export's word, or the word itself
// in lower case; none is voice.
func (c *converter) channel(p *parsed) string {
	if !p.has[kChannel] {
		return feed.ChannelVoice
	}
	return c.intern(c.m.channelOf(p.raw[kChannel]))
}

func (m *mapping) channelOf(v string) string {
	f := fold(v)
	if ch, ok := m.channels[f]; ok {
		return ch
	}
	return safetext.Clean(f)
}

// stamp writes an instant for a message, in the map's zone as the export
// does.
func (m *mapping) stamp(t time.Time) string { return t.In(m.loc).Format("2006-01-02 15:04:05.000 MST") }
