package debrief

import (
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/floorwatch/floorwatch/floor"
)

// WriteHTML writes the debrief as one self-contained HTML page: inline
// CSS and SVG, no script, nothing fetched. html/template escapes every
// string, in text and in attributes alike, so a name in the recording
// can only ever be read.
func (db *Debrief) WriteHTML(w io.Writer) error {
	return page.Execute(w, db.htmlView())
}

// htmlView is what the page shows, laid out.
type htmlView struct {
	*Debrief
	Span         string
	Points       string
	FormulaLines []string
	TermNotes    [][2]string
	ScoreNote    string
	Verdict      string
	FloorLines   [][]string
	Charts       []*chart
	QueueCharts  []*chart
	QueueRows    [][]string
	IntervalRows [][]string
	MetClass     string
	MetWord      string
}

func (db *Debrief) htmlView() *htmlView {
	v := &htmlView{Debrief: db, Span: db.span(), Points: points(db.Score.Points), FormulaLines: db.formulaLines(),
		TermNotes: termNotes, ScoreNote: scoreNote, FloorLines: db.Floor.lines()}
	if g := db.Score.Goal; g != nil {
		v.MetClass, v.MetWord = "met", "Goal met"
		if !g.Met {
			v.MetClass, v.MetWord = "missed", "Goal missed"
		}
		v.Verdict = goalVerdict(g, func(s string) string { return s })
	}
	sl := func(r *Row) *float64 { return r.ServiceLevel }
	waiting := func(r *Row) *float64 { n := float64(r.WaitingMax); return &n }
	hungUp := func(r *Row) *float64 { n := float64(r.HungUp()); return &n }
	v.Charts = []*chart{
		newChart("Service level, the floor", "each 15 minutes, calls answered or abandoned in it", chartW, chartH, db.Intervals, sl, true, &db.Targets.Floor, db.Moves),
		newChart("Calls waiting", "the most waiting at once in each 15 minutes", chartW, chartH, db.Intervals, waiting, false, nil, db.Moves),
		newChart("Callers who hung up", "in each 15 minutes, short abandons aside", chartW, chartH, db.Intervals, hungUp, false, nil, db.Moves),
	}
	for _, q := range db.Queues {
		target := db.Targets.Queues[q.Queue]
		v.QueueCharts = append(v.QueueCharts, newChart("Service level, "+label(q.Queue, q.Name), "", smallChartW, smallChartH, q.Intervals, sl, true, &target, db.Moves))
		v.QueueRows = append(v.QueueRows, []string{label(q.Queue, q.Name),
			floor.Pct(q.With.ServiceLevel), floor.Pct(q.Without.ServiceLevel), count(q.WithinGained()), count(q.HangupsAvoided()),
			floor.Pct(q.With.AbandonRate), floor.Pct(q.Without.AbandonRate), floor.Secs(q.With.ASAS), floor.Secs(q.Without.ASAS)})
	}
	for _, r := range db.Intervals {
		v.IntervalRows = append(v.IntervalRows, []string{clock(r.Start.Time),
			floor.Pct(r.With.ServiceLevel), floor.Pct(r.Without.ServiceLevel),
			fmt.Sprint(r.With.Offered), fmt.Sprint(r.Without.Offered),
			fmt.Sprint(r.With.WaitingMax), fmt.Sprint(r.Without.WaitingMax),
			fmt.Sprint(r.With.HungUp()), fmt.Sprint(r.Without.HungUp())})
	}
	return v
}

var page = template.Must(template.New("debrief").Funcs(template.FuncMap{
	"inc":   func(i int) int { return i + 1 },
	"tick":  func(y float64) float64 { return y + 5 },
	"clock": clock,
	"f1":    func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
}).Parse(pageTemplate))

