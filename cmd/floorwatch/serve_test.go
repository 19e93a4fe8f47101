package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
	"github.com/floorwatch/floorwatch/sshserve"
)

func TestServeRefusesToStartWrong(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "authorized_keys")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	// Line 2 is a good key; line 3 is not.
	content := "# team\n" + string(gossh.MarshalAuthorizedKey(key)) + "not a key\n"
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--authorized-keys", bad}, 2, "give one of --feed URL"},
		{[]string{"serve", "--feed", "ws://127.0.0.1:1/"}, 2, "give --authorized-keys FILE (or --insecure-no-auth"},
		{[]string{"serve", "--feed", "ws://127.0.0.1:1/", "--authorized-keys", bad, "--insecure-no-auth"}, 2, "contradict"},
		{[]string{"serve", "--feed", "ws://127.0.0.1:1/", "--authorized-keys", bad, "--host-key", filepath.Join(dir, "hk")}, 1, bad + ":3: not a public key"},
		{[]string{"serve", "--feed", "http://127.0.0.1:1/", "--insecure-no-auth", "--host-key", filepath.Join(dir, "hk")}, 2, "want ws:// or wss://"},
		{[]string{"serve", "--feed", "ws://127.0.0.1:1/", "--scenario", "steady-day", "--insecure-no-auth"}, 2, "give one of"},
		// Named but not there: a failure, exit 1, as for sim and demo.
		{[]string{"serve", "--scenario", "no-such-drill", "--insecure-no-auth", "--host-key", filepath.Join(dir, "hk")}, 1, "--scenario"},
		{[]string{"serve", "--scenario", "steady-day", "--speed", "-3", "--insecure-no-auth", "--host-key", filepath.Join(dir, "hk")}, 2, "--speed"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args[1:], code, stderr.String(), tc.code, tc.want)
		}
	}
}

// A rolling window longer than the fold keeps would silently count less than
// it says: ssh status refuses it, and answers every window it can.
func TestServeStatusRefusesAWindowBeyondTheHorizon(t *testing.T) {
	hub := live.NewHub(floor.New(floor.Options{Horizon: time.Hour}))
	hub.Frame([]byte(`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c1","queue":"support"}`))
	status := hubStatus(hub, time.Hour)

	var out bytes.Buffer
	err := status(&out, sshserve.StatusRequest{JSON: true, Window: floor.Rolling(2 * time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "--window 2h: this server keeps 1h") || out.Len() != 0 {
		t.Errorf("2h window on a 1h horizon: error %v, output %q; want a refusal and nothing printed", err, out.String())
	}
	for _, w := range []floor.Window{floor.Rolling(30 * time.Minute), floor.Rolling(time.Hour), floor.Today, floor.All} {
		out.Reset()
		if err := status(&out, sshserve.StatusRequest{JSON: true, Window: w}); err != nil {
			t.Errorf("%s: %v", w, err)
			continue
		}
		var want bytes.Buffer
		if err := floor.WriteJSON(&want, hub.Report(w)); err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Errorf("%s printed\n%s\nwant\n%s", w, out.String(), want.String())
		}
	}
}

// The host key lives in the user's configuration directory unless told,
// in a directory only its owner can read, never where serve was started.
func TestServeHostKeyDefaultsToTheConfigDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	path, err := defaultHostKey()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.UserConfigDir()
	if want = filepath.Join(want, "floorwatch", "host_key"); path != want {
		t.Errorf("host key at %s, want %s", path, want)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o700 {
		t.Errorf("its directory has mode %v, want 0700", st.Mode().Perm())
	}
}
