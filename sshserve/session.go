package sshserve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// dashboardFPS caps each session's redraw rate. The floor changes a few times
// a second at most; Bubble Tea's default of 60 would spend CPU on a hundred
// sessions for frames nobody can read.
const dashboardFPS = 20

const usageText = `floorwatch over ssh:
  ssh -t HOST                              the live dashboard (needs a terminal)
  ssh HOST status [--json] [--window D]    print the floor once
`

func (s *Server) handle(sess ssh.Session) {
	if lc, ok := sess.Context().Value(loginKey{}).(*loginConn); ok {
		lc.leave()
	}
	start := time.Now()
	remote := sess.RemoteAddr().String()
	// Sessions are counted per key; without authentication, per client host.
	clientHost, _, _ := net.SplitHostPort(remote)
	key, fp := "anonymous@"+clientHost, "none"
	if k := sess.PublicKey(); k != nil {
		fp = Fingerprint(k)
		key = fp
	}
	_, _, hasPty := sess.Pty()
	log := s.log.With("remote", remote, "user", safetext.Clean(sess.User()), "key", fp)

	viewer := Viewer{User: safetext.Clean(sess.User()), Fingerprint: fp, Agent: s.cfg.Agents[fp]}
	if viewer.Agent != "" {
		log = log.With("agent", viewer.Agent)
	}
	release, err := s.admit(key, len(sess.Command()) == 0)
	if err == nil && viewer.Agent != "" && s.cfg.CheckAgent != nil {
		if err = s.cfg.CheckAgent(sess.Context(), viewer.Agent); err != nil {
			release()
		}
	}
	if err != nil {
		log.Warn("session refused", "reason", err.Error())
		fmt.Fprintf(sess.Stderr(), "floorwatch: %v\r\n", err)
		code := 1
		if errors.As(err, new(errAtCapacity)) {
			code = ExitAtCapacity
		}
		sess.Exit(code)
		return
	}
	defer release()
	if s.lagNow != nil {
		// What admission saw: how far behind the server's work was running.
		log = log.With("lag", s.Lag().Round(time.Millisecond).String())
	}
	log.Info("session start", "command", safetext.Clean(sess.RawCommand()), "pty", hasPty)
	code, reason := s.dispatch(sess, viewer)
	log.Info("session end", "duration", time.Since(start).Round(time.Millisecond).String(), "exit", code, "reason", reason)
	sess.Exit(code)
}

// dispatch runs what the session asked for: the dashboard (no command) or
// status; anything else is refused. It returns the exit code and why the
// session ended, for the log.
func (s *Server) dispatch(sess ssh.Session, v Viewer) (int, string) {
	cmd := sess.Command()
	if len(cmd) == 0 {
		return s.dashboard(sess, v)
	}
	switch cmd[0] {
	case "status":
		return s.status(sess, cmd[1:], v.Agent)
	case "help", "--help", "-h":
		io.WriteString(sess, usageText)
		return 0, "help"
	}
	fmt.Fprintf(sess.Stderr(), "floorwatch: %q is not available: this server runs only the dashboard and status\n%s", cmd[0], usageText)
	return 1, "refused command " + safetext.Clean(cmd[0])
}

// StatusFlags are the flags of `ssh HOST status`, on fs, into req: the
// local status command's --json and --window, in the same words.
func StatusFlags(fs *flag.FlagSet, req *StatusRequest) {
	// As the contract says of status: everything received, unless asked.
	req.Window = floor.All
	fs.BoolVar(&req.JSON, "json", false, "print the machine form (the contract's status --json)")
	fs.Func("window", "figures over a `span`: today (from the goals file's day start), all, or a rolling window such as 30m (default all)",
		func(v string) error {
			w, err := floor.ParseWindow(v)
			req.Window = w
			return err
		})
}

func (s *Server) status(sess ssh.Session, args []string, agent string) (int, string) {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	// Help goes to standard output, as the local command's does; a wrong
	// flag is one line and a pointer to it, not the flag package's dump.
	fs.SetOutput(io.Discard)
	req := StatusRequest{Agent: agent}
	StatusFlags(fs, &req)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			if s.cfg.StatusHelp != nil {
				s.cfg.StatusHelp(sess, fs)
			} else {
				io.WriteString(sess, usageText)
			}
			return 0, "help"
		}
		fmt.Fprintf(sess.Stderr(), "floorwatch status: %v\nrun `ssh HOST status --help` for its flags and examples\n", err)
		return 2, "bad status flags"
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(sess.Stderr(), "floorwatch: usage: status [--json] [--window D]\n")
		return 2, "bad status arguments"
	}
	status := s.cfg.Status
	if version := s.cfg.Version; version != nil {
		status = func(w io.Writer, req StatusRequest) error {
			return s.statusCache.write(w, req, version(), s.cfg.Status)
		}
	}
	if err := status(sess, req); err != nil {
		fmt.Fprintf(sess.Stderr(), "floorwatch: status: %v\n", err)
		return 1, "status failed: " + err.Error()
	}
	return 0, "status"
}

