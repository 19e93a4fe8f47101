// Command fwload puts a floorwatch server under load on this machine and
// says what it measured. It runs floorwatch itself (a binary it builds, or
// --bin), on loopback only, and stops by itself:
//
//	go run ./cmd/fwload ssh --sessions 500 --for 20s    # SSH dashboards on `serve`
//	go run ./cmd/fwload feed --clients 2000 --for 20s   # websocket readers of `sim --listen`
//
// The floor is the one of issue 16: 1,000 agents on one queue taking 11,400
// calls an hour, played in real time by `floorwatch sim --listen`.
// `fwload ssh` starts `floorwatch serve` on that feed and opens N dashboards
// (x/crypto/ssh, a PTY each), a reference feed reader timing each event, and
// one `ssh … status` a second; it reports the time from each event to each
// session's next screen output, the longest silence of a session, the
// server's CPU and memory per session, and the status latency. `fwload feed`
// opens M feed readers and reports their lag and the feed server's cost.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const usageText = `usage:
  fwload ssh  [--sessions N] [--for D] [--size WxH] [--feed-clients M] [--press KEYS] [--bin FILE] [--serve-flag F]...
  fwload feed [--clients M] [--for D] [--bin FILE]

Loopback only; builds ./cmd/floorwatch unless --bin names a binary; stops by
itself within --for plus a bounded set-up time. Run from the repository.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fwload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usageText)
		return errors.New("say ssh or feed")
	}
	switch args[0] {
	case "ssh":
		var o sshOptions
		fs := flag.NewFlagSet("ssh", flag.ContinueOnError)
		fs.IntVar(&o.Sessions, "sessions", 100, "dashboard sessions to open")
		fs.DurationVar(&o.For, "for", 20*time.Second, "how long to measure once every session is open")
		fs.StringVar(&o.Size, "size", "80x24", "each session's terminal size, WIDTHxHEIGHT")
		fs.IntVar(&o.FeedClients, "feed-clients", 0, "websocket feed readers to add on the feed meanwhile")
		fs.StringVar(&o.Bin, "bin", "", "the floorwatch binary (default: go build ./cmd/floorwatch into a temporary directory)")
		fs.StringVar(&o.Press, "press", "", "keys every dashboard types once all are open, such as 21 (Queues, then back to the Overview): screens of their own, not shared")
		fs.Func("serve-flag", "an extra flag for `floorwatch serve` (repeat)", func(v string) error {
			o.ServeFlags = append(o.ServeFlags, v)
			return nil
		})
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if o.Sessions < 1 || o.For <= 0 {
			return errors.New("--sessions and --for must be positive")
		}
		if _, err := fmt.Sscanf(o.Size, "%dx%d", &o.Width, &o.Height); err != nil || o.Width < 1 || o.Height < 1 {
			return fmt.Errorf("--size %q: want WIDTHxHEIGHT, such as 80x24", o.Size)
		}
		r, err := runSSH(ctx, o, os.Stderr)
		if err != nil {
			return err
		}
		r.write(out)
		return nil
	case "feed":
		var o feedOptions
		fs := flag.NewFlagSet("feed", flag.ContinueOnError)
		fs.IntVar(&o.Clients, "clients", 100, "websocket feed readers to open")
		fs.DurationVar(&o.For, "for", 20*time.Second, "how long to measure once every reader is open")
		fs.StringVar(&o.Bin, "bin", "", "the floorwatch binary (default: go build ./cmd/floorwatch into a temporary directory)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if o.Clients < 1 || o.For <= 0 {
			return errors.New("--clients and --for must be positive")
		}
		r, err := runFeed(ctx, o, os.Stderr)
		if err != nil {
			return err
		}
		r.write(out)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(out, usageText)
		return nil
	}
	fmt.Fprint(os.Stderr, usageText)
	return fmt.Errorf("unknown mode %q", args[0])
}
