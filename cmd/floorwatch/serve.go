package main

import (
	"cmp"
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
	"github.com/floorwatch/floorwatch/natsfeed"
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
	feedURL := fs.String("feed", "", "the live feed `URL` (ws://, wss://, or nats://HOST:PORT/SITE[,SITE…]), subscribed once for every session")
	scenario := fs.String("scenario", "", "serve a simulated floor instead of a feed: bundled scenario `NAME` or FILE, for a drill room")
	speed := fs.Float64("speed", 1, "with --scenario: simulated seconds per wall second (1 = real time)")
	var cf clientFlags
	cf.register(fs)
	var nf natsFlags
	nf.register(fs, natsPublish|natsSubscribe)
	hostKey := fs.String("host-key", "", "the server's private key `FILE`; created (mode 0600) if missing (default: floorwatch/host_key in your configuration directory, ~/.config on Linux)")
	authKeys := fs.String("authorized-keys", "", "admit only the public keys in `FILE` (OpenSSH authorized_keys format; agent=ID before a key makes it that agent's)")
	rolesPath := fs.String("roles", "", "bind keys to roles in `FILE` (YAML, by fingerprint: `SHA256:…: supervisor` or `agent:ID`); a key with no role is a supervisor's")
	insecure := fs.Bool("insecure-no-auth", false, "admit anyone without a key: for a drill on this machine only")
	journal := fs.String("journal", "", "keep every folded line in `DIR`, a file a day (journal-YYYY-MM-DD.jsonl, from the goals file's day start), and replay today's on start, so figures survive a restart")
	logPath := fs.String("log", "", "append the connection log to `FILE` (default standard error)")
	// 1,000: what two cores were measured to keep fresh (docs/PERFORMANCE.md);
	// --max-lag turns dashboards away sooner on a slower or busier machine.
	maxSessions := fs.Int("max-sessions", 1000, "most sessions open at once, all keys together (0: no limit)")
	maxPerKey := fs.Int("max-per-key", 5, "most sessions open at once per key (0: no limit)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "close a dashboard after this long without a key press (0: never)")
	maxSession := fs.Duration("max-session", 12*time.Hour, "close any session this long after it began (0: never)")
	maxLogins := fs.Int("max-logins", 32, "most connections logging in at once, all addresses together (0: no limit)")
	maxLoginsPerAddr := fs.Int("max-logins-per-addr", 8, "most connections logging in at once from one IP address (0: no limit)")
	loginGrace := fs.Duration("login-grace", 20*time.Second, "close a connection that has not logged in and opened a session this long after connecting")
	maxLag := fs.Duration("max-lag", 500*time.Millisecond, "refuse a new dashboard (\"at capacity\", exit status 3) while the server's work waits longer than this to run, so the open ones stay fresh; status is still answered (0: never)")
	trainees := fs.String("trainees", "", "with --scenario: only the keys in `FILE` (authorized_keys format) may act in the drill; the others watch it (default: every authorized key)")
	redactCallers := fs.Bool("redact-callers", false, "show only the last four characters of a caller's number or id (•••••5678)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	keepSet := false
	fs.Visit(func(f *flag.Flag) { keepSet = keepSet || f.Name == "keep-days" })
	switch {
	case fs.NArg() > 0:
		return usageError("unexpected argument %q", fs.Arg(0))
	case (*feedURL == "") == (*scenario == ""):
		return usageError("give one of --feed URL (the feed every session watches) or --scenario NAME (a simulated floor)")
	case *authKeys == "" && !*insecure:
		return usageError("give --authorized-keys FILE (or --insecure-no-auth for a local drill)")
	case *authKeys != "" && *insecure:
		return usageError("--authorized-keys and --insecure-no-auth contradict each other")
	case *trainees != "" && *scenario == "":
		return usageError("--trainees says who may act in a drill: give --scenario NAME too")
	case *trainees != "" && *authKeys == "":
		return usageError("--trainees lists keys that may act: give --authorized-keys FILE too")
	case *rolesPath != "" && *authKeys == "":
		return usageError("--roles binds authorized keys to roles: give --authorized-keys FILE too")
	case nf.keepDays < 0:
		return usageError("--keep-days cannot be negative")
	case keepSet && *journal == "" && nf.url == "":
		// One flag for both: how many days --journal's files and the
		// --nats stream keep.
		return usageError("--keep-days says how long --journal DIR or --nats keeps the floor's days: give one of them")
	case *maxSessions < 0 || *maxPerKey < 0 || *idle < 0 || *maxSession < 0 || *maxLogins < 0 || *maxLoginsPerAddr < 0 || *maxLag < 0:
		return usageError("limits cannot be negative")
	case *loginGrace <= 0:
		return usageError("--login-grace must be positive: a login that never ends would hold its place for ever")
	case *journal != "" && natsfeed.IsURL(*feedURL):
		return usageError("--journal is for a websocket feed: a nats:// feed's stream keeps the day itself")
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
	keys, agents, err := loadKeys(*authKeys, *rolesPath)
	if err != nil {
		return err
	}

	fl := floor.New(opts)
	var jr *sshserve.Journal
	if *journal != "" {
		if jr, err = sshserve.OpenJournal(sshserve.JournalOptions{Dir: *journal, KeepDays: nf.keepDays, Floor: opts, Log: log}); err != nil {
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
		log.Info("journal replayed", "path", jr.Path(), "lines", n, "stream", stream, "resume_after_seq", since)
	}
	var drill *simFeed
	var room *drillRoom
	if *scenario != "" {
		if room, err = newDrillRoom(*authKeys, *trainees); err != nil {
			return err
		}
		if drill, err = startSimFeed("drill", *scenario, *speed, true); err != nil {
			return err
		}
		room.drill = drill
		*feedURL = drill.url()
		natsLog := slog.NewLogLogger(log.Handler(), slog.LevelInfo).Printf
		if drill.nats, err = nf.publisher("drill "+drill.name, drill.srv, drill.sim.Clock, natsLog, nil); err != nil {
			return err
		}
		defer closePublisher(drill.nats, natsLog)
	}
	var shadow func(*floor.DrillStart) (tui.Comparer, error)
	if drill != nil {
		shadow = drillShadow(drill.sc, opts)
	}
	hub := live.NewHub(fl)
	if jr != nil {
		hub.SetLineHook(jr.Record)
		// Who dealt with which caller today, and who acknowledged which
		// alert, survive a restart too.
		marks := sshserve.OpenMarks(*journal, log)
		defer marks.Close()
		if kept, err := marks.Load(); err != nil {
			log.Warn("supervisors' marks not read: done marks and acknowledgements start afresh", "err", err)
		} else {
			hub.RestoreMarks(kept)
		}
		hub.SetMarksHook(marks.Keep)
	}
	// Every session shows a reconnect when it happens.
	copt.FromStart, copt.OnStatus = true, func(feed.ConnStatus) { hub.ConnChanged() }
	client, err := nf.client(*feedURL, hub, opts, copt)
	if err != nil {
		return usageError("%v", err)
	}
	hub.SetConn(client.Status)
	siteList := sites(client)

	// Sessions share their sorting and, on the same screen, their drawing.
	share := tui.NewShare()
	srv, err := sshserve.New(sshserve.Config{
		HostKeyPath:    *hostKey,
		AuthorizedKeys: keys,
		Agents:         agents,
		CheckAgent:     agentCheck(hub, window),
		Insecure:       *insecure,
		Dashboard: func(r *lipgloss.Renderer, v sshserve.Viewer) (tea.Model, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			opts := tui.Options{Renderer: r, Window: window, Context: ctx, RedactCallers: *redactCallers, Agent: v.Agent, Share: share}
			if v.Agent == "" {
				opts.Supervisor, opts.Sites = v.String(), siteList
				if room != nil {
					opts.Act, opts.CannotAct = room.actor(v)
					opts.Shadow = shadow
				}
			}
			return tui.New(hub, opts), cancel
		},
		Status:     hubStatus(hub, opts.Horizon),
		Version:    hub.Version,
		StatusHelp: sshStatusHelp,
		Limits: sshserve.Limits{MaxSessions: *maxSessions, MaxPerKey: *maxPerKey, Idle: *idle,
			MaxSession: *maxSession, LoginGrace: *loginGrace, MaxLogins: *maxLogins, MaxLoginsPerAddr: *maxLoginsPerAddr,
			MaxLag: *maxLag},
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
		if req.Agent != "" {
			// An agent's key prints that agent's card, never the floor.
			c, ok := tui.NewCard(r, req.Agent)
			if !ok {
				return fmt.Errorf("agent %q is not on this floor now", req.Agent)
			}
			return tui.WriteCard(w, c, req.JSON)
		}
		if req.JSON {
			return floor.WriteJSON(w, r)
		}
		return floor.WriteText(w, r)
	}
}

// loadKeys reads the authorized keys and binds each to its role (the keys'
// agent= options, then the roles file); it returns the keys and the agent
// of each key bound to one, by fingerprint. No file: no keys.
func loadKeys(keysPath, rolesPath string) ([]gossh.PublicKey, map[string]string, error) {
	if keysPath == "" {
		return nil, nil, nil
	}
	authorized, err := sshserve.LoadAuthorizedKeys(keysPath)
	if err != nil {
		return nil, nil, err
	}
	var roles map[string]string
	if rolesPath != "" {
		if roles, err = sshserve.LoadRoles(rolesPath); err != nil {
			return nil, nil, err
		}
	}
	agents, err := sshserve.BindRoles(authorized, roles)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cmp.Or(rolesPath, keysPath), err)
	}
	keys := make([]gossh.PublicKey, len(authorized))
	for i, k := range authorized {
		keys[i] = k.Key
	}
	return keys, agents, nil
}

// agentWait is how long an agent's login waits for the floor to catch up
// with its feed before it can say whether it knows the agent.
const agentWait = 10 * time.Second

// agentCheck refuses the key of an agent the floor does not know, once it
// has caught up with its feed: a key bound to a mistyped id, or to someone
// who has left, gets a clear message rather than an empty card.
func agentCheck(hub *live.Hub, window floor.Window) func(ctx context.Context, agent string) error {
	return func(ctx context.Context, agent string) error {
		ctx, cancel := context.WithTimeout(ctx, agentWait)
		defer cancel()
		changed, unsubscribe := hub.Subscribe()
		defer unsubscribe()
		for !hub.Progress().CaughtUp {
			select {
			case <-changed:
			case <-ctx.Done():
				return errors.New("the floor is still catching up with its feed; try again in a minute")
			}
		}
		if _, ok := tui.NewCard(hub.Report(window), agent); !ok {
			return fmt.Errorf("your key belongs to agent %q, and this floor has no such agent: "+
				"ask a supervisor to check the agent= option or the --roles entry of your key", agent)
		}
		return nil
	}
}
