package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/sshserve"
)

// sshKey is a key pair: the signer logs in, the line goes in the file.
func sshKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// sshRun runs one command over its own session: its output and exit code.
func sshRun(t *testing.T, c *gossh.Client, cmd string) (string, int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	// One buffer each: both copies read into a bytes.Buffer at once would
	// race.
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err = sess.Run(cmd)
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return out.String() + errOut.String(), 0
	case errors.As(err, &ee):
		return out.String() + errOut.String(), ee.ExitStatus()
	}
	t.Fatalf("%s: %v", cmd, err)
	return "", -1
}

// sshScreen is a dashboard over a PTY: everything it drew, and the keys.
type sshScreen struct {
	out   syncBuffer
	keys  io.Writer
	ended chan error
}

func openScreen(t *testing.T, c *gossh.Client, w, h int) *sshScreen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	sc := &sshScreen{ended: make(chan error, 1)}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	sess.Stderr = &sc.out
	sc.keys = stdin
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			sc.out.Write(buf[:n])
			// Answer the terminal's queries as a terminal does.
			if bytes.Contains(buf[:n], []byte("\x1b[c")) {
				io.WriteString(stdin, "\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c")
			}
			if err != nil {
				break
			}
		}
		sc.ended <- sess.Wait()
	}()
	return sc
}

// text is what the screen showed, without its escape codes.
func (sc *sshScreen) text() string { return ansi.Strip(sc.out.String()) }

