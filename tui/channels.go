package tui

import (
	"fmt"

	"github.com/floorwatch/floorwatch/floor"
)

// A queue's calls by channel (protocol 1.1): voice, chat, email… each held
// to its own goal where the queue gives the channel one.

// byChannel reports whether q's figures by channel say more than its own:
// it has calls of several channels, or a channel held to a goal other than
// the queue's.
func byChannel(q *floor.QueueReport) bool {
	if len(q.Channels) > 1 {
		return true
	}
	for _, c := range q.Channels {
		if c.SLThresholdS != q.SLThresholdS {
			return true
		}
	}
	return false
}

// channelTag marks a queue's name in the queue tables when its figures by
// channel are worth a look (in its pane on the Queues view, and its detail).
func channelTag(q *floor.QueueReport) string {
	if !byChannel(q) {
		return ""
	}
	return fmt.Sprintf(" (%d ch)", len(q.Channels))
}

// channelColumns are the channel table's columns, by priority.
var channelColumns = []column{
	{title: "CHANNEL", flex: true},
	{title: "SL", right: true},
	{title: "GOAL", right: true},
	{title: "OFFERED", right: true, prio: 2},
	{title: "ANSWERED", right: true, prio: 3},
	{title: "ASA", right: true, prio: 1},
	{title: "AHT", right: true, prio: 4},
	{title: "ABANDONED", right: true, prio: 2},
	{title: "WAIT", right: true, prio: 3},
	{title: "LONGEST", right: true, prio: 4},
}

// channelTable is q's figures by channel in at most h lines, each channel
// against its own goal; "" when they say nothing the queue's do not, or
// there is no room for a row.
func (m *Model) channelTable(q *floor.QueueReport, w, h int) string {
	if !byChannel(q) || h < 2 {
		return ""
	}
	s := m.styles
	rows := make([][]cell, 0, len(q.Channels))
	for _, c := range q.Channels[:min(len(q.Channels), h-1)] {
		lvl := slLevel(c.ServiceLevel, c.SLTarget)
		rows = append(rows, []cell{
			txt(c.Channel),
			styled(pct(c.ServiceLevel)+" "+levelMark(lvl), s.Level(lvl)),
			txt(pct0(c.SLTarget) + " in " + threshold(c.SLThresholdS)),
			txt(fmt.Sprint(c.Offered)),
			txt(fmt.Sprint(c.Answered)),
			txt(durp(c.ASAS)),
			txt(durp(c.AHTS)),
			txt(abandonedShort(c.Abandoned, c.ShortAbandoned)),
			txt(itoa(c.Waiting)),
			txt(durp(c.LongestWaitS)),
		})
	}
	cols := withTitle(channelColumns, m.title("CHANNEL", q.Label()))
	return s.render(tableSpec{cols: cols, rows: rows, width: w, height: min(h, len(rows)+1), cursor: -1})
}
