package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/sshserve"
)

// One command-line language: what each exit code means, and how a mistake
// is reported (README, "Exit codes").
func TestExitCodesMeanTheSameEverywhere(t *testing.T) {
	hint := func(cmd string) string { return "run `floorwatch " + cmd + " --help` for its flags and examples\n" }
	for _, tc := range []struct {
		args []string
		code int
		// stderr is the whole of it when exact, else a part.
		stderr string
		exact  bool
	}{
		// 2: the command line is wrong. One line, and where help is.
		{[]string{"status", "--bogus"}, 2, "floorwatch status: flag provided but not defined: --bogus\n" + hint("status"), true},
		{[]string{"sim", "--speed"}, 2, "floorwatch sim: flag needs an argument: --speed\n" + hint("sim"), true},
		{[]string{"watch", "--window", "fortnight", "ws://127.0.0.1:1/"}, 2, "floorwatch watch: --window: ", false},
		{[]string{"watch"}, 2, "want one feed URL", false},
		{[]string{"watch", "--replay", "day.jsonl", "ws://127.0.0.1:1/"}, 2, "not both", false},
		{[]string{"watch", "--replay", "day.jsonl", "--speed", "7"}, 2, "--speed \"7\"", false},
		{[]string{"watch", "--notify", "ftp://hooks.example.com/x", "ws://127.0.0.1:1/"}, 2, "--notify", false},
		{[]string{"frobnicate"}, 2, "floorwatch: unknown command \"frobnicate\"\nrun `floorwatch --help` for the commands\n", true},
		// 1: right command line, failed at run time: a scenario or file
		// that is not there, a file with no event, no terminal.
		{[]string{"sim", "--scenario", "nope"}, 1, "no such bundled scenario", false},
		{[]string{"demo", "--scenario", "nope"}, 1, "no such bundled scenario", false},
		{[]string{"status", "--replay", "../../README.md"}, 1, "../../README.md: no event in it", false},
		{[]string{"status", "--replay", "/no/such/file.jsonl"}, 1, "no such file", false},
		{[]string{"watch", "--replay", "../../README.md"}, 1, "no event to replay", false},
		{[]string{"demo"}, 1, "floorwatch demo: the dashboard needs a terminal, and standard output is not one", false},
	} {
		code, _, errs := runCmd(tc.args...)
		ok := code == tc.code && (tc.exact && errs == tc.stderr || !tc.exact && strings.Contains(errs, tc.stderr))
		if !ok {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tc.args, code, errs, tc.code, tc.stderr)
		}
		if lines := strings.Count(errs, "\n"); lines > 2 {
			t.Errorf("%q: %d lines on stderr, want at most the reason and the pointer to help", tc.args, lines)
		}
	}
}

// Every command's help goes to standard output with exit 0, has examples,
// and writes its flags as they are typed: --flag.
func TestEveryHelpHasExamplesAndDoubleDashes(t *testing.T) {
	oneDash := regexp.MustCompile(`(?m)^\s+-[a-z]`)
	for name := range commands {
		code, out, errs := runCmd(name, "--help")
		if code != 0 || errs != "" {
			t.Errorf("%s --help: exit %d, stderr %q", name, code, errs)
		}
		if !strings.Contains(out, "\nexamples:\n  floorwatch "+name) && !strings.Contains(out, "\nexamples:\n  ssh") {
			t.Errorf("%s --help has no examples:\n%s", name, out)
		}
		if !strings.Contains(out, "\n  --") && !strings.Contains(out, "flags:\n  none\n") || oneDash.MatchString(out) {
			t.Errorf("%s --help does not write its flags --flag:\n%s", name, out)
		}
		if !strings.Contains(out, "exit status: 0 ") {
			t.Errorf("%s --help does not say its exit codes", name)
		}
		if _, same, _ := runCmd("help", name); same != out {
			t.Errorf("floorwatch help %s differs from %s --help", name, name)
		}
	}
}

// `ssh HOST status --help` is the local help's form, with the flags status
// takes over ssh in the local command's own words.
func TestSSHStatusHelpSpeaksLikeLocal(t *testing.T) {
	_, local, _ := runCmd("status", "--help")
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	var req sshserve.StatusRequest
	sshserve.StatusFlags(fs, &req)
	var remote bytes.Buffer
	sshStatusHelp(&remote, fs)
	for _, want := range []string{"usage: ssh HOST status [flags]", "\nexamples:\n", "\nflags:\n", exitCodesLine} {
		if !strings.Contains(remote.String(), want) {
			t.Errorf("ssh status --help lacks %q:\n%s", want, remote.String())
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		// Each flag's entry, two lines, is word for word the local one.
		entry := regexp.MustCompile(`(?m)^  --` + f.Name + `\b.*\n.*\n`).FindString(remote.String())
		if entry == "" || !strings.Contains(local, entry) {
			t.Errorf("--%s over ssh reads %q, not as in the local help", f.Name, entry)
		}
	})
}

// A progress line rewritten with \r is for a terminal, never a log file.
func TestProgressOnlyOnATerminal(t *testing.T) {
	var log bytes.Buffer
	var count atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), progressEvery+500*time.Millisecond)
	defer cancel()
	showProgress(ctx, &log, nil, &count)
	if log.Len() != 0 {
		t.Errorf("progress written to a file: %q", log.String())
	}
}

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli.md from the commands' help")

// docs/cli.md is every command's --help as the binary prints it: run
// `go test ./cmd/floorwatch -run DocsCLI -update-docs` after changing one.
func TestDocsCLIIsCurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("# floorwatch on the command line\n\n" +
		"Every command's `--help`, as the binary prints it (generated: `go test ./cmd/floorwatch -run DocsCLI -update-docs`).\n" +
		"Exit codes are the same everywhere: see the README's table.\n\n")
	_, top, _ := runCmd("--help")
	b.WriteString("## floorwatch\n\n```\n" + top + "```\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		_, help, _ := runCmd(n, "--help")
		b.WriteString("\n## floorwatch " + n + "\n\n```\n" + help + "```\n")
	}
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	var req sshserve.StatusRequest
	sshserve.StatusFlags(fs, &req)
	var ssh bytes.Buffer
	sshStatusHelp(&ssh, fs)
	b.WriteString("\n## ssh HOST status (under `floorwatch serve`)\n\n```\n" + ssh.String() + "```\n")
	const path = "../../docs/cli.md"
	if *updateDocs {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil || string(have) != b.String() {
		t.Errorf("docs/cli.md is not the commands' help (%v): run go test ./cmd/floorwatch -run DocsCLI -update-docs", err)
	}
}
