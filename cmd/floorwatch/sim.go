package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

func init() {
	register(command{name: "sim", args: "",
		summary: "run the call-center simulator: serve it as a live feed (--listen) or write its events", run: runSim})
}

// progressEvery is how often a long run reports on stderr.
const progressEvery = time.Second

func runSim(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var sf feedServerFlags
	sf.register(fs, "serve the feed on `ADDR` (e.g. 127.0.0.1:7070) at --speed; without it the events are written out",
		"with --listen: the feed `NAME` its hello announces (default: the scenario's name)")
	scenario := fs.String("scenario", simulator.DefaultScenario, "bundled scenario `NAME` or scenario FILE (YAML or JSON); --list shows the bundled ones")
	list := fs.Bool("list", false, "list the bundled scenarios and exit")
	speedFlag := fs.String("speed", "", "simulated seconds per wall second: `N` (1 = real time, 60 = an hour a minute) or max (default 1 with --listen, max without)")
	seed := fs.String("seed", "", "random seed `N` (default: the scenario's)")
	duration := fs.Duration("duration", 0, "simulate this long instead of the scenario's duration (calls still on the floor are then played out)")
	drill := fs.Bool("drill", false, "with --listen: run the scenario as a drill: it opens with drill.started and applies the commands "+
		"clients send on the feed, each answered with a drill.action naming who sent it (\"token\" with --token, else the sender's address)")
	record := fs.String("record", "", "write every event to `FILE` as it is produced (- for standard output); without --listen or --nats the default is standard output")
	var nf natsFlags
	nf.register(fs, natsPublish)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *list {
		return listScenarios(stdout, simulator.Bundled())
	}
	speed, err := parseSpeed(*speedFlag, sf.listen != "" || nf.url != "")
	if err != nil {
		return err
	}
	if *duration < 0 {
		return usageError("--duration must be positive")
	}
	if *drill && sf.listen == "" {
		return usageError("--drill takes its commands on the feed: give --listen ADDR too")
	}
	opt := simulator.Options{Duration: *duration, Drill: *drill}
	if *seed != "" {
		n, err := strconv.ParseInt(*seed, 10, 64)
		if err != nil {
			return usageError("--seed %q: want a whole number", *seed)
		}
		opt.Seed = &n
	}
	sc, err := simulator.Load(*scenario)
	if err != nil {
		return err
	}
	sim := simulator.New(sc, opt)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	out := *record
	if out == "" && sf.listen == "" && nf.url == "" {
		out = "-"
	}
	// A paced run's recording is flushed batch by batch, so it can be
	// followed as it grows; a max-speed run's only at the end.
	fo := feedOut{flushEach: speed > 0}
	if err := fo.openRecording(out, stdout); err != nil {
		return err
	}
	defer fo.finish()

	var serveErr <-chan error
	if sf.listen != "" {
		opts := sf.options(sc.Name)
		if *drill {
			opts.OnCommand = func(frame []byte, by string) { drillCommand(sim, fo.srv, frame, by) }
		}
		fo.srv = newSimServer(sim, opts)
		var url string
		if url, serveErr, err = sf.serve(ctx, fo.srv); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "floorwatch sim: %s at %s, serving %s\n", sc.Name, speedName(speed), url)
	}
	natsLog := func(format string, args ...any) { fmt.Fprintf(stderr, "floorwatch sim: "+format+"\n", args...) }
	if fo.nats, err = nf.publisher(sc.Name, fo.srv, sim.Clock, natsLog, nil); err != nil {
		return err
	}

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var count atomic.Int64
	// A recording that cannot be written stops the run: it would only be
	// reported at the end, hours later on a paced run.
	publish := func(batch []*feed.Event) {
		count.Add(int64(len(batch)))
		if fo.publish(batch) != nil {
			cancelRun()
		}
	}
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		showProgress(runCtx, stderr, sim, &count)
	}()
	started := time.Now()
	runErr := simulator.Run(runCtx, sim, speed, publish)
	cancelRun()
	<-progressDone
	closePublisher(fo.nats, natsLog)
	if err := fo.finish(); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	interrupted := errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return runErr
	}
	state := "ended"
	if interrupted {
		state = "interrupted"
	}
	fmt.Fprintf(stderr, "floorwatch sim: %s %s at %s after %d events (%s wall)\n",
		sc.Name, state, feed.FormatTime(sim.Clock()), count.Load(), time.Since(started).Round(time.Millisecond))
	if fo.srv == nil {
		return nil
	}
	if !interrupted {
		// Every client gets the rest of the run and a close that says it
		// is over; the history stays up, so late clients can still read
		// the whole run (and get the same close).
		fo.srv.End()
		fmt.Fprintln(stderr, "floorwatch sim: still serving the finished run; interrupt to stop")
	}
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
		return <-serveErr
	}
}

func parseSpeed(s string, listening bool) (float64, error) {
	switch {
	case s == "" && listening:
		return 1, nil
	case s == "" || s == "max":
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 1e9 {
		return 0, usageError("--speed %q: want a positive number (1 = real time) or max", s)
	}
	return v, nil
}

func speedName(speed float64) string {
	if speed == 0 {
		return "max speed"
	}
	return strconv.FormatFloat(speed, 'g', -1, 64) + "x"
}

// showProgress rewrites one status line on stderr every second until ctx
// ends; a run shorter than a second prints nothing, and so does a run whose
// stderr is not a terminal: a log file gets no carriage returns.
func showProgress(ctx context.Context, stderr io.Writer, sim *simulator.Sim, count *atomic.Int64) {
	if !isTerminal(stderr) {
		return
	}
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	shown := false
	for {
		select {
		case <-ctx.Done():
			if shown {
				fmt.Fprintln(stderr)
			}
			return
		case <-t.C:
			fmt.Fprintf(stderr, "\rsim %s  %3.0f%%  %d events ", feed.FormatTime(sim.Clock()), 100*sim.Progress(), count.Load())
			shown = true
		}
	}
}

func listScenarios(stdout io.Writer, scenarios []simulator.BundledScenario) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLENGTH\tDESCRIPTION")
	for _, b := range scenarios {
		// A rolling window's name is the duration written short: 8h, 1h30m.
		length := floor.Rolling(time.Duration(b.Scenario.Duration)).String()
		fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Name, length, b.Scenario.Description)
	}
	return tw.Flush()
}
