package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"net"
	"sync"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/simulator"
	"github.com/floorwatch/floorwatch/tui"
)

func init() {
	register(command{name: "demo", args: "",
		summary: "the dashboard on the bundled simulator: zero set-up", run: runDemo})
}

// DefaultDemoSpeed runs a scenario lively enough to watch: an 8-hour day in
// 16 minutes.
const DefaultDemoSpeed = 30

func runDemo(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var d dashFlags
	d.register(fs)
	scenario := fs.String("scenario", simulator.DefaultScenario, "bundled scenario `NAME` or scenario FILE (YAML)")
	speed := fs.Float64("speed", DefaultDemoSpeed, "simulated seconds per wall second (1 = real time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("demo takes no arguments, only flags")
	}
	if *speed <= 0 || math.IsNaN(*speed) || math.IsInf(*speed, 0) {
		return usageError("--speed %v: want a positive factor such as 30", *speed)
	}
	sc, err := simulator.Load(*scenario)
	if err != nil {
		return usageError("--scenario: %v", err)
	}
	opts, w, logger, closeLog, err := d.setup()
	if err != nil {
		return err
	}
	defer closeLog()

	// The same path as watch: the simulator publishes into a feed server on
	// the loopback interface, and the dashboard's hub is fed by a real feed
	// client, so what the demo shows is what a live feed would show.
	sim := simulator.New(sc, simulator.Options{})
	srv := feed.NewServer(feed.ServerOptions{Feed: "demo " + sc.Name, Tracker: floor.New(floor.Options{}), Now: sim.Clock})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hub := live.NewHub(floor.New(opts))
	client, err := feed.NewClient("ws://"+ln.Addr().String()+"/", hub, feed.ClientOptions{OnStatus: logStatus(logger)})
	if err != nil {
		ln.Close()
		return err
	}
	hub.SetConn(client.Status)
	logger.Printf("demo: scenario %s at %gx on %s", sc.Name, *speed, ln.Addr())

	run := func(ctx context.Context) error {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := srv.Serve(ctx, ln, "", ""); err != nil {
				logger.Printf("demo feed server: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			err := simulator.Run(ctx, sim, *speed, func(batch []*feed.Event) { srv.Publish(batch...) })
			switch {
			case err == nil:
				// The feed stays up, with heartbeats, so the day's last
				// figures stay on screen.
				logger.Printf("demo: scenario %s played to its end", sc.Name)
			case !errors.Is(err, context.Canceled):
				logger.Printf("demo simulator: %v", err)
			}
		}()
		err := client.Run(ctx)
		wg.Wait()
		return err
	}
	return runDashboard(hub, tui.Options{Window: w}, run, logger)
}
