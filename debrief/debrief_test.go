package debrief

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

const h, m = time.Hour, time.Minute

// threeActions is a trainee's morning on monday-surge: a support agent
// also takes billing, billing offers call backs, two agents come in for
// an hour of overtime on billing.
var threeActions = []timed{
	{20 * m, simulator.Command{Name: simulator.CmdMove, Agent: "a003", Queues: []string{"billing", "support"}}},
	{h, simulator.Command{Name: simulator.CmdCallback, Queue: "billing", AfterS: seconds(40)}},
	{2 * h, simulator.Command{Name: simulator.CmdOvertime, Count: 2, Queues: []string{"billing"}, For: "1h"}},
}

func build(t *testing.T, rec []byte, opt Options) *Debrief {
	t.Helper()
	db, err := Build(bytes.NewReader(rec), opt)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestNoActionNoDifference: a drill in which the supervisor does nothing
// is its shadow, over the whole day and when it stops early; every figure,
// interval and the score say so.
func TestNoActionNoDifference(t *testing.T) {
	for _, stop := range []time.Duration{0, 2*h + 7*m} {
		db := build(t, drill(t, "two-callouts", 13, stop), Options{})
		if db.Complete != (stop == 0) {
			t.Errorf("stop %v: complete %v", stop, db.Complete)
		}
		if !reflect.DeepEqual(db.Floor.With, db.Floor.Without) {
			t.Errorf("stop %v: floor with %+v\nwithout %+v", stop, db.Floor.With, db.Floor.Without)
		}
		for _, q := range db.Queues {
			if !reflect.DeepEqual(q.With, q.Without) || !reflect.DeepEqual(rowsOf(q.Intervals, true), rowsOf(q.Intervals, false)) {
				t.Errorf("stop %v: queue %s differs with no action", stop, q.Queue)
			}
		}
		if !reflect.DeepEqual(rowsOf(db.Intervals, true), rowsOf(db.Intervals, false)) || len(db.Intervals) == 0 {
			t.Errorf("stop %v: %d intervals, not alike", stop, len(db.Intervals))
		}
		if db.Score.Points != 0 || len(db.Actions) != 0 || db.Floor.With.Offered < 500 {
			t.Errorf("stop %v: score %v, %d actions, %d offered", stop, db.Score.Points, len(db.Actions), db.Floor.With.Offered)
		}
		if stop > 0 {
			if want := db.Start.Add(stop); db.Until.Before(want) || db.Until.After(want.Add(time.Minute)) {
				t.Errorf("compared until %v, the drill stopped at %v", db.Until, want)
			}
			if last := db.Intervals[len(db.Intervals)-1].Start.Time; !last.Equal(slot(db.Until)) {
				t.Errorf("the last interval is %v; the drill stopped at %v", last, db.Until)
			}
		}
	}
}

func rowsOf(pairs []RowPair, with bool) []Row {
	out := make([]Row, len(pairs))
	for i, p := range pairs {
		out[i] = p.Without
		if with {
			out[i] = p.With
		}
	}
	return out
}

// TestScoreByHand: three actions on monday-surge, scored by the formula
// worked here from the figures, and the Markdown shows that working.
func TestScoreByHand(t *testing.T) {
	db := build(t, drill(t, "monday-surge", 3, 0, threeActions...), Options{})
	w, wo := db.Floor.With, db.Floor.Without
	within := w.AnsweredWithin - wo.AnsweredWithin
	hangups := (wo.AbandonedByReason["caller"] - wo.ShortAbandoned) - (w.AbandonedByReason["caller"] - w.ShortAbandoned)
	overtime := 2 * 1.0 // two agents for an hour
	perHour := 3600 / *wo.AHTS
	want := float64(within+hangups) - overtime*perHour
	s := db.Score
	if s.Terms.WithinGained != within || s.Terms.HangupsAvoided != hangups || s.Terms.OvertimeHours != overtime ||
		*s.Terms.CallsPerAgentHour != perHour || math.Abs(s.Points-want) > 1e-9 {
		t.Fatalf("score %+v (%v per hour); by hand %d + %d − %v × %v = %v", s, *s.Terms.CallsPerAgentHour, within, hangups, overtime, perHour, want)
	}
	// The goal: billing at 80 %, no overtime. Overtime was called, so it
	// is missed whatever the service level.
	g := s.Goal
	if g == nil || g.Queue != "billing" || g.Met || !strings.Contains(strings.Join(g.Missed, ";"), "2 agent-hours of overtime") {
		t.Errorf("goal %+v", g)
	}
	if len(db.Actions) != 3 || len(db.Moves) != 3 || db.Moves[2].What != "overtime: 2 agents on billing for 1h" || db.Moves[0].By != "trainee" {
		t.Errorf("actions %s; moves %+v", db.Actions, db.Moves)
	}
	var md bytes.Buffer
	if err := db.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		formulaExpr,
		fmt.Sprintf("= %s + %s − 2 × %.2f", paren(within), paren(hangups), perHour),
		"| 10:00 | trainee | overtime: 2 agents on billing for 1h | ok     |",
		"**Missed** with your actions",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown has no %q:\n%s", want, md.String())
		}
	}
}

