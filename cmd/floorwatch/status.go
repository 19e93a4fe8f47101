package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

func init() {
	register(command{name: "status", args: "(--feed URL | --replay FILE)",
		summary: "print the floor once and exit (text, or --json)", run: runStatus})
}

// floorFlags are the flags every command that folds a feed shares.
type floorFlags struct {
	goals  string
	window string
	limitFlags
}

// register adds the flags; window is the command's default span: a
// dashboard shows today, while status, as the contract says, covers
// everything received unless asked.
func (ff *floorFlags) register(fs *flag.FlagSet, window string) {
	fs.StringVar(&ff.goals, "goals", "", "goals `FILE` (YAML): queue goal overrides, team and agent targets, day start")
	fs.StringVar(&ff.window, "window", window, "figures over a `span`: today (from the goals file's day start), all, or a rolling window such as 30m")
	ff.limitFlags.register(fs)
}

// options checks the flags and makes the fold's options and window.
func (ff *floorFlags) options() (floor.Options, floor.Window, error) {
	w, err := floor.ParseWindow(ff.window)
	if err != nil {
		return floor.Options{}, w, usageError("--window: %v", err)
	}
	opts := floor.Options{Horizon: w.Span()}
	if err := ff.limitFlags.options(&opts); err != nil {
		return opts, w, err
	}
	if ff.goals != "" {
		g, err := floor.LoadGoals(ff.goals)
		if err != nil {
			return opts, w, err
		}
		opts.Goals = g
	}
	return opts, w, nil
}

func runStatus(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var ff floorFlags
	ff.register(fs, "all")
	feedURL := fs.String("feed", "", "read a live feed `URL` (ws:// or wss://) from its retained history")
	replay := fs.String("replay", "", "read a recording `FILE` (.jsonl; - for standard input)")
	asJSON := fs.Bool("json", false, "print the machine form (the contract's status --json)")
	var cf clientFlags
	cf.register(fs)
	timeout := fs.Duration("timeout", 15*time.Second, "give up on a feed after this long")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if (*feedURL == "") == (*replay == "") {
		return usageError("give exactly one of --feed URL or --replay FILE")
	}
	opts, w, err := ff.options()
	if err != nil {
		return err
	}
	hub := live.NewHub(floor.New(opts))
	if *replay != "" {
		err = replayFile(hub, *replay)
	} else {
		err = catchUp(hub, *feedURL, cf, *timeout)
	}
	if err != nil {
		return err
	}
	r := hub.Report(w)
	if st := r.Feed; *replay != "" && st.Events == 0 {
		// Nothing to report: figures of an empty floor (and its default
		// goal) would be invented.
		return fmt.Errorf("%s: no event in it (%d bad lines, %d of unknown types, %d duplicates): is it a floorwatch recording?",
			*replay, st.BadLines, st.Unknown, st.Duplicates)
	}
	if *asJSON {
		return floor.WriteJSON(stdout, r)
	}
	return floor.WriteText(stdout, r)
}

func replayFile(hub *live.Hub, path string) error {
	if path == "-" {
		return hub.Replay(os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := hub.Replay(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func catchUp(hub *live.Hub, url string, cf clientFlags, timeout time.Duration) error {
	opt, err := cf.options()
	if err != nil {
		return err
	}
	opt.FromStart = true
	c, err := feed.NewClient(url, hub, opt)
	if err != nil {
		return usageError("%v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.CatchUp(ctx)
}