// dashboard runs one session's program until the supervisor quits, the
// connection drops, input has been idle too long, the session reaches its
// cap, or the server shuts down.
func (s *Server) dashboard(sess ssh.Session, viewer Viewer) (int, string) {
	_, winCh, ok := sess.Pty()
	if !ok {
		fmt.Fprint(sess.Stderr(), "floorwatch: the dashboard needs a terminal: connect with ssh -t, or run `status` for a one-off print\n")
		return 1, "no pty"
	}
	model, release := s.cfg.Dashboard(bubbletea.MakeRenderer(sess), viewer)
	if release != nil {
		defer release()
	}
	in := &activityReader{r: sess}
	in.touch()
	p := tea.NewProgram(model,
		tea.WithInput(in),
		tea.WithOutput(sess),
		tea.WithAltScreen(),
		tea.WithFPS(dashboardFPS),
		// Signals are the server's: SIGINT must shut it down gracefully, not
		// make every session's program quit on its own.
		tea.WithoutSignalHandler(),
	)

	var (
		mu     sync.Mutex
		reason string
	)
	stop := func(why string, kill bool) {
		mu.Lock()
		if reason == "" {
			reason = why
		}
		mu.Unlock()
		if kill {
			p.Kill()
		} else {
			p.Quit()
		}
	}
	done := make(chan struct{})
	go s.watch(sess, p, in, winCh, done, stop)
	_, err := p.Run()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	switch {
	case reason == "":
		if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
			return 1, "dashboard error: " + err.Error()
		}
		return 0, "quit"
	case reason == reasonGone:
		return 0, reason
	}
	fmt.Fprintf(sess.Stderr(), "\r\nfloorwatch: session closed: %s\r\n", reason)
	return 0, reason
}

const reasonGone = "client disconnected"

// watch feeds window-size changes to the program and ends it for the reasons
// the server decides. It returns when done is closed (the program ended).
func (s *Server) watch(sess ssh.Session, p *tea.Program, in *activityReader, winCh <-chan ssh.Window, done <-chan struct{}, stop func(string, bool)) {
	lim := s.cfg.Limits
	var idle <-chan time.Time
	var idleTimer *time.Timer
	if lim.Idle > 0 {
		idleTimer = time.NewTimer(lim.Idle)
		defer idleTimer.Stop()
		idle = idleTimer.C
	}
	var maxC <-chan time.Time
	if lim.MaxSession > 0 {
		t := time.NewTimer(lim.MaxSession)
		defer t.Stop()
		maxC = t.C
	}
	for {
		select {
		case <-done:
			return
		case w, ok := <-winCh:
			if !ok {
				winCh = nil
				continue
			}
			// Send blocks until the program takes the message, or returns
			// once it has ended.
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		case <-idle:
			if left := lim.Idle - time.Since(in.last()); left > 0 {
				idleTimer.Reset(left)
				continue
			}
			stop(fmt.Sprintf("no key pressed for %s", lim.Idle), false)
			return
		case <-maxC:
			stop(fmt.Sprintf("sessions last at most %s; reconnect to continue", lim.MaxSession), false)
			return
		case <-s.shutdown:
			stop("the server is shutting down", false)
			return
		case <-sess.Context().Done():
			// Nobody to draw for: stop at once rather than render a goodbye.
			stop(reasonGone, true)
			return
		}
	}
}

// activityReader is the session's keyboard as the program reads it, noting
// when the supervisor last typed anything.
type activityReader struct {
	r    io.Reader
	nano atomic.Int64
}

func (a *activityReader) Read(b []byte) (int, error) {
	n, err := a.r.Read(b)
	if n > 0 {
		a.touch()
	}
	return n, err
}

func (a *activityReader) touch() { a.nano.Store(time.Now().UnixNano()) }

func (a *activityReader) last() time.Time { return time.Unix(0, a.nano.Load()) }
