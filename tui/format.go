package tui

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// dash stands for a figure that has no value yet (a ratio with no
// denominator).
const dash = "–"

// pct writes a ratio as a percentage with one decimal.
func pct(v *float64) string {
	if v == nil {
		return dash
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

// pct0 writes a ratio as a whole percentage (goals are whole numbers).
func pct0(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }

// dur writes seconds as m:ss, or h:mm:ss from an hour.
func dur(s float64) string {
	if math.IsNaN(s) || s < 0 {
		s = 0
	}
	t := int64(s + 0.5)
	h, m, sec := t/3600, t/60%60, t%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// threshold writes an answer-time goal as a person reads it: 20s, 1m, 4h.
func threshold(secs float64) string {
	return floor.FormatSpan(time.Duration(secs * float64(time.Second)))
}

// durp is dur of an optional figure.
func durp(s *float64) string {
	if s == nil {
		return dash
	}
	return dur(*s)
}

// num1 writes an optional figure with one decimal.
func num1(v *float64) string {
	if v == nil {
		return dash
	}
	return fmt.Sprintf("%.1f", *v)
}

// clock writes a floor-clock instant.
func clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.UTC().Format("15:04:05")
}

// sparkRunes are the eight heights of a sparkline.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last n points of vals scaled between lo and hi (hi <=
// lo: scaled to the data's own maximum). A NaN point (a minute with nothing
// to measure) is a blank.
func sparkline(vals []float64, n int, lo, hi float64) string {
	if n <= 0 {
		return ""
	}
	if len(vals) > n {
		vals = vals[len(vals)-n:]
	}
	if hi <= lo {
		lo, hi = 0, 0
		for _, v := range vals {
			if !math.IsNaN(v) && v > hi {
				hi = v
			}
		}
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case math.IsNaN(v):
			b.WriteRune(' ')
		case hi <= lo:
			b.WriteRune(sparkRunes[0])
		default:
			i := int(math.Round((v - lo) / (hi - lo) * float64(len(sparkRunes)-1)))
			i = max(0, min(len(sparkRunes)-1, i))
			b.WriteRune(sparkRunes[i])
		}
	}
	return b.String()
}

// lastValue is the newest non-NaN point of a series.
func lastValue(vals []float64) (float64, bool) {
	for i := len(vals) - 1; i >= 0; i-- {
		if !math.IsNaN(vals[i]) {
			return vals[i], true
		}
	}
	return 0, false
}

// bigGlyphs is a three-row block font for the service level in the header.
var bigGlyphs = map[rune][3]string{
	'0': {"█▀█", "█ █", "▀▀▀"},
	'1': {"▀█ ", " █ ", "▀▀▀"},
	'2': {"▀▀█", "█▀▀", "▀▀▀"},
	'3': {"▀▀█", " ▀█", "▀▀▀"},
	'4': {"█ █", "▀▀█", "  ▀"},
	'5': {"█▀▀", "▀▀█", "▀▀▀"},
	'6': {"█▀▀", "█▀█", "▀▀▀"},
	'7': {"▀▀█", "  █", "  ▀"},
	'8': {"█▀█", "█▀█", "▀▀▀"},
	'9': {"█▀█", "▀▀█", "▀▀▀"},
	'.': {" ", " ", "▀"},
	'%': {"▀ █", " █ ", "█ ▄"},
	'-': {"   ", "▀▀▀", "   "},
	'–': {"   ", "▀▀▀", "   "},
}

// bigText renders s in the block font, three lines; runes it has no glyph
// for are left out.
func bigText(s string) [3]string {
	var rows [3]strings.Builder
	first := true
	for _, r := range s {
		g, ok := bigGlyphs[r]
		if !ok {
			continue
		}
		for i := range rows {
			if !first {
				rows[i].WriteByte(' ')
			}
			rows[i].WriteString(g[i])
		}
		first = false
	}
	return [3]string{rows[0].String(), rows[1].String(), rows[2].String()}
}

// reasonWords say why an abandoned call left, as a supervisor says it: the
// long form for lines with room, the short one for table cells.
var reasonWords = map[string][2]string{
	feed.ReasonCaller:   {"hung up", "hung up"},
	feed.ReasonTimeout:  {"timed out", "timed out"},
	feed.ReasonNoAgents: {"no agents", "no agents"},
	feed.ReasonExitKey:  {"pressed a key to leave", "pressed a key"},
	feed.ReasonWithdraw: {"withdrawn", "withdrawn"},
}

// reasonOrder ties reasons with equal counts: the protocol's in its order,
// then a source's own words alphabetically.
var reasonOrder = []string{feed.ReasonCaller, feed.ReasonTimeout, feed.ReasonNoAgents, feed.ReasonExitKey, feed.ReasonWithdraw}

// reasonText is an abandon reason in words; a reason of the source's own is
// shown as it came.
func reasonText(r string) string { return reasonWord(r, 0) }

func reasonWord(r string, form int) string {
	if r == "" {
		r = feed.ReasonCaller
	}
	if w, ok := reasonWords[r]; ok {
		return w[form]
	}
	return r
}

// abandonReasons writes abandons by reason, the most first: "9 hung up ·
// 3 timed out · 2 no agents"; short uses the table cells' words and ", ".
func abandonReasons(by map[string]int64, short bool) string {
	rank := func(r string) int {
		if i := slices.Index(reasonOrder, r); i >= 0 {
			return i
		}
		return len(reasonOrder)
	}
	keys := slices.SortedFunc(maps.Keys(by), func(a, b string) int {
		return cmp.Or(cmp.Compare(by[b], by[a]), cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
	})
	form, sep := 0, " · "
	if short {
		form, sep = 1, ", "
	}
	parts := make([]string, 0, len(keys))
	for _, r := range keys {
		if by[r] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[r], reasonWord(r, form)))
		}
	}
	return strings.Join(parts, sep)
}

// onlyHungUp reports whether every abandon was a caller hanging up, as on a
// version 1 feed: a breakdown would then only repeat the total.
func onlyHungUp(by map[string]int64) bool {
	for r, n := range by {
		if n > 0 && r != feed.ReasonCaller && r != "" {
			return false
		}
	}
	return true
}

// abandonedWhy is the abandons of m by reason in full, "–" when none.
func abandonedWhy(m *floor.Metrics) string {
	if m.Abandoned == 0 {
		return dash
	}
	return abandonReasons(m.AbandonedByReason, false)
}

// abandonedCell is the abandon count of a table cell, with its reasons
// when any call left other than by hanging up: "14 (9 hung up, 3 timed out)".
func abandonedCell(m *floor.Metrics) string {
	if onlyHungUp(m.AbandonedByReason) {
		return strconv.FormatInt(m.Abandoned, 10)
	}
	return fmt.Sprintf("%d (%s)", m.Abandoned, abandonReasons(m.AbandonedByReason, true))
}

// reasonsAside is "; 9 hung up, 3 timed out" to follow an abandon figure
// when any call left other than by hanging up, "" otherwise.
func reasonsAside(m *floor.Metrics) string {
	if onlyHungUp(m.AbandonedByReason) {
		return ""
	}
	return "; " + abandonReasons(m.AbandonedByReason, true)
}

// abandonedShort is an abandon count with its short abandons, when any:
// "3 (1 short)".
func abandonedShort(abandoned, short int64) string {
	if short == 0 {
		return strconv.FormatInt(abandoned, 10)
	}
	return fmt.Sprintf("%d (%d short)", abandoned, short)
}
