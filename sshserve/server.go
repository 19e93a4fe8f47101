// Package sshserve serves the floor over SSH: every session gets its own
// dashboard on the shared, already-folded floor, `status` prints it once, and
// nothing else runs. It knows nothing about how the dashboard draws: the
// caller hands it a function that makes one session's model.
package sshserve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
)

// Dashboard makes one session's dashboard, styled by the session's renderer
// (so colours follow the supervisor's terminal, not the server's), for the
// viewer who connected. release, if not nil, is called once that session's
// program has ended, to give back whatever the model holds (its
// subscription to the floor).
type Dashboard func(r *lipgloss.Renderer, v Viewer) (m tea.Model, release func())

// Viewer is who a session belongs to: the name they logged in as (cleaned:
// it is the client's text) and their key's SHA256 fingerprint.
type Viewer struct {
	User        string
	Fingerprint string
	// Agent is the agent the key belongs to (Config.Agents): the session
	// must show that agent's own card and nothing of anyone else. "" is a
	// supervisor, who sees the whole floor.
	Agent string
}

// String names the viewer on what they do, such as a done mark.
func (v Viewer) String() string { return v.User + " (" + v.Fingerprint + ")" }

// StatusRequest is what `ssh host status [--json] [--window D]` asked for.
type StatusRequest struct {
	JSON bool
	// Window is the span the figures cover (floor.All unless asked, as for
	// the local status command).
	Window floor.Window
	// Agent is set when the key belongs to an agent: print that agent's
	// own card only, never the floor's agents.
	Agent string
}

// Status writes the floor once, exactly as `floorwatch status` would.
type Status func(w io.Writer, req StatusRequest) error

// Limits bound what sessions may cost. A zero field means no limit.
type Limits struct {
	MaxSessions int // open sessions, all keys together
	MaxPerKey   int // open sessions per public key
	// Idle closes a dashboard after this long without a key press; output
	// does not count, or a redrawing screen would live forever.
	Idle time.Duration
	// MaxSession closes any session this long after it began.
	MaxSession time.Duration
	// LoginGrace closes a connection that has not opened a session this long
	// after connecting, so half-done handshakes cannot pile up.
	LoginGrace time.Duration
	// MaxLogins and MaxLoginsPerAddr cap the connections still logging in
	// (handshake, authentication, opening a session), in all and from one IP
	// address; a connection over a cap is closed at once. With LoginGrace
	// they bound what clients that never finish can hold.
	MaxLogins, MaxLoginsPerAddr int
	// MaxLag refuses a new dashboard while the server cannot keep the open
	// ones fresh: while its goroutines wait longer than this to run (the
	// 99th percentile of the Go runtime's scheduling latencies over the
	// last 2 s; every redraw is a few such waits). The refusal says the
	// server is at capacity and exits with ExitAtCapacity; status is still
	// answered. Zero never refuses for load.
	MaxLag time.Duration
}

// Config configures a Server.
type Config struct {
	// HostKeyPath is the server's private key, created on first start.
	HostKeyPath string
	// AuthorizedKeys are the only keys admitted (see LoadAuthorizedKeys).
	AuthorizedKeys []gossh.PublicKey
	// Agents binds keys, by fingerprint, to the agent each belongs to
	// (BindRoles); every other key is a supervisor's.
	Agents map[string]string
	// CheckAgent refuses, with an error its user can act on, an agent's
	// session when the floor does not know that agent (once it has caught
	// up with its feed). Nil admits every agent's key.
	CheckAgent func(ctx context.Context, agent string) error
	// Insecure admits anyone without any authentication: for a drill on a
	// laptop only. It must be set explicitly when AuthorizedKeys is empty.
	Insecure  bool
	Dashboard Dashboard
	Status    Status
	// Version, when set, is the floor's version (live.Hub.Version): the
	// output of each kind of status request is kept until it moves, so a
	// status costs one computation a change however many ask.
	Version func() uint64
	// StatusHelp writes `ssh HOST status --help` for the flags in fs, in
	// the words of the local command's help; nil writes a short usage.
	StatusHelp func(w io.Writer, fs *flag.FlagSet)
	Limits     Limits
	// Log receives the connection log: who (key fingerprint), from where,
	// what, when, and why a session ended or was refused.
	Log *slog.Logger
	// measureLag, in tests, stands in for the measured lag.
	measureLag func() time.Duration
}

