package sshserve

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/floor"
)

func TestDashboardFollowsTheFloorAndTheWindow(t *testing.T) {
	ts := startServer(t, nil)
	tm := openTerminal(t, ts.client(t), 80, 24, "")
	tm.waitFor("offered=0 size=80x24", 5*time.Second)

	ts.hub.Frame(offered(1))
	ts.hub.Frame(offered(2))
	tm.waitFor("offered=2 size=80x24", time.Second)

	if err := tm.sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("offered=2 size=120x40", time.Second)

	tm.stdin.Write([]byte("q"))
	if code := tm.exit(5 * time.Second); code != 0 {
		t.Errorf("exit status %d after q, want 0", code)
	}
	waitSessions(t, ts.Server, 0)
	if log := ts.log.String(); !strings.Contains(log, "session start") || !strings.Contains(log, Fingerprint(ts.user.PublicKey())) {
		t.Errorf("connection log lacks the session and its key fingerprint:\n%s", log)
	}
}

func TestStatusPrintsTheFloorOnce(t *testing.T) {
	ts := startServer(t, nil)
	for seq := 1; seq <= 3; seq++ {
		ts.hub.Frame(offered(seq))
	}
	c := ts.client(t)
	for _, tc := range []struct {
		cmd  string
		want func(*bytes.Buffer) error
	}{
		// Today by default, as the local status command.
		{"status", func(b *bytes.Buffer) error { return floor.WriteText(b, ts.hub.Report(floor.All)) }},
		{"status --json", func(b *bytes.Buffer) error { return floor.WriteJSON(b, ts.hub.Report(floor.All)) }},
		{"status --json --window today", func(b *bytes.Buffer) error { return floor.WriteJSON(b, ts.hub.Report(floor.Today)) }},
		{"status --json --window 30m", func(b *bytes.Buffer) error { return floor.WriteJSON(b, ts.hub.Report(floor.Rolling(30*time.Minute))) }},
	} {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		got, err := sess.Output(tc.cmd)
		if err != nil {
			t.Fatalf("%s: %v", tc.cmd, err)
		}
		var want bytes.Buffer
		if err := tc.want(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s printed\n%s\nwant\n%s", tc.cmd, got, want.Bytes())
		}
	}
	// The figures themselves, by hand: three calls offered, none answered.
	sess, _ := c.NewSession()
	got, _ := sess.Output("status --json")
	if !bytes.Contains(got, []byte(`"offered": 3`)) {
		t.Errorf("status --json does not show 3 offered:\n%s", got)
	}
}

func TestRefusedCredentials(t *testing.T) {
	ts := startServer(t, nil)
	stranger := newSigner(t)
	for name, auth := range map[string][]gossh.AuthMethod{
		"unknown key": {gossh.PublicKeys(stranger)},
		"password":    {gossh.Password("hunter2")},
		"keyboard":    {gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })},
		"none":        nil,
	} {
		c, err := dial(ts.addr, nil, auth...)
		if err == nil {
			c.Close()
			t.Errorf("%s: admitted", name)
			continue
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: refused, but not at authentication: %v", name, err)
		}
	}
	if log := ts.log.String(); !strings.Contains(log, Fingerprint(stranger.PublicKey())) {
		t.Errorf("the refused key's fingerprint is not logged:\n%s", log)
	}
}

func TestOnlyDashboardAndStatusRun(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.client(t)

	sess, _ := c.NewSession()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	out, err := sess.Output("id")
	if code := exitCode(t, err); code != 1 || len(out) != 0 || !strings.Contains(stderr.String(), `"id" is not available`) {
		t.Errorf("id: exit %d, stdout %q, stderr %q; want exit 1 and a refusal", code, out, stderr.String())
	}

	// A shell without a terminal: the dashboard cannot draw, and says so.
	sess, _ = c.NewSession()
	stderr.Reset()
	sess.Stderr = &stderr
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, sess.Wait()); code != 1 || !strings.Contains(stderr.String(), "needs a terminal") {
		t.Errorf("no pty: exit %d, stderr %q", code, stderr.String())
	}

	sess, _ = c.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp subsystem accepted")
	}

	if conn, err := c.Dial("tcp", ts.addr); err == nil {
		conn.Close()
		t.Error("local port forwarding (direct-tcpip) accepted")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding (tcpip-forward) accepted")
	}
	waitSessions(t, ts.Server, 0)
}

