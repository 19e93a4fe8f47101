// Command floorwatch is a terminal dashboard for the live call-center floor,
// with the simulator, feed tools and SSH server that go with it.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand. Each lives in its own file and registers itself.
type command struct {
	name    string
	args    string // synopsis of the positional arguments, for help
	summary string
	// run gets the arguments after the command name and its own flag set,
	// already named after it; it parses them itself.
	run func(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Exit codes, the same for every command (README: "Exit codes").
const (
	exitOK      = 0 // did what was asked
	exitFailed  = 1 // the command line was right, the work failed
	exitInvoked = 2 // the command line itself is wrong: see --help
)

// errUsage marks an error the user fixes by reading the command's help.
var errUsage = errors.New("usage")

// usageError reports a wrong invocation: its message plus a pointer to help.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			topUsage(stdout)
			return exitOK
		}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "floorwatch: unknown command %q\nrun `floorwatch --help` for the commands\n", args[0])
		return exitInvoked
	}
	fs := flag.NewFlagSet("floorwatch "+c.name, flag.ContinueOnError)
	// flag writes its own complaint and then the usage on every parse
	// error: both go to a buffer, shown only when help was asked for. A
	// wrong flag gets one line instead (below).
	var help bytes.Buffer
	fs.SetOutput(&help)
	parseFailed := false
	fs.Usage = func() {
		parseFailed = true
		commandHelp(fs.Output(), "floorwatch "+c.name+" [flags] "+c.args, c.summary, examples[c.name], fs)
	}
	err := c.run(fs, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		// Usage has written the help after flag's one-line preamble, if any.
		stdout.Write(help.Bytes())
		return exitOK
	case parseFailed:
		fmt.Fprintf(stderr, "floorwatch %s: %s\n%s", c.name, dashDash(err.Error()), helpHint(c.name))
		return exitInvoked
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "floorwatch %s: %s\n%s", c.name, strings.TrimPrefix(err.Error(), "usage: "), helpHint(c.name))
		return exitInvoked
	default:
		fmt.Fprintf(stderr, "floorwatch %s: %v\n", c.name, err)
		return exitFailed
	}
}

func helpHint(name string) string {
	return fmt.Sprintf("run `floorwatch %s --help` for its flags and examples\n", name)
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "floorwatch: the live call-center floor in your terminal")
	fmt.Fprintln(w, "\nusage: floorwatch <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexamples:")
	for _, ex := range []string{
		"floorwatch demo                                   # the dashboard on the bundled simulator",
		"floorwatch watch ws://127.0.0.1:7070/             # the dashboard on a live feed",
		"floorwatch status --replay monday.jsonl           # the floor once, from a recording",
	} {
		fmt.Fprintln(w, "  "+ex)
	}
	fmt.Fprintln(w, "\nrun `floorwatch <command> --help` for a command's flags and examples")
	fmt.Fprintln(w, exitCodesLine)
}

const exitCodesLine = "exit status: 0 done, 1 failed while running, 2 wrong command line"

// parseArgs parses flags wherever they stand among the arguments, so that
// `floorwatch watch URL --token T` works as well as `watch --token T URL`;
// the positional arguments are then fs.Args(), in order. After "--" all is
// positional.
func parseArgs(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}
