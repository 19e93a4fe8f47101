package csvcdr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // the map's timezone on machines without zoneinfo

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
)

// key is one thing a column can mean; the map file names a column for each.
type key int

const (
	kCall key = iota
	kQueue
	kAgent
	kAgentName
	kChannel
	kCaller
	kDate
	kOffered
	kAnswered
	kEnded
	kWrapped
	kWait
	kTalk
	kWrap
	kOutcome
	kOnly
	nKeys
)

// keyNames are the map file's keys, in the order --check lists them.
var keyNames = [nKeys]string{"call", "queue", "agent", "agent_name", "channel", "caller", "date",
	"offered", "answered", "ended", "wrapped", "wait", "talk", "wrap", "outcome", "only"}

func (k key) isTime() bool     { return k >= kOffered && k <= kWrapped }
func (k key) isDuration() bool { return k >= kWait && k <= kWrap }

// mapFile is the --map file as written.
type mapFile struct {
	Delimiter    string      `yaml:"delimiter"`
	Timezone     string      `yaml:"timezone"`
	Date         *dateSpec   `yaml:"date"`
	Call         string      `yaml:"call"`
	Queue        string      `yaml:"queue"`
	Agent        string      `yaml:"agent"`
	AgentName    string      `yaml:"agent_name"`
	Channel      channelSpec `yaml:"channel"`
	Caller       string      `yaml:"caller"`
	Offered      string      `yaml:"offered"`
	Answered     string      `yaml:"answered"`
	Ended        string      `yaml:"ended"`
	Wrapped      string      `yaml:"wrapped"`
	Wait         string      `yaml:"wait"`
	Talk         string      `yaml:"talk"`
	Wrap         string      `yaml:"wrap"`
	Outcome      *outcomeMap `yaml:"outcome"`
	Only         *onlySpec   `yaml:"only"`
	Empty        []string    `yaml:"empty"`
	TimeFormat   string      `yaml:"time_format"`
	DurationUnit string      `yaml:"duration_unit"`
}

type dateSpec struct {
	Column string `yaml:"column"`
	Format string `yaml:"format"`
}

// outcomeMap sorts the vendor's outcome words. Every abandon list counts in
// abandoned; which list says why the call left (protocol 1.1 reasons).
type outcomeMap struct {
	Column    string   `yaml:"column"`
	Answered  []string `yaml:"answered"`
	Abandoned []string `yaml:"abandoned"` // the caller hung up
	Timeout   []string `yaml:"timeout"`
	NoAgents  []string `yaml:"no_agents"`
	ExitKey   []string `yaml:"exit_key"`
	Withdrawn []string `yaml:"withdrawn"`
	Skip      []string `yaml:"skip"`
}

// onlySpec keeps the rows whose column holds one of the values (the inbound
// calls of an export that mixes in outbound ones); the others are skipped.
type onlySpec struct {
	Column string   `yaml:"column"`
	Values []string `yaml:"values"`
}

// channelSpec is a column name, or {column: NAME, CHANNEL: [vendor words]}.
type channelSpec struct {
	Column string
	Words  map[string][]string
}

func (c *channelSpec) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&c.Column)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if k == "column" {
				if err := v.Decode(&c.Column); err != nil {
					return err
				}
				continue
			}
			var words []string
			if err := v.Decode(&words); err != nil {
				return fmt.Errorf("channel.%s: want the list of the export's words for that channel", k)
			}
			if c.Words == nil {
				c.Words = map[string][]string{}
			}
			c.Words[k] = words
		}
		return nil
	}
	return errors.New("channel: want a column name or {column: NAME, chat: [WORDS…]}")
}

// outcome is what a row's outcome word means.
type outcome struct {
	skip   bool
	answer bool
	reason string // why it was abandoned, when neither skip nor answer
}

func (o outcome) String() string {
	switch {
	case o.skip:
		return "skip"
	case o.answer:
		return "answered"
	}
	return "abandoned (" + o.reason + ")"
}

// mapping is a checked map file, ready to meet a header.
type mapping struct {
	path       string
	file       mapFile
	columns    [nKeys]string // "" when not mapped
	delim      byte
	loc        *time.Location
	dateLayout string
	layouts    []string // time layouts, tried in order
	zoned      []bool   // whether each layout's times carry an offset
	dated      []bool   // whether each layout has a date (else: times of day)
	unit       time.Duration
	empty      map[string]bool    // folded "no value" words
	outcomes   map[string]outcome // folded word → meaning
	channels   map[string]string  // folded word → channel
	only       map[string]bool    // folded values kept
}

// autoLayouts are tried when the map sets no time_format: full timestamps
// with or without an offset, then times of day (which need `date`).
var autoLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"15:04:05",
	"15:04",
}

// maxMapBytes bounds the map file: it is a page of YAML.
const maxMapBytes = 1 << 20

