package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/simulator"
	"github.com/floorwatch/floorwatch/tui"
)

func init() {
	register(command{name: "watch", args: "(URL | --replay FILE)",
		summary: "the dashboard on a live feed (ws://, wss://, or nats://HOST:PORT/SITE[,SITE…]), reconnecting by itself, or on a recording (--replay)", run: runWatch})
}

// DefaultReplaySpeed plays a recorded day an hour a minute.
const DefaultReplaySpeed = "60"

// dashFlags are the flags of the commands that open the dashboard.
type dashFlags struct {
	floorFlags
	log           string
	redactCallers bool
	bell          bool
	notify        string
	wallboard     bool
}

func (d *dashFlags) register(fs *flag.FlagSet) {
	d.floorFlags.register(fs, "today")
	fs.StringVar(&d.log, "log", "", "write diagnostics to `FILE` (nothing is ever written to the screen)")
	fs.BoolVar(&d.redactCallers, "redact-callers", false, "show only the last four characters of a caller's number or id (•••••5678)")
	fs.BoolVar(&d.bell, "bell", false, "ring the terminal bell on each new alert")
	fs.BoolVar(&d.wallboard, "wallboard", false, "open on the wallboard: each queue's figures in big digits for a screen across the room (b switches)")
	fs.StringVar(&d.notify, "notify", "", "post each new alert to the webhook `URL` as JSON with a text field (Slack, Mattermost, Teams); retried, never holding up the dashboard")
}

// setup checks the flags and makes the fold's options, window and logger.
// The logger also takes over the standard logger, so that no package can
// write over the dashboard; closeLog gives it back.
func (d *dashFlags) setup() (floor.Options, floor.Window, *log.Logger, func(), error) {
	opts, w, err := d.options()
	if err != nil {
		return opts, w, nil, nil, err
	}
	// The window selector reaches back an hour whatever the first window.
	opts.Horizon = max(opts.Horizon, time.Hour)
	var out io.Writer = io.Discard
	closeFile := func() {}
	if d.log != "" {
		f, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return opts, w, nil, nil, fmt.Errorf("--log: %w", err)
		}
		out, closeFile = f, func() { f.Close() }
	}
	std := log.Writer()
	log.SetOutput(out)
	closeLog := func() {
		log.SetOutput(std)
		closeFile()
	}
	return opts, w, log.New(out, "floorwatch ", log.LstdFlags|log.Lmicroseconds), closeLog, nil
}

// dashboard is the dashboard's options and what runs beside it while it is
// up: the --notify poster. It checks --notify, so call it before any work.
func (d *dashFlags) dashboard(w floor.Window, logger *log.Logger) (tui.Options, func(context.Context), error) {
	opts := tui.Options{Window: w, RedactCallers: d.redactCallers, Wallboard: d.wallboard}
	if d.bell {
		opts.Bell = os.Stdout // the terminal the dashboard draws on
	}
	if d.notify == "" {
		return opts, func(context.Context) {}, nil
	}
	nt, err := newNotifier(d.notify, logger)
	if err != nil {
		return opts, nil, err
	}
	opts.OnAlert = func(a alerts.Alert, feedName string) { nt.Notify(noticeOf(a, feedName)) }
	return opts, nt.run, nil
}

func runWatch(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var d dashFlags
	d.register(fs)
	var cf clientFlags
	cf.register(fs)
	var nf natsFlags
	nf.register(fs, natsSubscribe)
	replay := fs.String("replay", "", "play the recording `FILE` (.jsonl) instead of a live feed: space pauses, +/- change the speed, ←/→ seek 5 minutes")
	speed := fs.String("speed", DefaultReplaySpeed, "with --replay: floor seconds a second, `N` of 1, 10, 60, 600 or max")
	scenario := fs.String("scenario", "", "on a drill's feed or recording: its scenario `FILE` when it is not a bundled one, for the Overview's comparison with the same callers and no action")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *replay == "" && fs.NArg() != 1:
		return usageError("want one feed URL, such as ws://127.0.0.1:7070/, or --replay FILE")
	case *replay != "" && fs.NArg() != 0:
		return usageError("give a feed URL or --replay FILE, not both")
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
	// A drill's feed or recording: beside the floor without the actions.
	var sc *simulator.Scenario
	if *scenario != "" {
		if sc, err = simulator.Load(*scenario); err != nil {
			return err
		}
	}
	dash.Shadow = drillShadow(sc, opts)
	if *replay != "" {
		return watchReplay(*replay, *speed, opts, dash, beside, logger)
	}
	copt, err := cf.options()
	if err != nil {
		return err
	}
	hub := live.NewHub(floor.New(opts))
	copt.FromStart, copt.OnStatus = true, logStatus(logger, hub)
	client, err := nf.client(fs.Arg(0), hub, opts, copt)
	if err != nil {
		return usageError("%v", err)
	}
	hub.SetConn(client.Status)
	dash.Sites = sites(client)
	return runDashboard(hub, dash, alongside(client.Run, beside), logger)
}

