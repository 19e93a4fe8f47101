package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/simulator"
)

func init() {
	register(command{name: "drills", args: "",
		summary: "list the bundled drills: each one's briefing and goal", run: runDrills})
}

// drillsWidth is where the briefings wrap: a terminal of 80 columns.
const drillsWidth = 78

func runDrills(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return listDrills(stdout, simulator.Bundled())
}

// listDrills writes the drills among the scenarios (those with a
// briefing), each with when and how long, its briefing and its goal, then
// how to run one.
func listDrills(w io.Writer, scenarios []simulator.BundledScenario) error {
	var b strings.Builder
	for _, s := range scenarios {
		sc := s.Scenario
		if sc.Briefing == "" {
			continue
		}
		// A rolling window's name is the duration written short: 8h, 1h30m.
		fmt.Fprintf(&b, "%s (%s from %s)\n", s.Name, floor.Rolling(time.Duration(sc.Duration)), sc.Start.Format("Monday 15:04"))
		b.WriteString(indent(ansi.Wordwrap(sc.Briefing, drillsWidth-2, ""), "  ") + "\n")
		if sc.Goal != nil {
			b.WriteString(indent(ansi.Wordwrap("Goal: "+sc.Goal.Text, drillsWidth-2, ""), "  ") + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("Run one with `floorwatch demo --drill NAME`, or for a room of trainees\n`floorwatch serve --scenario NAME`.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(text, by string) string {
	return by + strings.ReplaceAll(text, "\n", "\n"+by)
}
