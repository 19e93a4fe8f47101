package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/floorwatch/floorwatch/fit"
	"github.com/floorwatch/floorwatch/fit/day"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

func init() {
	register(command{name: "fit", args: "RECORDING",
		summary: "estimate a scenario from a recording (the simulator's or a bridge's), to rehearse a real day",
		run:     runFit})
	examples["fit"] = []string{
		"floorwatch fit monday.jsonl -o monday.yaml && floorwatch demo --scenario monday.yaml",
		`floorwatch fit monday.jsonl -o worse.yaml --twist '{type: surge, at: "10:00", for: 1h, factor: 1.5, queue: support}'`,
		`floorwatch fit monday.jsonl -o short.yaml --twist '{type: callout, at: "09:30", agents: 3}' --tz Europe/Paris`,
	}
}

// twists are the --twist flags, each a drill event.
type twists []simulator.DrillSpec

func (t *twists) String() string { return "" }

func (t *twists) Set(s string) error {
	d, err := fit.ParseTwist(s)
	if err != nil {
		return err
	}
	*t = append(*t, d)
	return nil
}

func runFit(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	out := fs.String("o", "-", "write the scenario to `FILE` (- for standard output)")
	name := fs.String("name", "", "the scenario's `NAME` (default: the recording's file name)")
	seed := fs.Int64("seed", 1, "the scenario's random `SEED`")
	tz := fs.String("tz", "UTC", "the time `ZONE` of the scenario's times of day, e.g. Europe/Paris")
	var tw twists
	fs.Var(&tw, "twist", "add a drill event `DRILL`, written as a scenario's: '{type: surge, at: \"10:00\", for: 1h, factor: 1.5, queue: support}' (repeatable)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("give the recording to fit: floorwatch fit RECORDING -o FILE")
	}
	zone, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError("--tz %q: %v", *tz, err)
	}
	path := fs.Arg(0)
	opt := fit.Options{Name: *name, Source: filepath.Base(path), Seed: *seed, Zone: zone, Twists: tw}
	if opt.Name == "" {
		opt.Name = strings.TrimSuffix(opt.Source, filepath.Ext(opt.Source))
	}
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	d, err := day.Read(r, floor.New(floor.Options{}))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	est, err := fit.Estimate(d, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *out == "-" {
		_, err = stdout.Write(est.YAML())
		return err
	}
	if err := os.WriteFile(*out, est.YAML(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "floorwatch fit: wrote %s (%d queues, %d agents); rehearse it with `floorwatch demo --scenario %s`\n",
		*out, len(est.Queues), est.Agents(), *out)
	return nil
}
