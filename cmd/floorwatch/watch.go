package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/tui"
)

func init() {
	register(command{name: "watch", args: "URL",
		summary: "the dashboard on a live feed (ws:// or wss://), reconnecting by itself", run: runWatch})
}

// dashFlags are the flags of the commands that open the dashboard.
type dashFlags struct {
	floorFlags
	log           string
	redactCallers bool
}

func (d *dashFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.goals, "goals", "", "goals `FILE` (YAML): queue goal overrides, team and agent targets, day start")
	fs.StringVar(&d.window, "window", "30m", "initial `window` of the counted figures: 15m, 30m, 1h, today or all (w cycles them)")
	fs.StringVar(&d.log, "log", "", "write diagnostics to `FILE` (nothing is ever written to the screen)")
	d.limitFlags.register(fs)
	fs.BoolVar(&d.redactCallers, "redact-callers", false, "show only the last four characters of a caller's number or id (•••••5678)")
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

func runWatch(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var d dashFlags
	d.register(fs)
	token := fs.String("token", os.Getenv("FLOORWATCH_TOKEN"), "bearer `TOKEN` for the feed (default $FLOORWATCH_TOKEN)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("want one feed URL, such as ws://127.0.0.1:7070/")
	}
	opts, w, logger, closeLog, err := d.setup()
	if err != nil {
		return err
	}
	defer closeLog()
	hub := live.NewHub(floor.New(opts))
	client, err := feed.NewClient(fs.Arg(0), hub, feed.ClientOptions{Token: *token, FromStart: true, OnStatus: logStatus(logger)})
	if err != nil {
		return usageError("%v", err)
	}
	hub.SetConn(client.Status)
	return runDashboard(hub, tui.Options{Window: w, RedactCallers: d.redactCallers}, client.Run, logger)
}

// logStatus writes each connection change to the log.
func logStatus(logger *log.Logger) func(feed.ConnStatus) {
	return func(s feed.ConnStatus) {
		if s.Err != "" {
			logger.Printf("feed %s: %s: %s", s.URL, s.State, s.Err)
		} else {
			logger.Printf("feed %s: %s", s.URL, s.State)
		}
	}
}

// programOptions are how the dashboard takes the terminal; tests replace
// them to drive it without one.
var programOptions = []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion()}

// runDashboard shows hub while feedRun keeps it fed, until the user quits.
// The feed runs in its own goroutine and only ever touches the hub; a feed
// that fails or ends leaves the dashboard up, showing why. A dashboard that
// dies (a panic) is an error, not a quiet exit.
func runDashboard(hub *live.Hub, opts tui.Options, feedRun func(context.Context) error, logger *log.Logger) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fed := make(chan error, 1)
	go func() { fed <- feedRun(ctx) }()
	opts.Context = ctx
	_, err := tea.NewProgram(tui.New(hub, opts), programOptions...).Run()
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