// TestIntervalsAddUpToTheFold: the 15-minute rows of each side, floor and
// queues, add up to the figures the fold gives the whole drill.
func TestIntervalsAddUpToTheFold(t *testing.T) {
	db := build(t, drill(t, "monday-surge", 3, 0, threeActions...), Options{})
	check := func(what string, rows []RowPair, p Pair) {
		for _, side := range []struct {
			name string
			with bool
			want CallFigures
		}{{"with", true, p.With}, {"without", false, p.Without}} {
			var sum CallFigures
			sum.AbandonedByReason = map[string]int64{}
			var waits, handles, handled float64
			for _, r := range rowsOf(rows, side.with) {
				sum.Offered += r.Offered
				sum.Answered += r.Answered
				sum.AnsweredWithin += r.AnsweredWithin
				sum.Abandoned += r.Abandoned
				sum.ShortAbandoned += r.ShortAbandoned
				for k, n := range r.AbandonedByReason {
					sum.AbandonedByReason[k] += n
				}
				if r.ASAS != nil {
					waits += *r.ASAS * float64(r.Answered)
				}
				if r.AHTS != nil {
					handles += *r.AHTS
					handled++
				}
			}
			got := []int64{sum.Offered, sum.Answered, sum.AnsweredWithin, sum.Abandoned, sum.ShortAbandoned}
			want := []int64{side.want.Offered, side.want.Answered, side.want.AnsweredWithin, side.want.Abandoned, side.want.ShortAbandoned}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(sum.AbandonedByReason, side.want.AbandonedByReason) {
				t.Errorf("%s %s: rows add up to %v %v; the fold says %v %v", what, side.name, got, sum.AbandonedByReason, want, side.want.AbandonedByReason)
			}
			if asa := waits / float64(sum.Answered); math.Abs(asa-*side.want.ASAS) > 1e-9 {
				t.Errorf("%s %s: rows' ASA %v, the fold's %v", what, side.name, asa, *side.want.ASAS)
			}
			if handled == 0 {
				t.Errorf("%s %s: no AHT in any row", what, side.name)
			}
		}
	}
	check("floor", db.Intervals, db.Floor)
	for _, q := range db.Queues {
		check(q.Queue, q.Intervals, q.Pair)
	}
}