// Server is the SSH server.
type Server struct {
	cfg         Config
	srv         *ssh.Server
	fingerprint string
	log         *slog.Logger

	mu            sync.Mutex
	ln            net.Listener
	total         int
	dashboards    int
	perKey        map[string]int
	logins        int            // connections logging in
	loginsPerAddr map[string]int // the same, by remote IP address
	refused       int            // connections refused since the last log line about them
	refusedLogged time.Time
	closing       bool
	shutdown      chan struct{} // closed when Shutdown begins: sessions end
	sessions      sync.WaitGroup
	lag           *lagGauge
	lagNow        func() time.Duration // the measured lag; nil: not measured
	statusCache   statusCache
}

// New checks cfg, loads (or creates) the host key, and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Dashboard == nil || cfg.Status == nil {
		return nil, errors.New("sshserve: Dashboard and Status are required")
	}
	if len(cfg.AuthorizedKeys) == 0 && !cfg.Insecure {
		return nil, errors.New("no authorized keys: give an authorized-keys file, or explicitly allow anyone for a local drill")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pemBytes, signer, created, err := LoadHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:           cfg,
		fingerprint:   Fingerprint(signer.PublicKey()),
		log:           cfg.Log,
		perKey:        map[string]int{},
		loginsPerAddr: map[string]int{},
		shutdown:      make(chan struct{}),
		lagNow:        cfg.measureLag,
	}
	opts := []ssh.Option{
		wish.WithHostKeyPEM(pemBytes),
		wish.WithVersion("floorwatch"),
		func(srv *ssh.Server) error {
			srv.Handler = s.handle
			// Sessions only: no port forwarding (direct-tcpip, tcpip-forward),
			// no subsystems (sftp), whatever the library's defaults become.
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
			srv.RequestHandlers = map[string]ssh.RequestHandler{}
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			srv.ServerConfigCallback = s.serverConfig
			srv.ConnCallback = s.connCallback
			return nil
		},
	}
	// Public keys are the only method offered: with no handler at all the
	// library would admit everyone, and with a password handler it would
	// invite guessing.
	if !cfg.Insecure {
		opts = append(opts, wish.WithPublicKeyAuth(s.publicKey))
	}
	srv, err := wish.NewServer(opts...)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	s.log.Info("host key", "path", cfg.HostKeyPath, "fingerprint", s.fingerprint, "created", created)
	if cfg.Insecure {
		s.log.Warn("no authentication: anyone who can reach the port gets the floor")
	} else {
		s.log.Info("authorized keys", "count", len(cfg.AuthorizedKeys))
	}
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint clients see on first connect.
func (s *Server) HostKeyFingerprint() string { return s.fingerprint }

func (s *Server) serverConfig(ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		// Refused public keys are logged with their fingerprint by publicKey;
		// this catches the other methods a client may try. "none" is every
		// client's opening probe, not worth a line.
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			if err != nil && method != "none" && method != "publickey" {
				s.log.Warn("auth refused", "remote", conn.RemoteAddr().String(), "user", safetext.Clean(conn.User()), "method", method)
			}
		},
	}
}

func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	for _, k := range s.cfg.AuthorizedKeys {
		if ssh.KeysEqual(key, k) {
			return true
		}
	}
	s.log.Warn("auth refused", "remote", ctx.RemoteAddr().String(), "user", safetext.Clean(ctx.User()), "method", "publickey", "key", Fingerprint(key))
	return false
}

type loginKey struct{}

// connCallback admits a new connection under the login caps and starts its
// login grace: it is dropped unless it opens a session in time.
func (s *Server) connCallback(ctx ssh.Context, conn net.Conn) net.Conn {
	addr, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	if why := s.startLogin(addr); why != "" {
		s.logRefused(conn.RemoteAddr().String(), why)
		return nil // the library closes it
	}
	lc := &loginConn{Conn: conn, end: func() { s.endLogin(addr) }}
	if d := s.cfg.Limits.LoginGrace; d > 0 {
		time.AfterFunc(d, lc.expire)
	}
	ctx.SetValue(loginKey{}, lc)
	return lc
}

