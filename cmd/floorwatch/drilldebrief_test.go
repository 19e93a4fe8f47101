package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/simulator"
	"github.com/floorwatch/floorwatch/tui"
)

// tinyDrill is a drill small enough to check by hand: one queue, two
// agents, about 30 callers in an hour, each waiting a minute at most.
func tinyDrill(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny-drill.yaml")
	err := os.WriteFile(path, []byte(`name: tiny-drill
briefing: One queue, two agents, an hour; callers wait a minute at most.
goal: {text: "Keep support at 80 % or better", queue: support, service_level: 0.8}
start: 2026-11-23T08:00:00Z
duration: 1h
seed: 3
queues:
  - {queue: support, sl_threshold_s: 20, sl_target: 0.8, calls_per_hour: 40, aht_s: 180, patience_s: 60}
agents:
  - {count: 2, queues: [support]}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// cutAt writes the lines of the recording at path up to floor time at,
// then a heartbeat at at, as a live feed's clock would stand there.
func cutAt(t *testing.T, path string, at time.Time) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	var seq int64
	for sc := bufio.NewScanner(f); sc.Scan(); {
		d := feed.Decode(sc.Bytes())
		if d.Err != nil || d.Event.TS.After(at) {
			break
		}
		seq = d.Event.Seq
		out.Write(append(sc.Bytes(), '\n'))
	}
	out.Write(append(feed.Encode(&feed.Event{Type: feed.TypeHeartbeat, Seq: seq, TS: at}), '\n'))
	cut := path + ".cut.jsonl"
	if err := os.WriteFile(cut, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return cut
}

// comparison matches the Overview's line in short, as an 80-column
// terminal shows it: the service level with and without.
var comparison = regexp.MustCompile(`SL (\S+%) \(without you (\S+%)\)`)

// lastComparison is the last comparison the screen drew.
func lastComparison(t *testing.T, screen string) (with, without string) {
	t.Helper()
	all := comparison.FindAllStringSubmatch(screen, -1)
	if len(all) == 0 {
		t.Fatalf("the screen never showed the comparison:\n%s", tail(screen, 2000))
	}
	m := all[len(all)-1]
	return m[1], m[2]
}

// statusFloor is `status --json`'s floor figures of a recording, over w.
func statusFloor(t *testing.T, path, w string) floor.Metrics {
	t.Helper()
	var r struct{ Floor floor.Metrics }
	if err := json.Unmarshal([]byte(runOK(t, "status", "--replay", path, "--json", "--window", w)), &r); err != nil {
		t.Fatal(err)
	}
	return r.Floor
}

// The Overview's "without" figure is the shadow floor's at the same floor
// time and over the same window: what `status` says of `sim --record` of
// the same scenario and seed cut at that time. Here, at 08:40 over the
// last 30 minutes, a quarter of an hour after the trainee called in two
// agents for half an hour; the figures are small enough to check by hand
// (the log has them).
func TestOverviewWithoutIsTheShadowAtItsTime(t *testing.T) {
	path := tinyDrill(t)
	sc, err := simulator.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	at := sc.Start.Add(40 * time.Minute)
	drillRec := recordDrill(t, path, 3, 15*time.Minute,
		simulator.Command{ID: "k1", By: localTrainee, Name: simulator.CmdOvertime, Count: 2, Queues: []string{"support"}, For: "30m"})
	simRec := filepath.Join(t.TempDir(), "sim.jsonl")
	runOK(t, "sim", "--scenario", path, "--seed", "3", "--record", simRec)
	drillCut, simCut := cutAt(t, drillRec, at), cutAt(t, simRec, at)
	with, without := statusFloor(t, drillCut, "30m"), statusFloor(t, simCut, "30m")
	for _, f := range []struct {
		name string
		m    floor.Metrics
	}{{"with", with}, {"without", without}} {
		t.Logf("%s, 08:10–08:40: %d answered within 20 s of %d answered and %d abandoned: service level %s",
			f.name, f.m.AnsweredWithin, f.m.Answered, f.m.Abandoned, floor.Pct(f.m.ServiceLevel))
	}
	if floor.Pct(with.ServiceLevel) == floor.Pct(without.ServiceLevel) {
		t.Fatalf("the overtime changed nothing by 08:40 (%s): the test shows nothing", floor.Pct(with.ServiceLevel))
	}

	hub := live.NewHub(floor.New(floor.Options{}))
	f, err := os.Open(drillCut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := hub.Replay(f); err != nil {
		t.Fatal(err)
	}
	screen, typed := fakeTerminal(t)
	done := make(chan error, 1)
	go func() {
		done <- runDashboard(hub, tui.Options{Window: floor.Rolling(30 * time.Minute), Shadow: drillShadow(sc, floor.Options{})},
			func(ctx context.Context) error { <-ctx.Done(); return nil }, log.New(io.Discard, "", 0))
	}()
	waitFor(t, screen, "Briefing: tiny-drill", 10*time.Second)
	typed.Write([]byte("x"))
	waitFor(t, screen, "without you", 10*time.Second)
	typed.Write([]byte("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard did not quit on q")
	}
	gotWith, gotWithout := lastComparison(t, screen.String())
	if gotWith != floor.Pct(with.ServiceLevel) || gotWithout != floor.Pct(without.ServiceLevel) {
		t.Errorf("the Overview shows SL %s (without you %s); status says %s of the drill and %s of sim --record, at 08:40 over 30m",
			gotWith, gotWithout, floor.Pct(with.ServiceLevel), floor.Pct(without.ServiceLevel))
	}
}

// demo --drill run to its end: the run-ended banner says where the
// debrief goes; q writes it (Markdown with the score's formula, HTML, the
// recording) and prints where, with its summary; the Overview's last
// comparison is the debrief's.
func TestDemoDrillWritesItsDebrief(t *testing.T) {
	path, dir := tinyDrill(t), t.TempDir()
	screen, typed := fakeTerminal(t)
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch demo", flag.ContinueOnError)
		done <- runDemo(fs, []string{"--drill", path, "--speed", "3600", "--debrief-dir", dir}, &stdout, io.Discard)
	}()
	waitFor(t, screen, "Briefing: tiny-drill", 15*time.Second)
	typed.Write([]byte("x"))
	waitFor(t, screen, "q writes the debrief to", 30*time.Second)
	quitDashboard(t, typed, done)

	base := ""
	for _, ext := range []string{".jsonl", ".md", ".html"} {
		found, _ := filepath.Glob(filepath.Join(dir, "debrief-tiny-drill-*"+ext))
		if len(found) != 1 {
			t.Fatalf("%d %s files in the debrief directory: %v", len(found), ext, found)
		}
		base = strings.TrimSuffix(found[0], ext)
	}
	md, err := os.ReadFile(base + ".md")
	if err != nil {
		t.Fatal(err)
	}
	const formula = "score = within_gained + hangups_avoided − overtime_hours × calls_per_agent_hour"
	if !strings.Contains(string(md), formula) || !strings.Contains(string(md), "# Drill debrief: tiny-drill (seed 3)") {
		t.Errorf("the Markdown debrief has no formula or title:\n%s", md)
	}
	if html, err := os.ReadFile(base + ".html"); err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("the HTML debrief: %v, %.200s", err, html)
	}
	out := stdout.String()
	if !strings.Contains(out, "The drill's debrief is in "+base+".md and "+base+".html") || !strings.Contains(out, "## Score: ") ||
		!strings.Contains(out, formula) || !strings.Contains(out, "(without your actions ") {
		t.Errorf("after the dashboard, demo printed:\n%s", out)
	}

	var db struct {
		Floor struct{ With, Without floor.Metrics }
	}
	if err := json.Unmarshal([]byte(runOK(t, "debrief", base+".jsonl", "--scenario", path, "--json")), &db); err != nil {
		t.Fatal(err)
	}
	with, without := lastComparison(t, screen.String())
	if with != floor.Pct(db.Floor.With.ServiceLevel) || without != floor.Pct(db.Floor.Without.ServiceLevel) {
		t.Errorf("the Overview ended on SL %s (without you %s); the debrief says %s and %s",
			with, without, floor.Pct(db.Floor.With.ServiceLevel), floor.Pct(db.Floor.Without.ServiceLevel))
	}
}

// --no-debrief writes nothing; the debrief's flags want a drill.
func TestDemoDebriefFlags(t *testing.T) {
	for _, args := range [][]string{{"--debrief-dir", "x"}, {"--no-debrief"}} {
		var stderr bytes.Buffer
		if code := run(append([]string{"demo"}, args...), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "give --drill NAME") {
			t.Errorf("demo %v: exit %d, %s", args, code, stderr.String())
		}
	}
	path, dir := tinyDrill(t), t.TempDir()
	screen, typed := fakeTerminal(t)
	done := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch demo", flag.ContinueOnError)
		done <- runDemo(fs, []string{"--drill", path, "--speed", "3600", "--debrief-dir", dir, "--no-debrief"}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "Briefing: tiny-drill", 15*time.Second)
	typed.Write([]byte("x"))
	waitFor(t, screen, "run ended", 30*time.Second)
	if strings.Contains(screen.String(), "debrief") {
		t.Error("with --no-debrief the dashboard speaks of a debrief")
	}
	quitDashboard(t, typed, done)
	if found, _ := filepath.Glob(filepath.Join(dir, "*")); len(found) != 0 {
		t.Errorf("--no-debrief wrote %v", found)
	}
}

// watch on a drill's feed sets it beside the same callers with no action,
// as demo does, when the drill is of a bundled scenario.
func TestWatchOnADrillComparesWithoutTheActions(t *testing.T) {
	url, stop := startSim(t, "--scenario", "monday-surge", "--drill", "--speed", "600")
	defer stop()
	screen, typed := fakeTerminal(t)
	done := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch watch", flag.ContinueOnError)
		done <- runWatch(fs, []string{url}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "Briefing: monday-surge", 15*time.Second)
	typed.Write([]byte("x"))
	waitFor(t, screen, "(without you", 20*time.Second)
	quitDashboard(t, typed, done)
}
