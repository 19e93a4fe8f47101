package csvcdr

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
	"github.com/floorwatch/floorwatch/source"
)

// Check is the bridge's --check for csv:PATH: it prints how the export at
// path reads through opt.MapFile, so a mapping can be put right in a
// minute. First the map against the header; then each of the first rows:
// what each mapped column held and became (times in the map's zone and in
// UTC, durations in seconds, the outcome), and the events the row makes, or
// why it is skipped or malformed; then the whole file's tally, as the bridge
// would print it, and the span of its calls. Only a map or file that cannot
// be opened is an error: a malformed row is what Check is for.
func Check(path string, opt source.Options, w io.Writer, rows int) error {
	m, err := loadMap(opt.MapFile)
	if err != nil {
		return err
	}
	f, err := openFile(path, m, opt.Goals)
	if err != nil {
		return err
	}
	defer f.Close()
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	m.describe(tw, f)
	var tally source.Tally
	var apart []string // calls found far from the rest once every row is read
	recs, err := f.calls(context.Background(), func(r *rowResult) {
		r.count(&tally)
		if tally.Lines <= int64(rows) {
			m.explain(tw, r)
		}
	}, func(line int64, reason string) {
		tally.Bad(line, reason)
		apart = append(apart, fmt.Sprintf("line %d: MALFORMED: %s\n", line, safetext.Clean(reason)))
	})
	if err != nil {
		return err
	}
	if tally.Lines > int64(rows) {
		fmt.Fprintf(tw, "… %d more rows\n\n", tally.Lines-int64(rows))
	}
	for _, a := range apart {
		io.WriteString(tw, a)
	}
	var sum summary
	for i := range recs {
		sum.add(&recs[i])
	}
	var events int64
	if err := emitAll(context.Background(), recs, m.loc, func(*feed.Event) { events++ }); err != nil {
		return err
	}
	fmt.Fprintf(tw, "whole file: %s\n", tally.Line(events))
	sum.write(tw, m)
	tw.Flush()
	// Every cell ends in a tab, so that each is aligned with the cells
	// above it; the padding this leaves at the end of a line goes.
	for line := range strings.Lines(out.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// describe prints the map against the header.
func (m *mapping) describe(w io.Writer, f *file) {
	fmt.Fprintf(w, "csv %s read through map %s\n", safetext.Clean(f.path), safetext.Clean(m.path))
	times := "times: RFC 3339, 2006-01-02 15:04:05 or 15:04:05 (no time_format)"
	if m.file.TimeFormat != "" {
		times = fmt.Sprintf("time_format %q", m.file.TimeFormat)
	}
	unit := "seconds"
	if m.unit == time.Millisecond {
		unit = "milliseconds"
	}
	fmt.Fprintf(w, "delimiter %q · timezone %s · %s · durations in %s or h:mm:ss · %d columns in the header\n\n",
		string(m.delim), m.loc, times, unit, f.cv.width)
	var unmapped []string
	for k := range nKeys {
		i := f.cv.idx[k]
		if i < 0 {
			unmapped = append(unmapped, keyNames[k])
			continue
		}
		extra := ""
		if k == kDate {
			extra = fmt.Sprintf("format %q", m.dateLayout)
		}
		row(w, "  ", keyNames[k], "← "+show(m.columns[k]), fmt.Sprintf("column %d", i+1), extra)
	}
	if len(unmapped) > 0 {
		fmt.Fprintf(w, "  not mapped: %s\n", strings.Join(unmapped, ", "))
	}
	if m.columns[kWrapped] == "" && m.columns[kWrap] == "" {
		fmt.Fprintf(w, "  note: %s\n", noWrapNote)
	}
	fmt.Fprintln(w)
}

// explain prints one row: its verdict, each mapped column, its events.
func (m *mapping) explain(w io.Writer, r *rowResult) {
	p := &r.p
	switch {
	case r.err != nil:
		fmt.Fprintf(w, "line %d: MALFORMED: %s\n", r.line, safetext.Clean(r.err.Error()))
	case r.skip != "":
		fmt.Fprintf(w, "line %d: skipped: %s\n", r.line, safetext.Clean(r.skip))
	case r.rec.answered:
		fmt.Fprintf(w, "line %d: call %s answered by %s\n", r.line, show(r.rec.call), show(r.rec.agent))
	default:
		fmt.Fprintf(w, "line %d: call %s abandoned (%s)\n", r.line, show(r.rec.call), r.rec.reason)
	}
	if r.fields != nil {
		for k := range nKeys {
			if m.columns[k] == "" {
				continue
			}
			cells := []string{keyNames[k], show(m.columns[k]), show(p.raw[k]), m.became(key(k), p)}
			row(w, "  ", cells...)
		}
	}
	if r.ok() {
		fmt.Fprintf(w, "  events:\n")
		for kind := range uint8(r.rec.steps()) {
			ev := r.rec.event(kind)
			row(w, "    ", m.both(ev.TS), ev.Type, eventDetail(&ev, p), p.from[kind])
		}
	}
	fmt.Fprintln(w)
}

// row writes one line of a table: cells aligned with the lines around it.
func row(w io.Writer, indent string, cells ...string) {
	fmt.Fprintf(w, "%s%s\t\n", indent, strings.Join(cells, "\t"))
}

// became is what --check says a column's value turned into.
func (m *mapping) became(k key, p *parsed) string {
	v := p.raw[k]
	if !p.has[k] {
		if v == "" {
			return "(empty)"
		}
		return "(no value: in the map's empty list)"
	}
	switch {
	case k == kDate && !p.date.IsZero():
		return "→ " + p.date.Format("2006-01-02")
	case k.isTime() && !p.at[k].IsZero():
		return "→ " + m.both(p.at[k])
	case k.isDuration():
		return "→ " + seconds(p.dur[k])
	case k == kOutcome:
		if o, ok := m.outcomes[fold(v)]; ok {
			return "→ " + o.String()
		}
		return "→ in no outcome list"
	case k == kOnly:
		if m.only[fold(v)] {
			return "→ kept"
		}
		return "→ not in only.values: skipped"
	case k == kChannel:
		return "→ " + m.channelOf(v)
	}
	return ""
}

// both writes an instant in the map's zone and in UTC, as the feed has it.
func (m *mapping) both(t time.Time) string {
	return t.In(m.loc).Format("2006-01-02 15:04:05.000 MST") + " = " + feed.FormatTime(t)
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func eventDetail(ev *feed.Event, p *parsed) string {
	switch ev.Type {
	case feed.TypeOffered:
		s := "queue " + show(ev.Queue) + ", " + ev.Channel
		if ev.Caller != "" {
			s += ", caller " + show(ev.Caller)
		}
		return s
	case feed.TypeAnswered:
		return fmt.Sprintf("agent %s, after %s", show(ev.Agent), seconds(p.wait))
	case feed.TypeAbandoned:
		return fmt.Sprintf("%s, after %s", ev.Reason, seconds(p.wait))
	}
	return "agent " + show(ev.Agent)
}

// summary is the span and mix of a file's calls, so that a wrong date
// format or time zone shows at a glance.
type summary struct {
	first, last    int64
	answered       int
	abandoned      map[string]int
	queues, agents map[string]bool
}

func (s *summary) add(r *record) {
	if s.queues == nil {
		s.queues, s.agents, s.abandoned = map[string]bool{}, map[string]bool{}, map[string]int{}
		s.first, s.last = r.offered, r.offered
	}
	s.first = min(s.first, r.offered)
	s.last = max(s.last, r.settled, r.wrapped)
	s.queues[r.queue] = true
	if r.answered {
		s.answered++
		s.agents[r.agent] = true
	} else {
		s.abandoned[r.reason]++
	}
}

func (s *summary) write(w io.Writer, m *mapping) {
	if s.queues == nil {
		fmt.Fprintln(w, "no calls")
		return
	}
	ab, parts := 0, []string{}
	for _, reason := range sortedKeys(s.abandoned) {
		ab += s.abandoned[reason]
		parts = append(parts, fmt.Sprintf("%s %d", reason, s.abandoned[reason]))
	}
	abs := fmt.Sprintf("%d abandoned", ab)
	if ab > 0 {
		abs += " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(w, "calls from %s to %s: %d answered, %s, %d queues, %d agents\n",
		ms(s.first).In(m.loc).Format("2006-01-02 15:04:05 MST"), ms(s.last).In(m.loc).Format("2006-01-02 15:04:05 MST"),
		s.answered, abs, len(s.queues), len(s.agents))
}
