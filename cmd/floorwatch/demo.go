package main

import (
	"context"
	"flag"
	"io"

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
		"its briefing, then keys on the Agents and Queues views (? lists them) and an action log (L)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("demo takes no arguments, only flags")
	}
	if *drill != "" {
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "scenario" })
		if set {
			return usageError("give --drill NAME or --scenario NAME: a drill is a scenario you act in")
		}
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
	}
	defer sf.ln.Close() // in case the dashboard cannot start
	hub := live.NewHub(floor.New(opts))
	client, err := feed.NewClient(sf.url(), hub, feed.ClientOptions{FromStart: true, OnStatus: logStatus(logger, hub)})
	if err != nil {
		sf.ln.Close()
		return err
	}
	hub.SetConn(client.Status)
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
	return runDashboard(hub, dash, alongside(run, beside), logger)
}
