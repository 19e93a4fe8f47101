package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/simulator"
)

func init() {
	register(command{name: "demo", args: "",
		summary: "the dashboard on the bundled simulator: zero set-up", run: runDemo})
}

// localTrainee is who acts in a drill run by demo, on its drill.actions.
const localTrainee = "local"

// DefaultDemoSpeed runs a scenario lively enough to watch: an 8-hour day in
// 16 minutes.
const DefaultDemoSpeed = 30

func runDemo(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var d dashFlags
	d.register(fs)
	scenario := fs.String("scenario", simulator.DefaultScenario, "bundled scenario `NAME` or scenario FILE (YAML)")
	speed := fs.Float64("speed", DefaultDemoSpeed, "simulated seconds per wall second (1 = real time)")
	drill := fs.String("drill", "", "run the drill `NAME` (floorwatch drills lists them) or a scenario FILE as a drill you act in: "+
		"its briefing, then keys on the Agents and Queues views (? lists them) and an action log (L); "+
		"the Overview sets the floor beside the same callers with no action taken, and quitting writes the drill's debrief")
	debriefDir := fs.String("debrief-dir", ".", "with --drill: when the dashboard quits, write the drill's debrief (debrief-DRILL-TIME.md and .html) and its recording (.jsonl) in `DIR`")
	noDebrief := fs.Bool("no-debrief", false, "with --drill: write no debrief and keep no recording")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("demo takes no arguments, only flags")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *drill == "" && (set["debrief-dir"] || set["no-debrief"]):
		return usageError("--debrief-dir and --no-debrief are for a drill: give --drill NAME")
	case *drill != "" && set["scenario"]:
		return usageError("give --drill NAME or --scenario NAME: a drill is a scenario you act in")
	case *drill != "":
		*scenario = *drill
	}
	opts, w, logger, closeLog, err := d.setup()
	if err != nil {
		return err
	}
	defer closeLog()
	dash, beside, err := d.dashboard(w, logger)
	if err != nil {
		return err
	}
	sf, err := startSimFeed("demo", *scenario, *speed, *drill != "")
	if err != nil {
		return err
	}
	if *drill != "" {
		dash.Act = sf.act(localTrainee)
		dash.Shadow = drillShadow(sf.sc, opts)
	}
	defer sf.ln.Close() // in case the dashboard cannot start
	hub := live.NewHub(floor.New(opts))
	client, err := feed.NewClient(sf.url(), hub, feed.ClientOptions{FromStart: true, OnStatus: logStatus(logger, hub)})
	if err != nil {
		sf.ln.Close()
		return err
	}
	hub.SetConn(client.Status)
	var db *drillDebrief
	if *drill != "" && !*noDebrief {
		if db, err = openDrillDebrief(*debriefDir, sf.name, time.Now()); err != nil {
			return err
		}
		hub.SetLineHook(db.rec.Line)
		dash.Debrief = db.where()
	}
	run := func(ctx context.Context) error {
		done := make(chan struct{})
		go func() {
			defer close(done)
			sf.run(ctx, logger)
		}()
		err := client.Run(ctx)
		<-done
		return err
	}
	err = runDashboard(hub, dash, alongside(run, beside), logger)
	if db == nil {
		return err
	}
	// No line comes after this; the ones that came are db's to read.
	hub.SetLineHook(nil)
	if err != nil {
		db.discard()
		return err
	}
	return db.write(client.Status().Ended(), sf.sc, opts, stdout)
}