// TestIntervalsByHand: a hand-made morning, counted interval by interval.
func TestIntervalsByHand(t *testing.T) {
	rec := strings.Join([]string{
		`{"type":"queue.config","seq":1,"ts":"2026-11-23T08:00:00.000Z","queue":"q","sl_threshold_s":20,"short_abandon_s":5}`,
		`{"type":"agent.state","seq":2,"ts":"2026-11-23T08:00:00.000Z","agent":"a1","state":"available","queues":["q"]}`,
		`{"type":"call.offered","seq":3,"ts":"2026-11-23T08:14:00.000Z","call":"c1","queue":"q"}`,
		`{"type":"call.offered","seq":4,"ts":"2026-11-23T08:14:30.000Z","call":"c2","queue":"q"}`,
		`{"type":"call.abandoned","seq":5,"ts":"2026-11-23T08:14:33.000Z","call":"c2","queue":"q"}`,
		`{"type":"call.answered","seq":6,"ts":"2026-11-23T08:15:10.000Z","call":"c1","queue":"q","agent":"a1"}`,
		`{"type":"call.offered","seq":7,"ts":"2026-11-23T08:16:00.000Z","call":"c3","queue":"q"}`,
		`{"type":"call.answered","seq":8,"ts":"2026-11-23T08:16:10.000Z","call":"c3","queue":"q","agent":"a2"}`,
		`{"type":"call.ended","seq":9,"ts":"2026-11-23T08:18:10.000Z","call":"c1","agent":"a1"}`,
		`{"type":"call.wrapped","seq":10,"ts":"2026-11-23T08:18:40.000Z","call":"c1","agent":"a1"}`,
		`{"type":"call.offered","seq":11,"ts":"2026-11-23T08:20:00.000Z","call":"c4","queue":"q"}`,
		`{"type":"call.ended","seq":12,"ts":"2026-11-23T08:20:00.000Z","call":"c3","agent":"a2"}`,
		`{"type":"call.wrapped","seq":13,"ts":"2026-11-23T08:20:00.000Z","call":"c3","agent":"a2"}`,
		`{"type":"call.abandoned","seq":14,"ts":"2026-11-23T08:31:00.000Z","call":"c4","queue":"q"}`,
		`{"type":"call.offered","seq":15,"ts":"2026-11-23T08:44:00.000Z","call":"c5","queue":"q"}`,
		`{"type":"agent.state","seq":16,"ts":"2026-11-23T08:50:00.000Z","agent":"a1","state":"aux","reason":"break"}`,
	}, "\n")
	f := floor.New(floor.Options{})
	d, err := day.Read(strings.NewReader(rec), f)
	if err != nil {
		t.Fatal(err)
	}
	iv := countIntervals(d, f.Now())
	got := iv.rows("", iv.first, iv.end)
	p := func(v float64) *float64 { return &v }
	at := func(hm string) floor.Time {
		tm, _ := time.Parse(time.RFC3339, "2026-11-23T"+hm+":00Z")
		return floor.Time{Time: tm}
	}
	caller := func(n int64) map[string]int64 { return map[string]int64{"caller": n} }
	want := []Row{
		// c1 and c2 offered; c2 hangs up after 3 s (short); two waiting at 08:14:30.
		{Start: at("08:00"), Offered: 2, Abandoned: 1, ShortAbandoned: 1, AbandonedByReason: caller(1), AbandonRate: p(0), WaitingMax: 2},
		// c1 answered after 70 s, c3 after 10 s (within); c4 offered; AHT (210 + 230) / 2.
		{Start: at("08:15"), Offered: 2, Answered: 2, AnsweredWithin: 1, AbandonedByReason: map[string]int64{},
			ServiceLevel: p(0.5), ASAS: p(40), AHTS: p(220), AbandonRate: p(0), WaitingMax: 1},
		// c4 hangs up after 11 minutes; c5 offered.
		{Start: at("08:30"), Offered: 1, Abandoned: 1, AbandonedByReason: caller(1), ServiceLevel: p(0), AbandonRate: p(1), WaitingMax: 1},
		// c5 still waits.
		{Start: at("08:45"), AbandonedByReason: map[string]int64{}, WaitingMax: 1},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d:\n got %s\nwant %s", i, mustJSON(got[min(i, len(got)-1)]), mustJSON(want[min(i, len(want)-1)]))
			}
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestHostileTextShownNeverObeyed: what a drill's recording says (here
// who gave a command) reaches the Markdown without its control
// characters and the HTML escaped; the page has no script and fetches
// nothing.
func TestHostileTextShownNeverObeyed(t *testing.T) {
	by := "<img src=x onerror=alert(1)>\x1b]0;pwned\x07\x1b[2J | x"
	rec := drill(t, "outage-recovery", 5, 90*m,
		timed{30 * m, simulator.Command{Name: simulator.CmdRelease, Agent: "a001", By: by}})
	db := build(t, rec, Options{})
	var md, page bytes.Buffer
	if err := db.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(md.String(), "\x1b\x07") || !strings.Contains(md.String(), `^[]0;pwned^G^[[2J \| x`) {
		t.Errorf("the Markdown shows the text as:\n%s", md.String())
	}
	html := page.String()
	for _, bad := range []string{"<img", "\x1b", "<script", "http://", "https://"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("the page does not show who acted")
	}
}

// TestWrongScenarioRefused: the debrief will not compare a drill with a
// scenario it was not played on, nor take a plain run for a drill.
func TestWrongScenarioRefused(t *testing.T) {
	rec := drill(t, "lunch-rush", 11, time.Hour)
	other, _ := simulator.Load("callout")
	changed, _ := simulator.Load("lunch-rush")
	changed.Queues[0].CallsPerHour++
	sc, _ := simulator.Load("lunch-rush")
	var plain bytes.Buffer
	b, err := Shadow(sc, 11, floor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain.Write(b.Recording())
	for _, tc := range []struct {
		rec  []byte
		opt  Options
		want string
	}{
		{rec, Options{Scenario: other}, `the recording is a drill of scenario "lunch-rush", the scenario given is "callout"`},
		{rec, Options{Scenario: changed}, "the recording's callers are not the scenario's"},
		{plain.Bytes(), Options{}, "not a drill's recording"},
		{twice(rec), Options{}, "more than one drill run"},
	} {
		_, err := Build(bytes.NewReader(tc.rec), tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v; want %q", err, tc.want)
		}
	}
}

// TestReportAt: the shadow floor at any time is the fold of its run up to
// then, however the times are asked for.
func TestReportAt(t *testing.T) {
	sc, _ := simulator.Load("steady-day")
	b, err := Shadow(sc, 7, floor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return sc.Start.Add(d) }
	fresh := func(t0 time.Time) *floor.Report {
		_, f, err := b.replay(t0)
		if err != nil {
			t.Fatal(err)
		}
		return f.Report(floor.All)
	}
	for _, d := range []time.Duration{h, 3*h + 17*m, 2 * h, 9 * h} {
		got, want := b.ReportAt(at(d), floor.All), fresh(at(d))
		if !reflect.DeepEqual(got.Floor, want.Floor) || !got.Now.Equal(at(d)) {
			t.Errorf("at %v: %+v\nwant %+v", d, got.Floor, want.Floor)
		}
	}
	full := floor.New(floor.Options{})
	if _, err := day.Read(bytes.NewReader(b.Recording()), full); err != nil {
		t.Fatal(err)
	}
	if got := b.ReportAt(b.End(), floor.All); !reflect.DeepEqual(got.Floor, full.Report(floor.All).Floor) {
		t.Errorf("at its end the shadow is not its whole run")
	}
}

// twice is a recording of a run played twice on one feed, its seq going on.
func twice(rec []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(rec), []byte("\n"))
	var out bytes.Buffer
	for i, l := range append(lines, lines...) {
		d := feed.Decode(l)
		d.Event.Seq = int64(i + 1)
		out.Write(feed.Encode(&d.Event))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// TestHeadlineMidDrill: what the dashboard shows beside a drill in
// progress, from the drill's own fold and the shadow at the same instant.
func TestHeadlineMidDrill(t *testing.T) {
	rec := drill(t, "monday-surge", 3, 2*h, threeActions...)
	f := floor.New(floor.Options{})
	d, err := day.Read(bytes.NewReader(rec), f)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := simulator.Load("monday-surge")
	b, err := Shadow(sc, 3, floor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []*feed.Drill
	for _, a := range d.Actions {
		actions = append(actions, a.Drill)
	}
	with, without := f.Report(floor.All), b.ReportAt(f.Now(), floor.All)
	c := Compare(with, without, actions, sc.Goal)
	want := fmt.Sprintf("service level %s (without your actions %s), ", floor.Pct(with.Floor.ServiceLevel), floor.Pct(without.Floor.ServiceLevel))
	if got := c.Headline(); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, ", 2 agent-hours of overtime") {
		t.Errorf("headline %q", got)
	}
	if c.Score.Goal == nil || c.Score.Terms.OvertimeHours != 2 {
		t.Errorf("score %+v", c.Score)
	}
}