// fold is how the export's words and header names are compared: trimmed,
// case-insensitive.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// loadMap reads and checks a --map file.
func loadMap(path string) (*mapping, error) {
	if path == "" {
		return nil, errors.New("csv: give the column mapping with --map FILE (see docs/sources.md, \"Call-record CSV\")")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMapBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxMapBytes {
		return nil, fmt.Errorf("map %s: larger than 1 MiB: is it the map file?", path)
	}
	m, err := parseMap(b)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", path, err)
	}
	m.path = path
	return m, nil
}

// parseMap checks a map file's YAML: unknown keys, a missing column a call
// cannot do without, a time zone or layout Go cannot read, a word in two
// outcome lists.
func parseMap(b []byte) (*mapping, error) {
	var mf mapFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&mf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty: it must name the columns (call, queue, agent, offered …)")
		}
		return nil, err
	}
	m := &mapping{file: mf, unit: time.Second}
	m.columns = [nKeys]string{kCall: mf.Call, kQueue: mf.Queue, kAgent: mf.Agent, kAgentName: mf.AgentName,
		kChannel: mf.Channel.Column, kCaller: mf.Caller, kOffered: mf.Offered, kAnswered: mf.Answered,
		kEnded: mf.Ended, kWrapped: mf.Wrapped, kWait: mf.Wait, kTalk: mf.Talk, kWrap: mf.Wrap}
	if mf.Date != nil {
		m.columns[kDate] = mf.Date.Column
	}
	if mf.Outcome != nil {
		m.columns[kOutcome] = mf.Outcome.Column
	}
	if mf.Only != nil {
		m.columns[kOnly] = mf.Only.Column
	}
	for k := range m.columns {
		m.columns[k] = strings.TrimSpace(m.columns[k])
	}
	col := func(k key) bool { return m.columns[k] != "" }
	for _, k := range []key{kCall, kQueue, kAgent} {
		if !col(k) {
			return nil, fmt.Errorf("%s: required: the column that holds each call's %s", keyNames[k], keyNames[k])
		}
	}
	switch {
	case !col(kOffered) && !col(kAnswered):
		return nil, errors.New("offered: required (or answered with wait): when each call entered the queue")
	case !col(kOffered) && !col(kWait):
		return nil, errors.New("offered: required unless wait is mapped (the offer is then answered − wait)")
	case !col(kAnswered) && mf.Outcome == nil:
		return nil, errors.New("outcome: required when answered is not mapped: nothing else tells an answered call from an abandoned one")
	case mf.Date != nil && !col(kDate):
		return nil, errors.New("date: needs its column: date: {column: NAME, format: \"02/01/2006\"}")
	case mf.Outcome != nil && !col(kOutcome):
		return nil, errors.New("outcome: needs its column: outcome: {column: NAME, answered: […], abandoned: […]}")
	case mf.Only != nil && (!col(kOnly) || len(mf.Only.Values) == 0):
		return nil, errors.New("only: needs its column and the values to keep: only: {column: NAME, values: [Inbound]}")
	}

	var err error
	if m.delim, err = delimiter(mf.Delimiter); err != nil {
		return nil, err
	}
	m.loc = time.UTC
	if mf.Timezone != "" {
		if m.loc, err = time.LoadLocation(mf.Timezone); err != nil {
			return nil, fmt.Errorf("timezone: %q is not a time zone (try UTC or Europe/Paris)", mf.Timezone)
		}
	}
	if mf.Date != nil {
		m.dateLayout = mf.Date.Format
		if m.dateLayout == "" {
			m.dateLayout = "2006-01-02"
		}
		if d, err := time.Parse(m.dateLayout, refTime.Format(m.dateLayout)); err != nil || !sameDate(d, refTime) {
			return nil, fmt.Errorf("date.format: %q is not a Go layout of a whole date: write it as Go does, e.g. \"02/01/2006\" for 31/12/2026", m.dateLayout)
		}
	}
	m.setLayouts(autoLayouts)
	if mf.TimeFormat != "" {
		m.setLayouts([]string{mf.TimeFormat})
		var first int
		r, err := m.parseTime(refTime.Format(mf.TimeFormat), &first)
		switch {
		case err != nil || r.fields().Hour() != refTime.Hour() || r.fields().Minute() != refTime.Minute():
			return nil, fmt.Errorf("time_format: %q is not a Go time layout with the hour (e.g. \"15:04:05\" or \"02/01/2006 15:04\")", mf.TimeFormat)
		case r.timeOfDay() && mf.Date == nil:
			return nil, fmt.Errorf("time_format: %q is a time of day: map the date column too (date: {column: …, format: …})", mf.TimeFormat)
		}
	}
	switch mf.DurationUnit {
	case "", "s":
	case "ms":
		m.unit = time.Millisecond
	default:
		return nil, fmt.Errorf("duration_unit: %q: want s (the default) or ms", mf.DurationUnit)
	}
	m.empty = map[string]bool{}
	for _, w := range mf.Empty {
		m.empty[fold(w)] = true
	}
	if mf.Outcome != nil {
		if m.outcomes, err = outcomeWords(mf.Outcome); err != nil {
			return nil, err
		}
	}
	m.channels = map[string]string{}
	for _, ch := range sortedKeys(mf.Channel.Words) {
		name := fold(ch)
		if name == "" || name == "column" {
			return nil, fmt.Errorf("channel: %q is not a channel name", ch)
		}
		for _, w := range mf.Channel.Words[ch] {
			if prev, dup := m.channels[fold(w)]; dup && prev != name {
				return nil, fmt.Errorf("channel: %q is listed for both %s and %s", w, prev, name)
			}
			m.channels[fold(w)] = safetext.Clean(name)
		}
	}
	if mf.Only != nil {
		m.only = map[string]bool{}
		for _, v := range mf.Only.Values {
			m.only[fold(v)] = true
		}
	}
	return m, nil
}

