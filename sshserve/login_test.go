package sshserve

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// stall opens a TCP connection from ip that never says a word, and reports
// whether the server admitted it (it then sends its SSH version line).
func stall(t *testing.T, ip, addr string) (net.Conn, bool) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return conn, err == nil && strings.HasPrefix(line, "SSH-2.0-")
}

// closedWithin reports whether the server closes conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := conn.Read(make([]byte, 1))
	return err != nil && !strings.Contains(err.Error(), "timeout")
}

// 200 connections that never finish their handshake hold at most
// MaxLogins places, each for at most the login grace; the rest are closed
// at once, and the log says so in one line, not 168.
func TestLoginCaps(t *testing.T) {
	ts := startServer(t, func(c *Config) {
		c.Limits.LoginGrace = time.Second
		c.Limits.MaxLogins, c.Limits.MaxLoginsPerAddr = 32, 30
	})
	var held []net.Conn
	refused := 0
	for i := 0; i < 200; i++ {
		ip := "127.0.0.1"
		if i >= 100 {
			ip = "127.0.0.2"
		}
		conn, ok := stall(t, ip, ts.addr)
		if ok {
			held = append(held, conn)
		} else {
			refused++
		}
	}
	if len(held) != 32 || refused != 168 {
		t.Fatalf("%d connections admitted and %d refused, want 32 (30 from one address) and 168", len(held), refused)
	}
	start := time.Now()
	for i, conn := range held {
		if !closedWithin(conn, 3*time.Second) {
			t.Fatalf("stalled connection %d still open %s after the 1 s login grace", i, time.Since(start))
		}
	}
	log := ts.log.String()
	if n := strings.Count(log, "connection refused"); n == 0 || n > 10 ||
		!strings.Contains(log, "30 connections from 127.0.0.1 are logging in, the most allowed from one address") {
		t.Fatalf("%d log lines about refused connections, want one a second at most:\n%s", n, log)
	}
	// The places are given back: a supervisor gets in.
	c, err := dial(ts.addr, nil, gossh.PublicKeys(ts.user))
	if err != nil {
		t.Fatalf("after the stalled connections expired: %v", err)
	}
	c.Close()
}

// What a client says about itself (its user name, its command) reaches the
// log cleaned: no control character an operator's terminal would obey.
func TestLogCleansClientText(t *testing.T) {
	ts := startServer(t, nil)
	c, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User:            "eve\x1b]0;owned\a",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(ts.user)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.Run("\x1b[2Jrm -rf /")
	log := ts.log.String()
	for _, want := range []string{`user=eve^[]0;owned^G`, `command="^[[2Jrm -rf /"`, `reason="refused command ^[[2Jrm"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no %s:\n%s", want, log)
		}
	}
	if strings.ContainsAny(log, "\x1b\a") || strings.Contains(log, `\x1b`) {
		t.Errorf("a control character reached the log:\n%q", log)
	}
}
