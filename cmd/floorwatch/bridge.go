package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
	_ "github.com/floorwatch/floorwatch/source/all" // every source family registers itself
)

func init() {
	register(command{name: "bridge", args: "SOURCE",
		summary: "a phone system's own events as a feed: serve them (--listen) and/or write them (--record)", run: runBridge})
}

// bridgeReportEvery is how often a followed or live source reports its tally.
const bridgeReportEvery = time.Minute

func runBridge(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var sf feedServerFlags
	sf.register(fs, "serve the feed on `ADDR` (e.g. 127.0.0.1:7070)", "the feed `NAME` its hello announces (default: the SOURCE)")
	record := fs.String("record", "", "write every event to `FILE` (- for standard output)")
	var nf natsFlags
	nf.register(fs, natsPublish)
	goalsPath := fs.String("goals", "", "goals `FILE`: queue goals, names and wrap-up times the source does not carry")
	mapFile := fs.String("map", "", "csv: the column mapping `FILE` (YAML)")
	agentsFile := fs.String("agents", "", "queue-log and ami: `FILE` joining a system's names for one agent (interface, member name) to one id and name")
	follow := fs.Bool("follow", false, "keep reading the file as it grows, across rotation, until interrupted")
	activities := fs.String("activities", "", "taskrouter: `FILE` (YAML) mapping TaskRouter activities to agent states")
	authTokenFile := fs.String("auth-token-file", "", "taskrouter: `FILE` holding the account's auth token (or FLOORWATCH_TWILIO_TOKEN)")
	publicURL := fs.String("public-url", "", "taskrouter: the Event Callback `URL` as Twilio calls it, when a proxy sits in between")
	secretFile := fs.String("secret-file", "", "ami: `FILE` holding the manager secret (or FLOORWATCH_AMI_SECRET)")
	check := fs.Bool("check", false, "print the first rows as the source reads them and what each became, then exit")
	rows := fs.Int("rows", 10, "with --check: how many rows to show")
	fs.Usage = bridgeUsage(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageError("give the SOURCE, e.g. queue-log:/var/log/asterisk/queue_log")
	case fs.NArg() > 1:
		return usageError("unexpected argument %q", fs.Arg(1))
	}
	spec := fs.Arg(0)
	kind, arg, err := source.Lookup(spec)
	if err != nil {
		return usageError("%v", err)
	}
	opt := source.Options{MapFile: *mapFile, AgentsFile: *agentsFile, Follow: *follow,
		ActivitiesFile: *activities, AuthTokenFile: *authTokenFile, PublicURL: *publicURL, SecretFile: *secretFile}
	if *goalsPath != "" {
		if opt.Goals, err = floor.LoadGoals(*goalsPath); err != nil {
			return err
		}
	}
	if *check {
		if kind.Check == nil {
			return usageError("%s has no --check", kind.Usage)
		}
		return kind.Check(arg, opt, stdout, *rows)
	}
	if sf.listen == "" && *record == "" && nf.url == "" {
		return usageError("give --listen ADDR to serve the feed, --record FILE to write it, --nats URL --site NAME to publish it, or several")
	}
	src, err := kind.Open(arg, opt)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A followed file and a live source are the floor now.
	now := *follow || kind.Live
	clock := &sourceClock{live: now}
	var out feedOut
	out.flushEach = now
	if err := out.openRecording(*record, stdout); err != nil {
		return err
	}
	var serveErr <-chan error
	if sf.listen != "" {
		so := sf.options(spec)
		so.Now, so.Tracker, so.Base = clock.now, floor.New(floor.Options{}), floor.New(floor.Options{})
		out.srv = feed.NewServer(so)
		var url string
		if url, serveErr, err = sf.serve(ctx, out.srv); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "floorwatch bridge: %s, serving %s\n", spec, url)
	}
	natsLog := func(format string, args ...any) { fmt.Fprintf(stderr, "floorwatch bridge: "+format+"\n", args...) }
	if out.nats, err = nf.publisher(spec, out.srv, clock.now, natsLog, func() string { return src.Tally().Lost }); err != nil {
		return err
	}

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var (
		mu     sync.Mutex // the tally ticker reads events while Run emits
		events int64
	)
	announced := false
	emit := func(ev *feed.Event) {
		var batch []*feed.Event
		if !announced {
			// The goals file's queues, announced at the source's first
			// instant so every client holds them to the same goal.
			announced = true
			for _, c := range opt.Goals.QueueConfigs() {
				batch = append(batch, &feed.Event{Type: feed.TypeQueueConfig, TS: ev.TS, Queue: c.Queue, Config: c})
			}
		}
		batch = append(batch, ev)
		clock.saw(ev.TS)
		if err := out.publish(batch); err != nil {
			cancelRun()
		}
		mu.Lock()
		events += int64(len(batch))
		mu.Unlock()
	}
	tallyLine := func() string {
		mu.Lock()
		defer mu.Unlock()
		return "floorwatch bridge: " + src.Tally().Line(events)
	}
	if now {
		go func() {
			t := time.NewTicker(bridgeReportEvery)
			defer t.Stop()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-t.C:
					fmt.Fprintln(stderr, tallyLine())
				}
			}
		}()
	}
	if now {
		go watchSourceLink(runCtx, src, out.srv, stderr)
	}
	runErr := src.Run(runCtx, emit)
	cancelRun()
	closePublisher(out.nats, natsLog)
	writeErr := out.finish()
	fmt.Fprintln(stderr, tallyLine())
	for _, note := range src.Tally().Notes {
		fmt.Fprintln(stderr, "floorwatch bridge: note: "+note)
	}
	if writeErr != nil {
		return fmt.Errorf("writing %s: %w", *record, writeErr)
	}
	interrupted := errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return runErr
	}
	if out.srv == nil || interrupted {
		return nil
	}
	// As for a finished simulation: the run is over, and stays readable.
	out.srv.End()
	fmt.Fprintln(stderr, "floorwatch bridge: the source has ended; still serving it, interrupt to stop")
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
		return <-serveErr
	}
}