func (s *Server) startLogin(addr string) (refused string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.cfg.Limits
	switch {
	case l.MaxLogins > 0 && s.logins >= l.MaxLogins:
		return fmt.Sprintf("%d connections are logging in, the most allowed", s.logins)
	case l.MaxLoginsPerAddr > 0 && s.loginsPerAddr[addr] >= l.MaxLoginsPerAddr:
		return fmt.Sprintf("%d connections from %s are logging in, the most allowed from one address", s.loginsPerAddr[addr], addr)
	}
	s.logins++
	s.loginsPerAddr[addr]++
	return ""
}

func (s *Server) endLogin(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins--
	if s.loginsPerAddr[addr]--; s.loginsPerAddr[addr] == 0 {
		delete(s.loginsPerAddr, addr)
	}
}

// logRefused logs refused connections at most once a second, with how many
// there were, so that a flood of them cannot flood the log.
func (s *Server) logRefused(remote, why string) {
	s.mu.Lock()
	s.refused++
	if time.Since(s.refusedLogged) < time.Second {
		s.mu.Unlock()
		return
	}
	n := s.refused
	s.refused, s.refusedLogged = 0, time.Now()
	s.mu.Unlock()
	s.log.Warn("connection refused", "remote", remote, "reason", why, "refused_since_last_line", n)
}

// loginConn is a connection while it logs in: it holds a place under the
// login caps until it opens a session or closes, and is closed if the login
// grace ends first.
type loginConn struct {
	net.Conn
	over atomic.Bool
	end  func() // gives the place back
}

// leave ends the login: a session has opened, or the connection closed.
func (c *loginConn) leave() {
	if c.over.CompareAndSwap(false, true) {
		c.end()
	}
}

func (c *loginConn) expire() {
	if c.over.CompareAndSwap(false, true) {
		c.end()
		c.Conn.Close()
	}
}

func (c *loginConn) Close() error {
	c.leave()
	return c.Conn.Close()
}

// Serve accepts connections on ln until Shutdown. It returns nil after a
// Shutdown, an error otherwise.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	if s.cfg.Limits.MaxLag > 0 && s.lag == nil && s.lagNow == nil {
		if s.lag = newLagGauge(); s.lag != nil {
			g := s.lag
			go g.run()
			s.lagNow = func() time.Duration { return time.Duration(g.lag.Load()) }
		}
	}
	s.mu.Unlock()
	err := s.srv.Serve(ln)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, tells every session the server is
// going away and ends it, waits (until ctx is done) for them to finish, then
// drops whatever connections remain.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.shutdown)
	if s.ln != nil {
		s.ln.Close()
	}
	if s.lag != nil {
		s.lag.close()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.sessions.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("sessions still open at shutdown: %w", ctx.Err())
	}
	s.srv.Close()
	return err
}

// admit counts a new session (a dashboard, or a command such as status)
// against the limits; the returned func gives its place back. A refusal
// for load is an errAtCapacity.
func (s *Server) admit(key string, dashboard bool) (release func(), err error) {
	lag := s.Lag()
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.cfg.Limits
	switch {
	case s.closing:
		return nil, errors.New("the server is shutting down")
	case l.MaxSessions > 0 && s.total >= l.MaxSessions:
		return nil, atCapacity(plural(s.total, "session") + " open, the most it allows")
	case l.MaxPerKey > 0 && s.perKey[key] >= l.MaxPerKey:
		return nil, fmt.Errorf("your key already has %d sessions open, the most allowed; close one first", s.perKey[key])
	case dashboard && l.MaxLag > 0 && lag > l.MaxLag:
		return nil, atCapacity(fmt.Sprintf("%s open, their updates running %s late", plural(s.dashboards, "dashboard"), lag.Round(time.Millisecond)))
	}
	s.total++
	if dashboard {
		s.dashboards++
	}
	s.perKey[key]++
	s.sessions.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.total--
			if dashboard {
				s.dashboards--
			}
			if s.perKey[key]--; s.perKey[key] == 0 {
				delete(s.perKey, key)
			}
			s.mu.Unlock()
			s.sessions.Done()
		})
	}, nil
}

// Sessions is the number of sessions open now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}