func (sc *sshScreen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(sc.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", want, tail(sc.text(), 3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// everyKey is every key a person can press but q, as a terminal sends it.
func everyKey() []string {
	var keys []string
	for c := byte(' '); c < 0x7f; c++ {
		if c != 'q' {
			keys = append(keys, string(c))
		}
	}
	return append(keys, "\t", "\x1b[Z", "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[5~", "\x1b[6~",
		"\r", "\x1b", "\x7f", "\x15", "\x04")
}

// Roles over SSH, end to end through the real dashboard: an agent's key
// shows that agent's card and nothing of anyone else, on any screen any
// key reaches and in status; a supervisor's key shows the floor; a key
// bound to an agent the floor does not know is refused and logged.
func TestServeRoles(t *testing.T) {
	dir := t.TempDir()
	sup, supLine := sshKey(t)
	ana, anaLine := sshKey(t)
	ben, benLine := sshKey(t)
	ghost, ghostLine := sshKey(t)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte(supLine+" sup\nagent=a007 "+anaLine+" ana\n"+benLine+" ben\nagent=a999 "+ghostLine+" ghost\n"), 0o600)
	roles := filepath.Join(dir, "roles.yaml")
	os.WriteFile(roles, []byte(sshserve.Fingerprint(ben.PublicKey())+": agent:a012\n"), 0o600)

	serveErr, serveDone := &syncBuffer{}, make(chan int, 1)
	go func() {
		serveDone <- run([]string{"serve", "--scenario", "steady-day", "--speed", "60", "--listen", "127.0.0.1:0",
			"--authorized-keys", keys, "--roles", roles, "--host-key", filepath.Join(dir, "host_key"),
			"--journal", filepath.Join(dir, "journal")}, io.Discard, serveErr)
	}()
	addr := waitForMatch(t, serveErr, `addr=(127\.0\.0\.1:\d+)`)
	defer func() {
		syscall.Kill(syscall.Getpid(), syscall.SIGINT)
		select {
		case code := <-serveDone:
			if code != 0 {
				t.Errorf("serve exited %d on an interrupt", code)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop on an interrupt")
		}
	}()
	login := func(s gossh.Signer) *gossh.Client {
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "floor", Auth: []gossh.AuthMethod{gossh.PublicKeys(s)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	// The supervisor sees every agent; wait until the floor has them.
	supC := login(sup)
	var floor struct {
		Agents []struct{ Agent, Name string }
	}
	for deadline := time.Now().Add(15 * time.Second); len(floor.Agents) < 20; time.Sleep(50 * time.Millisecond) {
		out, code := sshRun(t, supC, "status --json")
		if code == 0 {
			json.Unmarshal([]byte(out), &floor)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the floor has %d agents: %s", len(floor.Agents), out)
		}
	}
	others := func(own string) []*regexp.Regexp {
		var res []*regexp.Regexp
		for _, a := range floor.Agents {
			if a.Agent != own {
				res = append(res, regexp.MustCompile(`\b`+a.Agent+`\b`), regexp.MustCompile(regexp.QuoteMeta(a.Name)))
			}
		}
		return append(res, regexp.MustCompile(`\bc\d+\b`), regexp.MustCompile(`"caller"|\+\d{6,}`))
	}
	clean := func(who, what, out, own string) {
		t.Helper()
		for _, re := range others(own) {
			if hit := re.FindString(out); hit != "" {
				t.Fatalf("%s's %s shows %q:\n%s", who, what, hit, tail(out, 3000))
			}
		}
	}

	for _, tc := range []struct {
		who   string
		key   gossh.Signer
		agent string
	}{{"ana (agent= option)", ana, "a007"}, {"ben (roles file)", ben, "a012"}} {
		c := login(tc.key)
		out, code := sshRun(t, c, "status --json")
		var card struct {
			Agent struct{ Agent string }
			Team  struct{ Staffed int }
		}
		if err := json.Unmarshal([]byte(out), &card); code != 0 || err != nil || card.Agent.Agent != tc.agent || card.Team.Staffed == 0 {
			t.Fatalf("%s: status --json exit %d: %s", tc.who, code, out)
		}
		var fields map[string]json.RawMessage
		json.Unmarshal([]byte(out), &fields)
		if keys := slices.Sorted(maps.Keys(fields)); !slices.Equal(keys, []string{"agent", "comments", "now", "place", "team", "window"}) {
			t.Errorf("%s: status --json has %v:\n%s", tc.who, keys, out)
		}
		clean(tc.who, "status --json", out, tc.agent)
		out, code = sshRun(t, c, "status --window 30m")
		clean(tc.who, "status", out, tc.agent)
		if code != 0 || !strings.Contains(out, "("+tc.agent+") — your card") {
			t.Errorf("%s: status exit %d, not their card:\n%s", tc.who, code, out)
		}
	}

	// Ana's dashboard, every key pressed, and every key again from help.
	sc := openScreen(t, login(ana), 120, 40)
	sc.waitFor(t, "(a007) — your card")
	for _, k := range everyKey() {
		for _, seq := range []string{k, "?" + k} {
			io.WriteString(sc.keys, seq)
			time.Sleep(5 * time.Millisecond)
		}
	}
	io.WriteString(sc.keys, "q")
	select {
	case err := <-sc.ended:
		if err != nil {
			t.Errorf("ana's dashboard ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ana's dashboard did not quit on q")
	}
	clean("ana", "dashboard", sc.text(), "a007")

	// The supervisor's dashboard has the whole floor.
	sc = openScreen(t, supC, 160, 48)
	sc.waitFor(t, "1 Overview")
	io.WriteString(sc.keys, "3")
	named := 0
	for deadline := time.Now().Add(10 * time.Second); named < 10 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		named = 0
		for _, a := range floor.Agents {
			if strings.Contains(sc.text(), a.Name) {
				named++
			}
		}
	}
	if named < 10 {
		t.Errorf("the supervisor's Agents view names %d agents:\n%s", named, tail(sc.text(), 3000))
	}
	io.WriteString(sc.keys, "q")

	// A key bound to an agent this floor does not know.
	out, code := sshRun(t, login(ghost), "status")
	if code != 1 || !strings.Contains(out, `your key belongs to agent "a999", and this floor has no such agent`) {
		t.Errorf("a999's key: exit %d, %q", code, out)
	}
	log := serveErr.String()
	if !regexp.MustCompile(`session refused.*key=` + regexp.QuoteMeta(sshserve.Fingerprint(ghost.PublicKey())) + `.*agent=a999`).MatchString(log) {
		t.Errorf("the refusal is not logged with the key's fingerprint:\n%s", log)
	}
	if days, _ := filepath.Glob(filepath.Join(dir, "journal", "journal-2026-11-23.jsonl")); len(days) != 1 {
		t.Errorf("the journal has no file for the floor's day: %v", days)
	}
}

// Status reads several recordings in order as one: a journal's days, named
// after --replay (as a shell's glob gives them) or with --replay each.
func TestStatusReplaysSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "day.jsonl")
	if code, _, errs := runCmd("sim", "--scenario", "steady-day", "--duration", "2h", "--speed", "max", "--record", whole); code != 0 {
		t.Fatal(errs)
	}
	data, _ := os.ReadFile(whole)
	lines := strings.SplitAfter(string(data), "\n")
	parts := []string{filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "c.jsonl")}
	for i, p := range parts {
		os.WriteFile(p, []byte(strings.Join(lines[i*len(lines)/3:(i+1)*len(lines)/3], "")), 0o600)
	}
	_, want, _ := runCmd("status", "--replay", whole, "--json")
	for _, args := range [][]string{
		{"status", "--replay", parts[0], parts[1], parts[2], "--json"},
		{"status", "--json", "--replay", parts[0], "--replay", parts[1], "--replay", parts[2]},
	} {
		code, got, errs := runCmd(args...)
		if code != 0 || got != want {
			t.Errorf("%v: exit %d %s\n%.400s\nwant\n%.400s", args[1:], code, errs, got, want)
		}
	}
	if code, _, errs := runCmd("status", "--feed", "ws://127.0.0.1:1/", parts[0]); code != 2 || !strings.Contains(errs, fmt.Sprintf("unexpected argument %q", parts[0])) {
		t.Errorf("a file with --feed: exit %d, %s", code, errs)
	}
}
