package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/natsfeed/natstest"
)

// simArgs is an hour of the default scenario, the same in every run.
var simArgs = []string{"sim", "--scenario", "steady-day", "--seed", "7", "--duration", "1h", "--speed", "max"}

// publishSim runs the simulation to its end, publishing to NATS as site.
func publishSim(t *testing.T, url, site string) {
	t.Helper()
	code, _, stderr := runCmd(append(simArgs, "--nats", url, "--site", site)...)
	if code != 0 || !strings.Contains(stderr, ", 0 events could not be") {
		t.Fatalf("sim --nats: exit %d\n%s", code, stderr)
	}
}

// sim --record and the same run published to NATS and read back by status
// --feed nats://… print the same figures.
func TestStatusOfANATSFeedIsTheRecordings(t *testing.T) {
	srv := natstest.Start(t)
	rec := filepath.Join(t.TempDir(), "day.jsonl")
	if code, _, stderr := runCmd(append(simArgs, "--record", rec)...); code != 0 {
		t.Fatalf("sim --record: %s", stderr)
	}
	_, recorded, _ := runCmd("status", "--replay", rec, "--json")
	publishSim(t, srv.URL(), "paris")

	code, viaNATS, stderr := runCmd("status", "--feed", srv.URL()+"/paris", "--since", "1h", "--json")
	if code != 0 {
		t.Fatalf("status --feed nats://: exit %d %s", code, stderr)
	}
	if got, want := figuresOf(t, []byte(viaNATS)), figuresOf(t, []byte(recorded)); got != want {
		t.Errorf("status --feed nats:// differs from the recording:\n got %s\nwant %s", got, want)
	}
	var feeds struct {
		Feed  struct{ Events, Gaps, Duplicates int64 } `json:"feed"`
		Sites []struct {
			Site         string `json:"site"`
			NotPublished int64  `json:"not_published"`
		} `json:"sites"`
	}
	json.Unmarshal([]byte(viaNATS), &feeds)
	var rf struct {
		Feed struct{ Events, Gaps, Duplicates int64 } `json:"feed"`
	}
	json.Unmarshal([]byte(recorded), &rf)
	if feeds.Feed != rf.Feed || len(feeds.Sites) != 1 || feeds.Sites[0].Site != "paris" {
		t.Errorf("feed %+v and sites %+v; want the recording's counts %+v and the one site", feeds.Feed, feeds.Sites, rf.Feed)
	}

	// Mistakes say what to do.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "--nats", srv.URL()}, "give --nats URL and --site NAME together"},
		{[]string{"sim", "--nats", srv.URL() + "/paris", "--site", "paris"}, "the site goes in --site"},
		{[]string{"status", "--feed", srv.URL() + "/paris", "--site", "lisbon"}, "not one of the feed's sites"},
		{[]string{"status", "--feed", "ws://127.0.0.1:1/", "--since", "2h"}, "--since and --site are for a nats:// feed"},
		{[]string{"status", "--feed", "nats://u:pw@127.0.0.1:1/paris"}, "no credentials in the URL"},
	} {
		if code, _, stderr := runCmd(tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, %s; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// Two sites: status prints the floor of both, ids prefixed, with a row per
// site, and --site prints one site as it is alone.
func TestStatusOfTwoSites(t *testing.T) {
	srv := natstest.Start(t)
	publishSim(t, srv.URL(), "paris")
	publishSim(t, srv.URL(), "lisbon")
	_, alone, _ := runCmd("status", "--feed", srv.URL()+"/paris", "--since", "1h", "--json")
	code, both, stderr := runCmd("status", "--feed", srv.URL()+"/paris,lisbon", "--since", "1h")
	if code != 0 {
		t.Fatalf("status: exit %d %s", code, stderr)
	}
	for _, want := range []string{"paris/support", "lisbon/support", "paris/a001", "\nSITE ", "\nparis ", "\nlisbon "} {
		if !strings.Contains(both, want) {
			t.Errorf("status of two sites lacks %q:\n%s", want, both)
		}
	}
	_, one, _ := runCmd("status", "--feed", srv.URL()+"/paris,lisbon", "--since", "1h", "--site", "paris", "--json")
	if got, want := figuresOf(t, []byte(one)), figuresOf(t, []byte(alone)); got != want {
		t.Errorf("--site paris differs from paris alone:\n got %s\nwant %s", got, want)
	}
}

// Two serve processes on different ports, fed by the same stream, show the
// same figures; losing one loses only its own sessions.
func TestTwoServesShareOneStream(t *testing.T) {
	srv := natstest.Start(t)
	publishSim(t, srv.URL(), "paris")
	_, recorded, _ := runCmd("status", "--feed", srv.URL()+"/paris", "--since", "1h", "--json")
	want := figuresOf(t, []byte(recorded))

	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := gossh.NewPublicKey(pub)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(sshPub), 0o600)
	signer, _ := gossh.NewSignerFromKey(priv)

	var serves []*exec.Cmd
	var clients []*gossh.Client
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "serve", "--feed", srv.URL()+"/paris",
			"--since", "1h", "--listen", "127.0.0.1:0", "--authorized-keys", keys,
			"--host-key", filepath.Join(dir, "host_key"+string(rune('a'+i))))
		cmd.Env = append(os.Environ(), "FLOORWATCH_HELPER=1")
		logs := &syncBuffer{}
		cmd.Stderr = logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
		addr := waitForMatch(t, logs, `addr=(127\.0\.0\.1:\d+)`)
		client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ana", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		serves, clients = append(serves, cmd), append(clients, client)
	}
	for i, c := range clients {
		if got := sshStatus(t, c, want); got != want {
			t.Errorf("serve %d shows:\n%s\nwant:\n%s", i, got, want)
		}
	}

	// A session on each; the first server dies.
	waiting := make([]chan error, 2)
	for i, c := range clients {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		stdin, _ := sess.StdinPipe()
		defer stdin.Close()
		sess.Stdout = io.Discard
		sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		waiting[i] = make(chan error, 1)
		go func() { waiting[i] <- sess.Wait() }()
	}
	serves[0].Process.Kill()
	select {
	case <-waiting[0]:
	case <-time.After(10 * time.Second):
		t.Error("the dead server's session did not end")
	}
	select {
	case err := <-waiting[1]:
		t.Errorf("the other server's session ended too: %v", err)
	case <-time.After(time.Second):
	}
	if got := sshStatus(t, clients[1], want); got != want {
		t.Errorf("the surviving serve shows:\n%s\nwant:\n%s", got, want)
	}
}

// sshStatus asks a serve for its figures until they are want (it catches
// up on its own time) or 20 s pass, and returns the last answer.
func sshStatus(t *testing.T, c *gossh.Client, want string) string {
	t.Helper()
	var got string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		sess.Stdout = &out
		sess.Run("status --json --window all")
		sess.Close()
		if out.Len() > 0 {
			if got = figuresOf(t, out.Bytes()); got == want {
				break
			}
		}
	}
	return got
}
