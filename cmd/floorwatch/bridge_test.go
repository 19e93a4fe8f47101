package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// queueLogFixture is a queue_log of the queuelog package's fixtures as
// Asterisk writes it: the fixture's "#" lines explain each line and are
// not part of the file.
func queueLogFixture(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../source/queuelog/testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range strings.Split(string(raw), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			b.WriteString(l + "\n")
		}
	}
	path := filepath.Join(t.TempDir(), "queue_log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// figuresOf is what must agree between every way of reading one floor:
// the call and agent figures of status --json.
func figuresOf(t *testing.T, statusJSON []byte) string {
	t.Helper()
	var r struct {
		Now    json.RawMessage `json:"now"`
		Floor  json.RawMessage `json:"floor"`
		Queues json.RawMessage `json:"queues"`
		Agents json.RawMessage `json:"agents"`
	}
	if err := json.Unmarshal(statusJSON, &r); err != nil {
		t.Fatalf("status --json: %v\n%s", err, statusJSON)
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func TestBridgeQueueLogRecords(t *testing.T) {
	log := queueLogFixture(t, "asterisk-16.txt")
	out := filepath.Join(t.TempDir(), "day.jsonl")
	code, _, stderr := runCmd("bridge", "queue-log:"+log, "--agents", "../../source/queuelog/testdata/agents.yaml", "--record", out)
	if code != 0 || !strings.Contains(stderr, "lines read") || !strings.Contains(stderr, "0 malformed") {
		t.Fatalf("bridge: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runCmd("status", "--replay", out, "--json")
	if code != 0 {
		t.Fatalf("status: exit %d %s", code, stderr)
	}
	var r struct {
		Feed struct {
			BadLines int64 `json:"bad_lines"`
		} `json:"feed"`
		Floor struct {
			Offered           int64            `json:"offered"`
			AbandonedByReason map[string]int64 `json:"abandoned_by_reason"`
		} `json:"floor"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Feed.BadLines != 0 || r.Floor.Offered == 0 || r.Floor.AbandonedByReason["withdrawn"] != 1 {
		t.Errorf("the day as status reads it: %s", stdout)
	}
}

func TestBridgeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bridge"}, 2, "give the SOURCE"},
		{[]string{"bridge", "nope:x", "--record", "-"}, 2, "want one of"},
		{[]string{"bridge", "queue-log:/no/such/file"}, 2, "give --listen ADDR"},
		{[]string{"bridge", "queue-log:/no/such/file", "--record", "-"}, 1, "no such file"},
		{[]string{"bridge", "queue-log:/no/such/file", "--check"}, 2, "has no --check"},
		{[]string{"bridge", "csv:x.csv", "--record", "-"}, 1, "--map"},
	} {
		code, _, stderr := runCmd(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// The bridge end to end: a queue_log served with --listen on 127.0.0.1, and
// status --feed, the watch dashboard and serve --feed (over a real SSH
// connection) all reading it; every way shows the figures a recording of
// the same file gives.
func TestBridgeListenEndToEnd(t *testing.T) {
	log := queueLogFixture(t, "asterisk-16.txt")
	agents := "../../source/queuelog/testdata/agents.yaml"
	rec := filepath.Join(t.TempDir(), "day.jsonl")
	if code, _, stderr := runCmd("bridge", "queue-log:"+log, "--agents", agents, "--record", rec); code != 0 {
		t.Fatalf("bridge --record: %s", stderr)
	}
	_, replayed, _ := runCmd("status", "--replay", rec, "--json", "--window", "all")
	want := figuresOf(t, []byte(replayed))

	// Both servers run until the test interrupts this process, as a user
	// would with ^C: each command stops on SIGINT.
	bridgeErr, serveErr := &syncBuffer{}, &syncBuffer{}
	bridgeDone, serveDone := make(chan int, 1), make(chan int, 1)
	go func() {
		bridgeDone <- run([]string{"bridge", "queue-log:" + log, "--agents", agents, "--listen", "127.0.0.1:0", "--name", "asterisk"}, io.Discard, bridgeErr)
	}()
	url := waitForMatch(t, bridgeErr, `serving (ws://127\.0\.0\.1:\d+)`)
	interrupt := interruptOnce()
	defer interrupt()

	code, viaFeed, stderr := runCmd("status", "--feed", url, "--json", "--window", "all")
	if code != 0 {
		t.Fatalf("status --feed: exit %d %s", code, stderr)
	}
	if got := figuresOf(t, []byte(viaFeed)); got != want {
		t.Errorf("status --feed differs from the recording:\n got %s\nwant %s", got, want)
	}

	// watch: the dashboard on the bridge, through the real client.
	screen, typed := fakeTerminal(t)
	watched := make(chan error, 1)
	go func() {
		fs := flag.NewFlagSet("floorwatch watch", flag.ContinueOnError)
		watched <- runWatch(fs, []string{url}, io.Discard, io.Discard)
	}()
	waitFor(t, screen, "Ana Lima", 10*time.Second)
	waitFor(t, screen, "Ben Okafor", 10*time.Second)
	typed.Write([]byte("q"))
	select {
	case err := <-watched:
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not quit on q")
	}

	// serve --feed, and ssh … status --json through a real SSH client.
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := gossh.NewPublicKey(pub)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(sshPub), 0o600)
	go func() {
		serveDone <- run([]string{"serve", "--feed", url, "--listen", "127.0.0.1:0", "--authorized-keys", keys,
			"--host-key", filepath.Join(dir, "host_key")}, io.Discard, serveErr)
	}()
	addr := waitForMatch(t, serveErr, `addr=(127\.0\.0\.1:\d+)`)
	signer, _ := gossh.NewSignerFromKey(priv)
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ana", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// The server catches up with the feed on its own time: ask until it has.
	deadline := time.Now().Add(10 * time.Second)
	var viaSSH string
	for time.Now().Before(deadline) {
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		sess.Stdout = &out
		sess.Run("status --json --window all")
		sess.Close()
		if viaSSH = figuresOf(t, out.Bytes()); viaSSH == want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if viaSSH != want {
		t.Errorf("ssh status differs from the recording:\n got %s\nwant %s", viaSSH, want)
	}

	interrupt()
	for name, done := range map[string]chan int{"bridge": bridgeDone, "serve": serveDone} {
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("%s exited %d on an interrupt", name, code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not stop on an interrupt", name)
		}
	}
}

// waitForMatch polls a command's output for the pattern and returns its
// first group.
func waitForMatch(t *testing.T, out *syncBuffer, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("never printed %s; printed:\n%s", pattern, out.String())
	return ""
}

// interruptOnce is a func that sends this process SIGINT, as ^C would, the
// first time it is called: a command under test stops on it, and a test
// may interrupt early and still defer the call.
func interruptOnce() func() {
	var once sync.Once
	return func() { once.Do(func() { syscall.Kill(syscall.Getpid(), syscall.SIGINT) }) }
}
