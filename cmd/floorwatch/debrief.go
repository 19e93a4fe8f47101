package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/floorwatch/floorwatch/debrief"
	"github.com/floorwatch/floorwatch/simulator"
)

func init() {
	register(command{name: "debrief", args: "RECORDING",
		summary: "a drill's debrief: what the supervisor's actions did, against the same callers with no action (Markdown, --html, --json)",
		run:     runDebrief})
	examples["debrief"] = []string{
		"floorwatch debrief drill.jsonl                      # Markdown, readable in the terminal",
		"floorwatch debrief drill.jsonl --html debrief.html  # one page with charts, for the trainer",
		"floorwatch debrief drill.jsonl --json | jq .score",
		"floorwatch debrief drill.jsonl --scenario my-day.yaml   # a drill of a scenario file",
	}
}

func runDebrief(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	scenario := fs.String("scenario", "", "the drill's scenario `FILE`, when it is not a bundled one")
	htmlOut := fs.String("html", "", "write the debrief as one self-contained HTML page to `FILE`")
	asJSON := fs.Bool("json", false, "print the machine form (DESIGN.md: debrief --json)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("give the drill's recording: floorwatch debrief RECORDING")
	}
	var opt debrief.Options
	if *scenario != "" {
		sc, err := simulator.Load(*scenario)
		if err != nil {
			return err
		}
		opt.Scenario = sc
	}
	db, err := readDebrief(fs.Arg(0), opt)
	if err != nil {
		return err
	}
	if *htmlOut != "" {
		if err := writeFile(*htmlOut, db.WriteHTML); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "floorwatch debrief: wrote %s\n", *htmlOut)
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(db)
	case *htmlOut == "":
		return db.WriteMarkdown(stdout)
	}
	return nil
}

func readDebrief(path string, opt debrief.Options) (*debrief.Debrief, error) {
	if path == "-" {
		return debrief.Build(os.Stdin, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	db, err := debrief.Build(f, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}

// writeFile writes a file through write, and reports the first error of
// writing or closing it.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
