package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/sshserve"
	"github.com/floorwatch/floorwatch/tui"
)

func init() {
	register(command{name: "serve", args: "(--feed URL | --scenario NAME) (--authorized-keys FILE | --insecure-no-auth)",
		summary: "serve the dashboard and status over SSH to the whole team", run: runServe})
}

// shutdownGrace is how long sessions get to say goodbye on SIGINT/SIGTERM.
const shutdownGrace = 5 * time.Second

func runServe(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var ff floorFlags
	ff.register(fs, "today")
	listen := fs.String("listen", "127.0.0.1:2222", "listen on `ADDR` (host:port)")
	feedURL := fs.String("feed", "", "the live feed `URL` (ws:// or wss://), subscribed once for every session")
	scenario := fs.String("scenario", "", "serve a simulated floor instead of a feed: bundled scenario `NAME` or FILE, for a drill room")
	speed := fs.Float64("speed", 1, "with --scenario: simulated seconds per wall second (1 = real time)")
	var cf clientFlags
	cf.register(fs)
	hostKey := fs.String("host-key", "", "the server's private key `FILE`; created (mode 0600) if missing (default: floorwatch/host_key in your configuration directory, ~/.config on Linux)")
	authKeys := fs.String("authorized-keys", "", "admit only the public keys in `FILE` (OpenSSH authorized_keys format)")
	insecure := fs.Bool("insecure-no-auth", false, "admit anyone without a key: for a drill on this machine only")
	journal := fs.String("journal", "", "append every folded line to `FILE` and replay it on start, so figures survive a restart")
	logPath := fs.String("log", "", "append the connection log to `FILE` (default standard error)")
	maxSessions := fs.Int("max-sessions", 200, "most sessions open at once, all keys together (0: no limit)")
	maxPerKey := fs.Int("max-per-key", 5, "most sessions open at once per key (0: no limit)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "close a dashboard after this long without a key press (0: never)")
	maxSession := fs.Duration("max-session", 12*time.Hour, "close any session this long after it began (0: never)")
	maxLogins := fs.Int("max-logins", 32, "most connections logging in at once, all addresses together (0: no limit)")
	maxLoginsPerAddr := fs.Int("max-logins-per-addr", 8, "most connections logging in at once from one IP address (0: no limit)")
	loginGrace := fs.Duration("login-grace", 20*time.Second, "close a connection that has not logged in and opened a session this long after connecting")
	redactCallers := fs.Bool("redact-callers", false, "show only the last four characters of a caller's number or id (•••••5678)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q", fs.Arg(0))
	case (*feedURL == "") == (*scenario == ""):
		return usageError("give one of --feed URL (the feed every session watches) or --scenario NAME (a simulated floor)")
	case *authKeys == "" && !*insecure:
		return usageError("give --authorized-keys FILE (or --insecure-no-auth for a local drill)")
	case *authKeys != "" && *insecure:
		return usageError("--authorized-keys and --insecure-no-auth contradict each other")
	case *maxSessions < 0 || *maxPerKey < 0 || *idle < 0 || *maxSession < 0 || *maxLogins < 0 || *maxLoginsPerAddr < 0:
		return usageError("limits cannot be negative")
	case *loginGrace <= 0:
		return usageError("--login-grace must be positive: a login that never ends would hold its place for ever")
	}
	opts, window, err := ff.options()
	if err != nil {
		return err
	}
	copt, err := cf.options()
	if err != nil {
		return err
	}
	if *hostKey == "" {
		if *hostKey, err = defaultHostKey(); err != nil {
			return err
		}
	}
	// The dashboards' window selector reaches back an hour whatever the
	// first window; ssh status can ask for no longer a rolling window.
	opts.Horizon = max(opts.Horizon, floor.DefaultHorizon)
	logOut := stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	var keys []gossh.PublicKey
	if *authKeys != "" {
		if keys, err = sshserve.LoadAuthorizedKeys(*authKeys); err != nil {
			return err
		}
	}

	fl := floor.New(opts)
	var jr *sshserve.Journal
	if *journal != "" {
		if jr, err = sshserve.OpenJournal(*journal, log); err != nil {
			return err
		}
		defer jr.Close()
		// Live mode: the journal holds the lines exactly as the feed gave
		// them, gaps included, so the fold comes out as it was.
		n, err := jr.Replay(func(line []byte) { fl.IngestLine(line, floor.Live) })
		if err != nil {
			return err
		}
		stream, since, _ := fl.Resume()
		log.Info("journal replayed", "path", *journal, "lines", n, "stream", stream, "resume_after_seq", since)
	}
	var drill *simFeed
	if *scenario != "" {
		if drill, err = startSimFeed("drill", *scenario, *speed); err != nil {
			return err
		}
		*feedURL = drill.url()
	}
	hub := live.NewHub(fl)
	if jr != nil {
		hub.SetLineHook(jr.Record)
	}
	// Every session shows a reconnect when it happens.
	copt.FromStart, copt.OnStatus = true, func(feed.ConnStatus) { hub.ConnChanged() }
	client, err := feed.NewClient(*feedURL, hub, copt)
	if err != nil {
		return usageError("%v", err)
	}
	hub.SetConn(client.Status)

	srv, err := sshserve.New(sshserve.Config{
		HostKeyPath:    *hostKey,
		AuthorizedKeys: keys,
		Insecure:       *insecure,
		Dashboard: func(r *lipgloss.Renderer, v sshserve.Viewer) (tea.Model, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			return tui.New(hub, tui.Options{Renderer: r, Window: window, Context: ctx, RedactCallers: *redactCallers,
				Supervisor: v.String()}), cancel
		},
		Status:     hubStatus(hub, opts.Horizon),
		StatusHelp: sshStatusHelp,
		Limits: sshserve.Limits{MaxSessions: *maxSessions, MaxPerKey: *maxPerKey, Idle: *idle,
			MaxSession: *maxSession, LoginGrace: *loginGrace, MaxLogins: *maxLogins, MaxLoginsPerAddr: *maxLoginsPerAddr},
		Log: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "feed", *feedURL, "host_key", srv.HostKeyFingerprint())
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(stdout, "floorwatch serve: ssh -p %s %s  (host key %s)\n", port, host, srv.HostKeyFingerprint())

	sig, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	feedCtx, closeFeed := context.WithCancel(context.Background())
	feedDone := make(chan error, 1)
	go func() { feedDone <- client.Run(feedCtx) }()
	drillDone := make(chan struct{})
	go func() {
		defer close(drillDone)
		if drill != nil {
			drill.run(feedCtx, slog.NewLogLogger(log.Handler(), slog.LevelInfo))
		}
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-sig.Done():
		log.Info("shutting down", "sessions", srv.Sessions())
	case serveErr = <-served:
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	closeFeed()
	if err := <-feedDone; err != nil && !errors.Is(err, feed.ErrFeedEnded) {
		log.Warn("feed", "err", err)
	}
	<-drillDone
	log.Info("stopped")
	return serveErr
}

// defaultHostKey is where serve keeps its host key unless told: the
// user's configuration directory, made private if new, so that the key
// does not land in whatever directory the server was started from.
func defaultHostKey() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for the host key (%v): give --host-key FILE", err)
	}
	dir = filepath.Join(dir, "floorwatch")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("host key directory: %w", err)
	}
	return filepath.Join(dir, "host_key"), nil
}

// sshStatusHelp is `ssh HOST status --help`: the local status help's form
// and words, for the flags status takes over ssh.
func sshStatusHelp(w io.Writer, fs *flag.FlagSet) {
	commandHelp(w, "ssh HOST status [flags]", "print the floor this server watches, once (text, or --json), as `floorwatch status` does",
		[]string{"ssh -p 2222 HOST status", "ssh -p 2222 HOST status --json --window 30m"}, fs)
}

// hubStatus answers ssh status from hub. The fold keeps the facts of its
// horizon only: a longer rolling window would count less than it says, so it
// is refused rather than answered short.
func hubStatus(hub *live.Hub, horizon time.Duration) sshserve.Status {
	return func(w io.Writer, req sshserve.StatusRequest) error {
		if req.Window.Span() > horizon {
			return fmt.Errorf("--window %s: this server keeps %s of history (start it with a longer --window to keep more)",
				req.Window, floor.Rolling(horizon))
		}
		r := hub.Report(req.Window)
		if req.JSON {
			return floor.WriteJSON(w, r)
		}
		return floor.WriteText(w, r)
	}
}