const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drill debrief: {{.Scenario}} (seed {{.Seed}})</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 0; background: #f3f4f6; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.span { color: #4b5563; margin: 0 0 14px; }
blockquote { margin: 0 0 18px; padding: 10px 16px; background: #f9fafb; border-left: 4px solid #9ca3af; color: #374151; }
.cards { display: flex; gap: 18px; flex-wrap: wrap; }
.card { flex: 1 1 300px; border: 1px solid #e5e7eb; border-radius: 8px; padding: 14px 18px; }
.points { font-size: 44px; font-weight: 700; line-height: 1.1; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; font-size: 14px; }
.badge.met { background: #dcfce7; color: #166534; }
.badge.missed { background: #fee2e2; color: #991b1b; }
pre.formula { background: #f9fafb; border: 1px solid #e5e7eb; padding: 8px 12px; overflow-x: auto; font-size: 12.5px; margin: 12px 0 0; }
ul.terms { margin: 6px 0; padding-left: 20px; }
code { font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: right; }
th { background: #f9fafb; font-weight: 600; }
td:first-child, th:first-child { text-align: left; }
th.text, td.text { text-align: left; }
.legend { font-size: 13px; color: #4b5563; margin: 2px 0 8px; }
.key { display: inline-block; width: 26px; height: 0; vertical-align: middle; margin: 0 4px 0 10px; }
.key.with { border-top: 3px solid #1d4ed8; }
.key.without { border-top: 3px dashed #9ca3af; }
.key.goal { border-top: 2px dotted #15803d; }
.key.action { border-top: 2px solid #d97706; }
figure { margin: 14px 0 22px; }
figcaption { font-weight: 600; }
figcaption span { font-weight: normal; color: #6b7280; font-size: 13px; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px system-ui, sans-serif; fill: #4b5563; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .axis { stroke: #9ca3af; stroke-width: 1; }
svg .with { fill: none; stroke: #1d4ed8; stroke-width: 2.5; }
svg .without { fill: none; stroke: #9ca3af; stroke-width: 2; stroke-dasharray: 6 4; }
svg .dot-with { fill: #1d4ed8; }
svg .dot-without { fill: #9ca3af; }
svg .goal { stroke: #15803d; stroke-width: 1.5; stroke-dasharray: 2 3; }
svg text.goal { fill: #15803d; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .mark { stroke: #d97706; stroke-width: 1.5; }
svg .mark.refused { stroke: #d1d5db; }
svg circle.mark { fill: #d97706; stroke: none; }
svg circle.mark.refused { fill: #9ca3af; }
svg text.marknum { fill: #fff; font-weight: 700; font-size: 11px; }
.small { display: grid; grid-template-columns: 1fr 1fr; gap: 0 22px; }
details summary { cursor: pointer; color: #1d4ed8; margin: 8px 0; }
.refused { color: #9ca3af; }
</style>
</head>
<body>
<main>
<h1>Drill debrief: {{.Scenario}} <span style="font-weight:normal;color:#6b7280">seed {{.Seed}}</span></h1>
<p class="span">{{.Span}}</p>
{{if .Briefing}}<blockquote>{{.Briefing}}</blockquote>{{end}}

<div class="cards">
<div class="card">
<div>Score</div>
<div class="points">{{.Points}}</div>
<div>callers better served than without your actions, overtime charged; below zero, worse served</div>
</div>
{{with .Score.Goal}}<div class="card">
<div><span class="badge {{$.MetClass}}">{{$.MetWord}}</span></div>
<p><strong>Goal:</strong> {{.Text}}</p>
<p>{{$.Verdict}}</p>
</div>{{end}}
</div>
<pre class="formula">{{range .FormulaLines}}{{.}}
{{end}}</pre>

<h2>The floor, with your actions and without</h2>
<table>
<tr><th></th><th>with</th><th>without</th><th>difference</th></tr>
{{range .FloorLines}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>

<h2>By 15 minutes</h2>
<div class="legend"><span class="key with"></span>with your actions<span class="key without"></span>without<span class="key goal"></span>goal<span class="key action"></span>your actions, numbered as in the table below</div>
{{range .Charts}}{{template "chart" .}}{{end}}
<div class="small">{{range .QueueCharts}}{{template "chart" .}}{{end}}</div>

<h2>Queues</h2>
<table>
<tr><th>queue</th><th>SL with</th><th>SL without</th><th>within goal gained</th><th>hang-ups avoided</th><th>abandon rate with</th><th>without</th><th>ASA with</th><th>without</th></tr>
{{range .QueueRows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>

<h2>Your actions</h2>
{{if .Moves}}<table>
<tr><th>#</th><th>time</th><th class="text">by</th><th class="text">command</th><th class="text">result</th></tr>
{{range $i, $a := .Moves}}<tr{{if ne $a.Result "ok"}} class="refused"{{end}}><td>{{inc $i}}</td><td>{{clock $a.At}}</td><td class="text">{{$a.By}}</td><td class="text">{{$a.What}}</td><td class="text">{{$a.Result}}</td></tr>
{{end}}</table>
{{else}}<p>None: the drill ran as its shadow did, so the two sides are the same.</p>{{end}}

<h2>How the score is counted</h2>
<ul class="terms">{{range .TermNotes}}<li><code>{{index . 0}}</code>: {{index . 1}}</li>{{end}}</ul>
<p>{{.ScoreNote}}</p>

<h2>The floor by 15 minutes, in figures</h2>
<details><summary>Show the table</summary>
<table>
<tr><th>from</th><th>SL with</th><th>without</th><th>offered with</th><th>without</th><th>most waiting with</th><th>without</th><th>hung up with</th><th>without</th></tr>
{{range .IntervalRows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
</details>
</main>
</body>
</html>
{{define "chart"}}<figure>
<figcaption>{{.Title}}{{if .Note}} <span>{{.Note}}</span>{{end}}</figcaption>
<svg viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}}">
{{range .YTicks}}<line class="grid" x1="{{f1 $.X0}}" x2="{{f1 $.X1}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}"/><text x="{{f1 $.X0}}" dx="-6" y="{{f1 .Pos}}" dy="4" text-anchor="end">{{.Label}}</text>
{{end}}{{range .XTicks}}<line class="axis" x1="{{f1 .Pos}}" x2="{{f1 .Pos}}" y1="{{f1 $.Y1}}" y2="{{f1 (tick $.Y1)}}"/><text x="{{f1 .Pos}}" y="{{f1 $.Y1}}" dy="18" text-anchor="middle">{{.Label}}</text>
{{end}}<line class="axis" x1="{{f1 .X0}}" x2="{{f1 .X1}}" y1="{{f1 .Y1}}" y2="{{f1 .Y1}}"/>
{{with .Goal}}<line class="goal" x1="{{f1 $.X0}}" x2="{{f1 $.X1}}" y1="{{f1 .Pos}}" y2="{{f1 .Pos}}"/><text class="goal" x="{{f1 $.X1}}" dx="-4" y="{{f1 .Pos}}" dy="-5" text-anchor="end">{{.Label}}</text>
{{end}}{{range .Marks}}<line class="mark{{if .Refused}} refused{{end}}" x1="{{f1 .X}}" x2="{{f1 .X}}" y1="{{f1 $.Y0}}" y2="{{f1 $.Y1}}"/><circle class="mark{{if .Refused}} refused{{end}}" cx="{{f1 .X}}" cy="{{f1 .Y}}" r="8"/><text class="marknum" x="{{f1 .X}}" y="{{f1 .Y}}" dy="4" text-anchor="middle">{{.N}}</text>
{{end}}{{range .Lines}}{{$c := .Class}}{{range .Segments}}<polyline class="{{$c}}" points="{{.}}"/>
{{end}}{{range .Dots}}<circle class="dot-{{$c}}" cx="{{f1 (index . 0)}}" cy="{{f1 (index . 1)}}" r="2.5"/>{{end}}
{{end}}</svg>
</figure>{{end}}
`
