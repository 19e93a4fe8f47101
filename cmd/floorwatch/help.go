package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// examples are each command's examples, shown in its --help: the first
// thing most people read. Every command has some (a test checks).
var examples = map[string][]string{
	"demo": {
		"floorwatch demo                                   # steady-day at 30×",
		"floorwatch demo --scenario lunch-rush --speed 60  # an hour a minute",
		"floorwatch demo --goals examples/goals.yaml --bell",
		"floorwatch demo --drill monday-surge              # a drill you act in (floorwatch drills lists them)",
		"floorwatch demo --drill callout --debrief-dir ~/drills   # its debrief written there on q",
	},
	"watch": {
		"floorwatch watch ws://127.0.0.1:7070/",
		"floorwatch watch wss://floor.example.com/ --token T --tls-ca ca.pem --goals goals.yaml",
		"floorwatch watch --replay monday.jsonl            # yesterday, with pause, speed and seek",
		"floorwatch watch ws://HOST:7070/ --notify https://chat.example.com/hooks/XYZ --bell",
	},
	"status": {
		"floorwatch status --replay monday.jsonl",
		"floorwatch status --replay monday.jsonl --json --window 30m",
		"floorwatch status --feed ws://127.0.0.1:7070/ --token T",
	},
	"sim": {
		"floorwatch sim --list",
		"floorwatch sim --scenario lunch-rush --listen 127.0.0.1:7070 --speed 60",
		"floorwatch sim --scenario steady-day --record day.jsonl   # as fast as it can",
		"floorwatch sim --scenario monday-surge --drill --listen 127.0.0.1:7070 --token T   # takes drill.command frames",
	},
	"record": {
		"floorwatch record ws://127.0.0.1:7070/ -o monday.jsonl",
		"floorwatch record wss://floor.example.com/ --tls-ca ca.pem -o - | gzip > monday.jsonl.gz",
	},
	"serve": {
		"floorwatch serve --feed ws://127.0.0.1:7070/ --authorized-keys ~/.ssh/authorized_keys",
		"floorwatch serve --scenario lunch-rush --speed 30 --insecure-no-auth   # a drill room on this machine",
		"floorwatch serve --scenario monday-surge --authorized-keys keys --trainees trainees   # only trainees act",
		"ssh -t -p 2222 127.0.0.1          # the dashboard;  ssh -p 2222 127.0.0.1 status --json",
	},
	"drills": {
		"floorwatch drills",
		"floorwatch drills | less",
	},
	"bridge": {
		"floorwatch bridge queue-log:/var/log/asterisk/queue_log --follow --listen 127.0.0.1:7070",
		"floorwatch bridge csv:calls.csv --map examples/maps/genesys.yaml --record day.jsonl",
	},
}

// commandHelp writes a command's help: synopsis, summary, examples, flags
// (written --flag, as they are typed), exit codes.
func commandHelp(w io.Writer, synopsis, summary string, examples []string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis, summary)
	if len(examples) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, e := range examples {
			fmt.Fprintln(w, "  "+e)
		}
	}
	fmt.Fprintln(w, "\nflags:")
	printFlags(w, fs)
	fmt.Fprintln(w, "\n"+exitCodesLine)
}

// printFlags is flag.PrintDefaults with the double dash people type:
// --name VALUE, its usage indented below, and a default worth saying.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	none := true
	defer func() {
		if none {
			fmt.Fprintln(w, "  none")
		}
	}()
	fs.VisitAll(func(f *flag.Flag) {
		none = false
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		usage = strings.ReplaceAll(usage, "\n", "\n      ")
		if d := f.DefValue; !zeroDefault(d) && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

func zeroDefault(d string) bool {
	switch d {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

// flagName finds a flag written with one dash in flag's own messages.
var flagName = regexp.MustCompile(`(flag|for|defined:|argument:) -([A-Za-z])`)

// dashDash writes the flags in one of flag's messages with two dashes, as
// the help writes them.
func dashDash(msg string) string { return flagName.ReplaceAllString(msg, "$1 --$2") }
