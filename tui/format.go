package tui

import (
	"fmt"
	"math"
	"strings"
	"time"
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
