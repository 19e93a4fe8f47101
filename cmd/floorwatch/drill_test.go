package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/sshserve"
)

// drillConn is a bare client of a drill's feed.
type drillConn struct {
	t    *testing.T
	ws   *websocket.Conn
	held []string // lines read and not yet looked at
}

func dialDrill(t *testing.T, url string) *drillConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &drillConn{t: t, ws: ws}
}

func (c *drillConn) send(frame string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		c.t.Fatal(err)
	}
}

// until reads lines until one passes ok, and returns it decoded with its
// raw text; the read fails with how the connection ended.
func (c *drillConn) until(ok func(ev *feed.Event) bool) (*feed.Event, string, error) {
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		for len(c.held) > 0 {
			line := c.held[0]
			c.held = c.held[1:]
			if d := feed.Decode([]byte(line)); d.Err == nil && ok(&d.Event) {
				return &d.Event, line, nil
			}
		}
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return nil, "", err
		}
		c.held = strings.Split(strings.TrimSpace(string(data)), "\n")
	}
}

// action reads up to the drill.action whose id is id ("" for none).
func (c *drillConn) action(id string) (*feed.Drill, string) {
	c.t.Helper()
	ev, line, err := c.until(func(ev *feed.Event) bool { return ev.Type == feed.TypeDrillAction && ev.Drill.ID == id })
	if err != nil {
		c.t.Fatalf("no drill.action %q: %v", id, err)
	}
	return ev.Drill, line
}

// startSim runs floorwatch sim with args until the test interrupts the
// process, and returns its feed's URL.
func startSim(t *testing.T, args ...string) (url string, stop func()) {
	t.Helper()
	stderr, done := &syncBuffer{}, make(chan int, 1)
	go func() { done <- run(append([]string{"sim", "--listen", "127.0.0.1:0"}, args...), io.Discard, stderr) }()
	url = waitForMatch(t, stderr, `serving (ws://127\.0\.0\.1:\d+)`) + "/"
	return url, func() {
		t.Helper()
		syscall.Kill(syscall.Getpid(), syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("sim did not stop on an interrupt")
		}
	}
}

// sim --listen --drill applies a command sent on its feed, and every
// client sees its drill.action, naming the sender by its address; a frame
// that is not JSON gets a drill.action with command null and no id; the
// sender stays connected. A plain sim closes a sender with 4403.
func TestSimDrillTakesCommandsOnItsFeed(t *testing.T) {
	url, stop := startSim(t, "--scenario", "monday-surge", "--drill", "--speed", "60")
	sender, other := dialDrill(t, url+"?since=0"), dialDrill(t, url)
	if _, _, err := sender.until(func(ev *feed.Event) bool { return ev.Type == feed.TypeDrillStarted }); err != nil {
		t.Fatalf("no drill.started: %v", err)
	}
	sender.send(`{"type":"drill.command","id":"k1","command":"move","agent":"a001","queues":["billing","support"]}`)
	sender.send(`this is not json`)
	sender.send(`{"type":"drill.command","id":"k2","command":"move","agent":"a999","queues":["billing"]}`)
	for _, c := range []*drillConn{sender, other} {
		d, _ := c.action("k1")
		if d.By != sender.ws.LocalAddr().String() || d.Command != "move" || d.Agent != "a001" || d.Result != "ok" {
			t.Errorf("k1 seen as %+v, want move a001 by %s, ok", d, sender.ws.LocalAddr())
		}
		if d, line := c.action(""); !strings.Contains(line, `"command":null`) || strings.Contains(line, `"id"`) || d.Result != "refused: not a JSON object" {
			t.Errorf("the malformed frame's drill.action: %s", line)
		}
		if d, _ := c.action("k2"); !strings.Contains(d.Result, `refused: unknown agent "a999"`) {
			t.Errorf("k2: %+v", d)
		}
	}
	// Still connected: a001's new skills come after, and more of the run.
	if _, _, err := sender.until(func(ev *feed.Event) bool {
		return ev.Type == feed.TypeAgentState && ev.Agent != "a001" && ev.Seq > 0
	}); err != nil {
		t.Errorf("the sender was closed: %v", err)
	}
	stop()

	url, stop = startSim(t, "--scenario", "monday-surge", "--speed", "60")
	defer stop()
	c := dialDrill(t, url)
	c.send(`{"type":"drill.command","id":"k1","command":"release","agent":"a001"}`)
	_, _, err := c.until(func(ev *feed.Event) bool { return ev.Type == feed.TypeDrillAction })
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != feed.CloseNotADrill || ce.Text != "refused: not a drill" {
		t.Errorf("a command to a plain sim: %v, want close 4403 refused: not a drill", err)
	}
}

