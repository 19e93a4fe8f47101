package debrief

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// chart is an SVG line chart of one figure by interval, with the actions
// and without, laid out for the HTML template: every coordinate is
// computed here, every label is text the template escapes.
type chart struct {
	Title, Note string
	W, H        int
	// The plot area.
	X0, Y0, X1, Y1 float64
	XTicks, YTicks []tick
	// Lines are the "without" series first, so "with" is drawn on top.
	Lines []line
	Goal  *tick // a horizontal goal line: Pos is its y
	Marks []mark
}

type tick struct {
	Pos   float64
	Label string
}

// line is one series: its class (with or without) and its segments, each
// an SVG points list; a gap (no figure) breaks the line.
type line struct {
	Class    string
	Segments []string
	Dots     [][2]float64
}

// mark is an action on the time axis: N is its number in the actions
// table; Y is where its number sits, stacked below the number of an
// action at the same time.
type mark struct {
	X, Y    float64
	N       int
	Refused bool
}

// markStack is how far apart the numbers of actions at one time stack.
const markStack = 20

// Chart sizes, in SVG user units (the page scales them to its width).
const (
	chartW       = 1000
	chartH       = 240
	smallChartW  = 500 // two side by side, their text as large as the big charts'
	smallChartH  = 200
	marginLeft   = 56
	marginRight  = 16
	marginTop    = 22
	marginBottom = 30
)

// series is one figure of each row, nil where a row has none.
type series func(r *Row) *float64

// newChart lays out a figure over the rows, with and without: a ratio on
// a scale of 0 to 100 %, a count on a scale that fits the larger side.
func newChart(title, note string, w, h int, rows []RowPair, value series, ratio bool, goal *float64, moves []Action) *chart {
	c := &chart{Title: title, Note: note, W: w, H: h,
		X0: marginLeft, Y0: marginTop, X1: float64(w - marginRight), Y1: float64(h - marginBottom)}
	if len(rows) == 0 {
		return c
	}
	from := rows[0].Start.Time
	to := rows[len(rows)-1].Start.Add(IntervalLength)
	x := func(t time.Time) float64 {
		return c.X0 + (c.X1-c.X0)*t.Sub(from).Seconds()/to.Sub(from).Seconds()
	}
	top, step := 1.0, ratioStep
	if !ratio {
		top = 0
		for i := range rows {
			for _, v := range []*float64{value(&rows[i].With), value(&rows[i].Without)} {
				if v != nil {
					top = math.Max(top, *v)
				}
			}
		}
		step = countStep(top)
		top = math.Max(step, math.Ceil(top/step)*step)
	}
	y := func(v float64) float64 { return c.Y1 - (c.Y1-c.Y0)*v/top }
	for v := 0.0; v <= top+step/2; v += step {
		label := fmt.Sprint(v)
		if ratio {
			label = fmt.Sprintf("%.0f%%", 100*v)
		}
		c.YTicks = append(c.YTicks, tick{Pos: y(v), Label: label})
	}
	for t := from.Truncate(time.Hour); !t.After(to); t = t.Add(time.Hour) {
		if !t.Before(from) {
			c.XTicks = append(c.XTicks, tick{Pos: x(t), Label: clock(t)})
		}
	}
	for _, side := range []string{"without", "with"} {
		ln := line{Class: side}
		var seg []string
		for i := range rows {
			r := &rows[i].With
			if side == "without" {
				r = &rows[i].Without
			}
			v := value(r)
			if v == nil {
				if len(seg) > 0 {
					ln.Segments = append(ln.Segments, strings.Join(seg, " "))
				}
				seg = nil
				continue
			}
			px, py := x(rows[i].Start.Add(IntervalLength/2)), y(*v)
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", px, py))
			ln.Dots = append(ln.Dots, [2]float64{px, py})
		}
		if len(seg) > 0 {
			ln.Segments = append(ln.Segments, strings.Join(seg, " "))
		}
		c.Lines = append(c.Lines, ln)
	}
	if goal != nil {
		c.Goal = &tick{Pos: y(*goal), Label: fmt.Sprintf("goal %.0f%%", 100**goal)}
	}
	for i, a := range moves {
		if a.At.Before(from) || a.At.After(to) {
			continue
		}
		m := mark{X: x(a.At), Y: c.Y0, N: i + 1, Refused: a.Result != "ok"}
		for _, o := range c.Marks {
			if math.Abs(o.X-m.X) < markStack {
				m.Y = math.Max(m.Y, o.Y+markStack)
			}
		}
		c.Marks = append(c.Marks, m)
	}
	return c
}

// ratioStep is the gridline step of a ratio's scale: every 25 %.
const ratioStep = 0.25

// countStep is a whole, round step that divides 0..top into at most five
// parts.
func countStep(top float64) float64 {
	raw := top / 5
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}