func (m *mapping) setLayouts(layouts []string) {
	m.layouts, m.zoned, m.dated = layouts, nil, nil
	for _, l := range layouts {
		zoned, dated := layoutKind(l)
		m.zoned, m.dated = append(m.zoned, zoned), append(m.dated, dated)
	}
}

// refTime checks layouts: every element differs, so a layout that drops
// one is seen.
var refTime = time.Date(2001, 2, 3, 16, 5, 6, 0, time.UTC)

func delimiter(s string) (byte, error) {
	switch s {
	case "":
		return ',', nil
	case "\t", `\t`, "tab", "TAB":
		return '\t', nil
	}
	if len(s) != 1 || s[0] == '"' || s[0] == '\r' || s[0] == '\n' || s[0] >= 0x80 {
		return 0, fmt.Errorf("delimiter: %q: want one character such as \",\", \";\", \"|\" or \"\\t\"", s)
	}
	return s[0], nil
}

func outcomeWords(o *outcomeMap) (map[string]outcome, error) {
	words := map[string]outcome{}
	lists := []struct {
		name  string
		words []string
		o     outcome
	}{
		{"answered", o.Answered, outcome{answer: true}},
		{"abandoned", o.Abandoned, outcome{reason: feed.ReasonCaller}},
		{"timeout", o.Timeout, outcome{reason: feed.ReasonTimeout}},
		{"no_agents", o.NoAgents, outcome{reason: feed.ReasonNoAgents}},
		{"exit_key", o.ExitKey, outcome{reason: feed.ReasonExitKey}},
		{"withdrawn", o.Withdrawn, outcome{reason: feed.ReasonWithdraw}},
		{"skip", o.Skip, outcome{skip: true}},
	}
	listOf := map[string]string{}
	for _, l := range lists {
		for _, w := range l.words {
			f := fold(w)
			if prev, dup := listOf[f]; dup && prev != l.name {
				return nil, fmt.Errorf("outcome: %q is in both %s and %s", w, prev, l.name)
			}
			listOf[f], words[f] = l.name, l.o
		}
	}
	if len(words) == 0 {
		return nil, errors.New("outcome: list the export's words: {column: NAME, answered: [ANSWERED], abandoned: [ABANDON]}")
	}
	return words, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// columnsOf finds each mapped column in the header (trimmed,
// case-insensitive). A mapped column the header lacks, or holds twice, is
// an error naming it and listing the header's columns.
func (m *mapping) columnsOf(header []string, file string) ([nKeys]int, error) {
	var idx [nKeys]int
	at := map[string]int{}
	for i, h := range header {
		f := fold(h)
		if _, dup := at[f]; dup {
			at[f] = -1
			continue
		}
		at[f] = i
	}
	for k := range idx {
		idx[k] = -1
		name := m.columns[k]
		if name == "" {
			continue
		}
		i, ok := at[fold(name)]
		switch {
		case !ok:
			return idx, fmt.Errorf("map %s: %s: no column %q in the header of %s; its columns are: %s%s",
				m.path, keyNames[k], safetext.Clean(name), file, listColumns(header), m.delimiterHint(header))
		case i < 0:
			return idx, fmt.Errorf("map %s: %s: the header of %s has column %q twice", m.path, keyNames[k], file, safetext.Clean(name))
		}
		idx[k] = i
	}
	return idx, nil
}

func listColumns(header []string) string {
	const most = 60
	var b strings.Builder
	for i, h := range header {
		if i == most {
			fmt.Fprintf(&b, " … (%d in all)", len(header))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(show(h))
	}
	return b.String()
}

// delimiterHint guesses why a header came out as one column.
func (m *mapping) delimiterHint(header []string) string {
	if len(header) != 1 {
		return ""
	}
	for _, d := range []string{";", "\t", ",", "|"} {
		if d[0] != m.delim && strings.Contains(header[0], d) {
			return fmt.Sprintf(" (one column: is the delimiter %q? set delimiter: %q in the map)", d, d)
		}
	}
	return ""
}

// show quotes a value from the file for a message: cleaned and cut short.
func show(v string) string {
	const most = 60
	if len(v) > most {
		cut := most
		for cut > 0 && v[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		v = v[:cut] + "…"
	}
	return fmt.Sprintf("%q", safetext.Clean(v))
}
