package sshserve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// standIn is the dashboard for these tests: the real one lives in package
// tui. It shows the floor's offered count and its window size, follows the
// hub like a dashboard does, and quits on q.
type standIn struct {
	hub  *live.Hub
	ch   <-chan struct{}
	done chan struct{}
	w, h int
}

type changedMsg struct{}

func standInDashboard(hub *live.Hub) Dashboard {
	return func(r *lipgloss.Renderer, _ Viewer) (tea.Model, func()) {
		ch, cancel := hub.Subscribe()
		m := &standIn{hub: hub, ch: ch, done: make(chan struct{})}
		return m, func() { cancel(); close(m.done) }
	}
}

func (m *standIn) wait() tea.Msg {
	select {
	case <-m.ch:
		return changedMsg{}
	case <-m.done:
		return nil
	}
}

func (m *standIn) Init() tea.Cmd { return m.wait }

func (m *standIn) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyMsg:
		if msg.String() == "q" {
			return m, tea.Quit
		}
	case changedMsg:
		return m, m.wait
	}
	return m, nil
}

func (m *standIn) View() string {
	return fmt.Sprintf("offered=%d size=%dx%d", m.hub.Report(floor.All).Floor.Offered, m.w, m.h)
}

func hubStatus(hub *live.Hub) Status {
	return func(w io.Writer, req StatusRequest) error {
		r := hub.Report(req.Window)
		if req.JSON {
			return floor.WriteJSON(w, r)
		}
		return floor.WriteText(w, r)
	}
}

// offered is a call.offered line with the given seq, a second apart on the
// floor clock.
func offered(seq int) []byte {
	ts := time.Date(2026, 11, 23, 8, 0, seq, 0, time.UTC)
	return fmt.Appendf(nil, `{"type":"call.offered","seq":%d,"ts":"%s","call":"c%d","queue":"support"}`,
		seq, ts.Format("2006-01-02T15:04:05.000Z"), seq)
}

type testServer struct {
	*Server
	addr    string
	hub     *live.Hub
	user    gossh.Signer // an authorized key
	hostKey string
	log     *syncBuffer
}

// startServer serves a fresh floor on 127.0.0.1 with one authorized key;
// adjust tweaks the config first.
func startServer(t *testing.T, adjust func(*Config)) *testServer {
	t.Helper()
	user := newSigner(t)
	hub := live.NewHub(floor.New(floor.Options{}))
	logs := &syncBuffer{}
	cfg := Config{
		HostKeyPath:    filepath.Join(t.TempDir(), "host_key"),
		AuthorizedKeys: []gossh.PublicKey{user.PublicKey()},
		Dashboard:      standInDashboard(hub),
		Status:         hubStatus(hub),
		Limits:         Limits{LoginGrace: 5 * time.Second},
		Log:            slog.New(slog.NewTextHandler(logs, nil)),
	}
	if adjust != nil {
		adjust(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &testServer{Server: srv, addr: ln.Addr().String(), hub: hub, user: user, hostKey: cfg.HostKeyPath, log: logs}
}

// dial connects with the given auth methods, recording the host key seen.
func dial(addr string, hostKey *gossh.PublicKey, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "supervisor",
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if hostKey != nil {
				*hostKey = k
			}
			return nil
		},
		Timeout: 5 * time.Second,
	})
}

func (ts *testServer) client(t *testing.T) *gossh.Client {
	t.Helper()
	c, err := dial(ts.addr, nil, gossh.PublicKeys(ts.user))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// terminal is one PTY session as a person's terminal would hold it: it
// collects the screen output and answers the terminal queries the server
// sends (background colour, device attributes) as a real terminal does.
type terminal struct {
	t     *testing.T
	sess  *gossh.Session
	stdin io.WriteCloser
	out   syncBuffer
	done  chan error
}

func openTerminal(t *testing.T, c *gossh.Client, width, height int, command string) *terminal {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, sess: sess, done: make(chan error, 1)}
	if err := sess.RequestPty("xterm-256color", height, width, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm.stdin, err = sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sess.Stderr = &tm.out
	if command == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(command)
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := stdout.Read(buf)
			tm.out.Write(buf[:n])
			if bytes.Contains(buf[:n], []byte("\x1b[c")) {
				io.WriteString(tm.stdin, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
			}
			if err != nil {
				break
			}
		}
		tm.done <- sess.Wait()
	}()
	t.Cleanup(func() { sess.Close() })
	return tm
}

// waitFor waits until the output holds want.
func (tm *terminal) waitFor(want string, within time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(tm.out.String(), want) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %q within %s; output so far:\n%q", want, within, tail(tm.out.String()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// exit waits for the session to end and returns its exit status.
func (tm *terminal) exit(within time.Duration) int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		return exitCode(tm.t, err)
	case <-time.After(within):
		tm.t.Fatalf("session still open after %s; output:\n%q", within, tail(tm.out.String()))
		return -1
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	t.Fatalf("session ended without an exit status: %v", err)
	return -1
}

func tail(s string) string {
	if len(s) > 600 {
		return s[len(s)-600:]
	}
	return s
}

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}