// A trainee in demo acts from the dashboard: the drill takes the command
// and its drill.action names "local".
func TestDemoTraineeActs(t *testing.T) {
	screen, typed := fakeTerminal(t)
	done := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch demo", flag.ContinueOnError)
		done <- runDemo(fs, []string{"--drill", "monday-surge", "--speed", "60", "--debrief-dir", t.TempDir()}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "Briefing: monday-surge", 15*time.Second)
	// Close the briefing; on the Agents view send the first agent home.
	for _, k := range []string{"x", "3", "h", "\r"} {
		typed.Write([]byte(k))
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, screen, ": ok", 10*time.Second)
	typed.Write([]byte("L"))
	waitFor(t, screen, "local: send home a0", 10*time.Second)
	quitDashboard(t, typed, done)
}

// serve --scenario: a trainee's key acts over SSH, and the drill.action
// names the key by its comment and fingerprint; a key that is not among
// --trainees watches, is told why it cannot act, and sees the drill set
// beside its shadow floor on the Overview.
func TestServeTraineesAct(t *testing.T) {
	dir := t.TempDir()
	ana, anaLine := sshKey(t)
	bob, bobLine := sshKey(t)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte(anaLine+" ana@laptop\n"+bobLine+" bob@desk\n"), 0o600)
	trainees := filepath.Join(dir, "trainees")
	os.WriteFile(trainees, []byte(anaLine+" ana\n"), 0o600)

	serveErr, serveDone := &syncBuffer{}, make(chan int, 1)
	go func() {
		serveDone <- run([]string{"serve", "--scenario", "monday-surge", "--speed", "60", "--listen", "127.0.0.1:0",
			"--authorized-keys", keys, "--trainees", trainees, "--host-key", filepath.Join(dir, "host_key")}, io.Discard, serveErr)
	}()
	addr := waitForMatch(t, serveErr, `addr=(127\.0\.0\.1:\d+)`)
	defer func() {
		syscall.Kill(syscall.Getpid(), syscall.SIGINT)
		select {
		case <-serveDone:
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
	press := func(sc *sshScreen, keys ...string) {
		for _, k := range keys {
			io.WriteString(sc.keys, k)
			time.Sleep(50 * time.Millisecond)
		}
	}

	sc := openScreen(t, login(ana), 120, 40)
	sc.waitFor(t, "Briefing: monday-surge")
	// Two agents of overtime for the first queue of the picker.
	press(sc, "x", "3", "o", "2", "\t", "\t", " ", "\r")
	sc.waitFor(t, ": ok")
	press(sc, "L")
	sc.waitFor(t, "ana@laptop ("+sshserve.Fingerprint(ana.PublicKey())+"): overtime 2 → ")

	sc = openScreen(t, login(bob), 120, 40)
	const refused = "Not a trainee's key (--trainees): you may watch this drill, not act in it."
	sc.waitFor(t, refused) // in the briefing
	press(sc, "x", "3", "m")
	if sc.waitFor(t, refused+" · "); strings.Contains(sc.text(), "Move ") { // in the footer
		t.Errorf("bob got a form:\n%s", tail(sc.text(), 3000))
	}
	// Watching, bob's Overview too sets the drill beside its shadow floor.
	press(sc, "1")
	sc.waitFor(t, "(without you ")
}
