// Command floorwatch is a terminal dashboard for the live call-center floor,
// with the simulator, feed tools and SSH server that go with it.
package main

import (
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
			return 0
		}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "floorwatch: unknown command %q\n\n", args[0])
		topUsage(stderr)
		return 2
	}
	fs := flag.NewFlagSet("floorwatch "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// flag calls Usage for -h and for every parse error, having printed the
	// error itself: the command's error then needs no second mention.
	usageShown := false
	fs.Usage = func() {
		usageShown = true
		fmt.Fprintf(fs.Output(), "usage: floorwatch %s [flags] %s\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	err := c.run(fs, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case usageShown:
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "floorwatch %s: %v\nrun 'floorwatch %s --help' for usage\n", c.name, strings.TrimPrefix(err.Error(), "usage: "), c.name)
		return 2
	default:
		fmt.Fprintf(stderr, "floorwatch %s: %v\n", c.name, err)
		return 1
	}
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
	fmt.Fprintln(w, "\nrun 'floorwatch <command> --help' for a command's flags")
}

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
