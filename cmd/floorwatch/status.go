package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

func init() {
	register(command{name: "status", args: "(--feed URL | --replay FILE [FILE…])",
		summary: "print the floor once and exit (text, or --json)", run: runStatus})
}

// floorFlags are the flags every command that folds a feed shares.
type floorFlags struct {
	goals  string
	window string
	tz     string
	limitFlags
}

// register adds the flags; window is the command's default span: a
// dashboard shows today, while status, as the contract says, covers
// everything received unless asked.
func (ff *floorFlags) register(fs *flag.FlagSet, window string) {
	fs.StringVar(&ff.goals, "goals", "", "goals `FILE` (YAML): queue goal overrides, team and agent targets, day start")
	fs.StringVar(&ff.window, "window", window, "figures over a `span`: today (from the goals file's day start), all, or a rolling window such as 30m")
	fs.StringVar(&ff.tz, "tz", "", "the time `ZONE` of the day and its intervals, such as Europe/Paris (default: the goals file's day.time_zone, else UTC)")
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
	if ff.tz != "" {
		loc, err := time.LoadLocation(ff.tz)
		if err != nil {
			return opts, w, usageError("--tz %q is not a time zone (try UTC or Europe/Paris): %v", ff.tz, err)
		}
		// The goals file's zone would win in the fold: two zones for one
		// day is a mistake to say, not to settle silently.
		if g := opts.Goals; g != nil && g.Day.TimeZone != "" && g.Day.TimeZone != loc.String() {
			return opts, w, usageError("--tz %s and the goals file's day.time_zone %s disagree: give one", loc, g.Day.TimeZone)
		}
		opts.Location = loc
	}
	return opts, w, nil
}

func runStatus(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var ff floorFlags
	ff.register(fs, "all")
	feedURL := fs.String("feed", "", "read a live feed `URL` (ws:// or wss://) from its retained history, or nats://HOST:PORT/SITE[,SITE…] from the day start")
	var replays []string
	fs.Func("replay", "read a recording `FILE` (.jsonl; - for standard input); several (repeated, or named after it: a journal's days) are read in order as one",
		func(v string) error {
			replays = append(replays, v)
			return nil
		})
	asJSON := fs.Bool("json", false, "print the machine form (the contract's status --json)")
	intervals := fs.String("intervals", "", "also cut the figures into intervals of `SIZE` (15m, 30m or 1h) aligned to the clock of --tz, for the floor and each queue")
	var cf clientFlags
	cf.register(fs)
	var nf natsFlags
	nf.register(fs, natsSubscribe|natsSiteFilter)
	timeout := fs.Duration("timeout", 15*time.Second, "give up on a feed after this long")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 && len(replays) == 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	replays = append(replays, fs.Args()...)
	if (*feedURL == "") == (len(replays) == 0) {
		return usageError("give exactly one of --feed URL or --replay FILE")
	}
	opts, w, err := ff.options()
	if err != nil {
		return err
	}
	if *intervals != "" {
		size, err := floor.ParseIntervals(*intervals)
		if err != nil {
			return usageError("--intervals: %v", err)
		}
		w = w.WithIntervals(size)
	}
	if nf.wanted(*feedURL) {
		copt, err := cf.options()
		if err != nil {
			return err
		}
		return nf.status(stdout, *feedURL, opts, w, copt, *timeout, *asJSON)
	}
	hub := live.NewHub(floor.New(opts))
	if len(replays) > 0 {
		// One floor across the files: a journal's days replayed in order
		// give the run as the feed gave it.
		for _, path := range replays {
			if err = replayFile(hub, path); err != nil {
				break
			}
		}
	} else {
		err = catchUp(hub, *feedURL, cf, *timeout)
	}
	if err != nil {
		return err
	}
	r := hub.Report(w)
	if st := r.Feed; len(replays) > 0 && st.Events == 0 {
		// Nothing to report: figures of an empty floor (and its default
		// goal) would be invented.
		return fmt.Errorf("%s: no event in it (%d bad lines, %d of unknown types, %d duplicates): is it a floorwatch recording?",
			strings.Join(replays, ", "), st.BadLines, st.Unknown, st.Duplicates)
	}
	if *asJSON {
		if from := r.IntervalsFrom; !from.IsZero() {
			fmt.Fprintf(stderr, "status: intervals reach back to %s; calls before it count in the figures, in no interval\n", feed.FormatTime(from))
		}
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