func TestHostKeyKeepsItsFingerprint(t *testing.T) {
	first := startServer(t, nil)
	st, err := os.Stat(first.hostKey)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %#o, want 0600", st.Mode().Perm())
	}
	var seen1, seen2 gossh.PublicKey
	c, err := dial(first.addr, &seen1, gossh.PublicKeys(first.user))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	// A second server (a restart) on the same key file.
	second := startServer(t, func(c *Config) { c.HostKeyPath = first.hostKey })
	c, err = dial(second.addr, &seen2, gossh.PublicKeys(second.user))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if Fingerprint(seen1) != Fingerprint(seen2) || second.HostKeyFingerprint() != Fingerprint(seen1) {
		t.Errorf("fingerprints differ across restart: %s, %s (server says %s)", Fingerprint(seen1), Fingerprint(seen2), second.HostKeyFingerprint())
	}
	if !strings.Contains(first.log.String(), "created=true") || !strings.Contains(second.log.String(), "created=false") ||
		!strings.Contains(second.log.String(), Fingerprint(seen1)) {
		t.Errorf("start logs do not show the key being created once and its fingerprint:\n%s\n%s", first.log, second.log)
	}

	if err := os.Chmod(first.hostKey, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadHostKey(first.hostKey); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a host key others can read was accepted: %v", err)
	}
}

func TestIdleTimeoutCountsKeysNotRedraws(t *testing.T) {
	const idle = 600 * time.Millisecond
	ts := startServer(t, func(c *Config) { c.Limits.Idle = idle })
	tm := openTerminal(t, ts.client(t), 80, 24, "")
	tm.waitFor("offered=0", 5*time.Second)
	start := time.Now()

	// Key presses keep it open past the timeout...
	for i := 0; i < 6; i++ {
		time.Sleep(idle / 3)
		tm.stdin.Write([]byte("x"))
	}
	select {
	case err := <-tm.done:
		t.Fatalf("closed after %s while keys were pressed: %v", time.Since(start), err)
	default:
	}
	// ...a screen redrawing every 50 ms does not.
	stopped := time.Now()
	stop := make(chan struct{})
	go func() {
		for seq := 1; ; seq++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				ts.hub.Frame(offered(seq))
			}
		}
	}()
	defer close(stop)
	code := tm.exit(5 * time.Second)
	took := time.Since(stopped)
	if code != 0 || took < idle || took > idle+time.Second {
		t.Errorf("closed %s after the last key with exit %d; want about %s", took, code, idle)
	}
	tm.waitFor("no key pressed for 600ms", time.Second)
	if !strings.Contains(tm.out.String(), "offered=3") {
		t.Errorf("the screen did not redraw while idle:\n%q", tail(tm.out.String()))
	}
	waitSessions(t, ts.Server, 0)
}

func TestSessionCap(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Limits.MaxSession = 500 * time.Millisecond })
	tm := openTerminal(t, ts.client(t), 80, 24, "")
	tm.waitFor("offered=0", 5*time.Second)
	for i := 0; i < 10; i++ {
		tm.stdin.Write([]byte("x"))
		time.Sleep(100 * time.Millisecond)
	}
	tm.exit(5 * time.Second)
	tm.waitFor("sessions last at most 500ms", time.Second)
}

func TestSessionLimits(t *testing.T) {
	other := newSigner(t)
	ts := startServer(t, func(c *Config) {
		c.AuthorizedKeys = append(c.AuthorizedKeys, other.PublicKey())
		c.Limits.MaxPerKey = 1
		c.Limits.MaxSessions = 2
	})
	c := ts.client(t)
	first := openTerminal(t, c, 80, 24, "")
	first.waitFor("offered=0", 5*time.Second)

	second := openTerminal(t, c, 80, 24, "")
	if code := second.exit(5 * time.Second); code != 1 {
		t.Errorf("second session on one key: exit %d, want 1", code)
	}
	second.waitFor("your key already has 1 sessions open", time.Second)

	c2, err := dial(ts.addr, nil, gossh.PublicKeys(other))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	third := openTerminal(t, c2, 80, 24, "")
	third.waitFor("offered=0", 5*time.Second)

	// Two open: the server is full, whoever asks.
	sess, _ := c2.NewSession()
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	_, err = sess.Output("status")
	if code := exitCode(t, err); code != ExitAtCapacity || !strings.Contains(stderr.String(), "floorwatch: the server is at capacity (2 sessions open, the most it allows): try again shortly") {
		t.Errorf("status on a full server: exit %d, stderr %q", code, stderr.String())
	}

	// A finished session gives its place back.
	first.stdin.Write([]byte("q"))
	first.exit(5 * time.Second)
	waitSessions(t, ts.Server, 1)
	sess, _ = c.NewSession()
	if _, err := sess.Output("status"); err != nil {
		t.Errorf("status after a session ended: %v", err)
	}
}

func TestShutdownTellsSessions(t *testing.T) {
	ts := startServer(t, nil)
	tm := openTerminal(t, ts.client(t), 80, 24, "")
	tm.waitFor("offered=0", 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	tm.exit(5 * time.Second)
	tm.waitFor("the server is shutting down", time.Second)
	if _, err := dial(ts.addr, nil, gossh.PublicKeys(ts.user)); err == nil {
		t.Error("a connection was accepted after shutdown")
	}
}

func TestHandshakeMustFinishInTime(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Limits.LoginGrace = 300 * time.Millisecond })
	c := ts.client(t)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("a connection that opened no session was kept")
	}
}

func waitSessions(t *testing.T, s *Server, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Sessions() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions open, want %d", s.Sessions(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