// watchReplay is the dashboard on a recording, played on the floor clock
// through the same hub and fold as a live feed.
func watchReplay(path, speedFlag string, opts floor.Options, dash tui.Options, beside func(context.Context), logger *log.Logger) error {
	speed, err := replaySpeed(speedFlag)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	newFloor := func() *floor.Floor { return floor.New(opts) }
	hub := live.NewHub(newFloor())
	p, err := live.LoadPlayer(f, hub, newFloor, speed)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dash.Player = p
	return runDashboard(hub, dash, alongside(p.Run, beside), logger)
}

// replaySpeed reads --speed: one of the player's speeds, or max.
func replaySpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && slices.Contains(live.Speeds, v) && v > 0 {
		return v, nil
	}
	return 0, usageError("--speed %q: want 1, 10, 60, 600 or max", s)
}

// alongside runs run, with each of others in a goroutine of its own until
// ctx ends; it returns run's result once they have all stopped.
func alongside(run func(context.Context) error, others ...func(context.Context)) func(context.Context) error {
	return func(ctx context.Context) error {
		var wg sync.WaitGroup
		for _, o := range others {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o(ctx)
			}()
		}
		err := run(ctx)
		// A feed that ended leaves the dashboard, and what runs beside
		// it, up until the user quits.
		<-ctx.Done()
		wg.Wait()
		return err
	}
}

// logStatus writes each connection change to the log, and has the
// dashboard show it at once.
func logStatus(logger *log.Logger, hub *live.Hub) func(feed.ConnStatus) {
	return func(s feed.ConnStatus) {
		if s.Err != "" {
			logger.Printf("feed %s: %s: %s", s.URL, s.State, s.Err)
		} else {
			logger.Printf("feed %s: %s", s.URL, s.State)
		}
		hub.ConnChanged()
	}
}

// programOptions are how the dashboard takes the terminal, and
// needTerminal checks there is one; tests replace both to drive it
// without one.
var (
	programOptions = []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion()}
	needTerminal   = haveTerminal
)

// haveTerminal says, in one line, why the dashboard cannot start here: it
// draws on standard output and reads keys from the terminal.
func haveTerminal() error {
	const hint = "run it in a terminal (ssh -t for a remote one), or use `floorwatch status` for a one-off print"
	if !term.IsTerminal(os.Stdout.Fd()) {
		return fmt.Errorf("the dashboard needs a terminal, and standard output is not one: %s", hint)
	}
	if term.IsTerminal(os.Stdin.Fd()) {
		return nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return fmt.Errorf("the dashboard needs a terminal to read keys from, and there is none: %s", hint)
	}
	return tty.Close()
}

// runDashboard shows hub while feedRun keeps it fed, until the user quits.
// Without a terminal it says so in one line and starts nothing; callers
// check their arguments first, so that a wrong one is reported as such.
// The feed runs in its own goroutine and only ever touches the hub; a feed
// that fails or ends leaves the dashboard up, showing why. A dashboard that
// dies (a panic) is an error, not a quiet exit.
func runDashboard(hub *live.Hub, opts tui.Options, feedRun func(context.Context) error, logger *log.Logger) error {
	if err := needTerminal(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fed := make(chan error, 1)
	go func() { fed <- feedRun(ctx) }()
	opts.Context = ctx
	p := tea.NewProgram(tui.New(hub, opts), programOptions...)
	// A terminal closed under the dashboard (a window shut, an SSH link
	// gone) quits it as q does, so what quitting writes (a drill's
	// debrief) is written.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		select {
		case <-hup:
			p.Quit()
		case <-ctx.Done():
		}
	}()
	_, err := p.Run()
	cancel()
	select {
	case ferr := <-fed:
		if ferr != nil && !errors.Is(ferr, feed.ErrFeedEnded) {
			logger.Printf("feed stopped: %v", ferr)
		}
	case <-time.After(3 * time.Second):
		logger.Printf("feed did not stop within 3s of quitting")
	}
	return err
}