// sourceClock is the feed's clock for hello and heartbeat lines. A file read
// to its end is its own day: the clock is the newest event's, so a replay
// of yesterday shows yesterday's waits. A followed file or a live source is
// the floor now: the wall clock, never behind the newest event.
type sourceClock struct {
	live   bool
	mu     sync.Mutex
	latest time.Time
}

func (c *sourceClock) saw(ts time.Time) {
	c.mu.Lock()
	if ts.After(c.latest) {
		c.latest = ts
	}
	c.mu.Unlock()
}

func (c *sourceClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		if wall := time.Now(); wall.After(c.latest) {
			return wall
		}
	}
	return c.latest
}

// bridgeUsage adds the source families to the command's usage.
func bridgeUsage(fs *flag.FlagSet) func() {
	usage := fs.Usage
	return func() {
		usage()
		w := fs.Output()
		fmt.Fprintf(w, "\nsources:\n")
		for _, k := range source.Kinds() {
			fmt.Fprintf(w, "  %-28s %s\n", k.Usage, k.Help)
		}
		fmt.Fprintln(w, "\n"+strings.TrimSpace(`
A finite source (a file, without --follow) runs to its end and exits 0 with
--record; with --listen it keeps serving the finished day until interrupted.
At the end (and with --follow every minute) it prints one line: lines read,
events written, lines skipped by kind, malformed lines with the first one.`))
	}
}

// sourceLinkEvery is how often the bridge asks a live source whether it
// can reach its PBX: well inside a heartbeat, so dashboards learn of a lost
// PBX within a couple of seconds.
const sourceLinkEvery = 500 * time.Millisecond

// watchSourceLink has the feed's heartbeats (srv's, when there is one) say
// while the source cannot reach its PBX, and logs each change, until ctx
// is done. NATS heartbeats ask the source themselves.
func watchSourceLink(ctx context.Context, src source.Source, srv *feed.Server, stderr io.Writer) {
	t := time.NewTicker(sourceLinkEvery)
	defer t.Stop()
	was := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		lost := src.Tally().Lost
		if lost == was {
			continue
		}
		if srv != nil {
			srv.SetSourceLost(lost)
		}
		if lost != "" {
			fmt.Fprintln(stderr, "floorwatch bridge: the source is lost "+lost)
		} else {
			fmt.Fprintln(stderr, "floorwatch bridge: the source is back")
		}
		was = lost
	}
}
