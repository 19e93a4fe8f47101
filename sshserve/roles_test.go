package sshserve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	gossh "golang.org/x/crypto/ssh"
)

func marshal(s gossh.Signer) []byte {
	return bytes.TrimSpace(gossh.MarshalAuthorizedKey(s.PublicKey()))
}

func TestAuthorizedKeysFile(t *testing.T) {
	k1, k2, k3 := newSigner(t), newSigner(t), newSigner(t)
	good := "# the team\n\n" + string(marshal(k1)) + " alice@laptop\n" + `agent=a017 ` + string(marshal(k2)) + " ana\n" +
		`agent="Ben Okri" ` + string(marshal(k3)) + "\n"
	keys, err := LoadAuthorizedKeys(writeFile(t, "ok", good, 0o644))
	if err != nil || len(keys) != 3 {
		t.Fatalf("got %d keys, %v; want 3", len(keys), err)
	}
	if keys[0].Agent != "" || keys[1].Agent != "a017" || keys[2].Agent != "Ben Okri" {
		t.Errorf("agents %q %q %q; want none, a017 and Ben Okri", keys[0].Agent, keys[1].Agent, keys[2].Agent)
	}
	for name, tc := range map[string]struct{ content, want string }{
		"bad line":    {"# x\n" + string(marshal(k1)) + "\nssh-ed25519 AAAAnotbase64!\n", "bad:3: not a public key"},
		"options":     {`from="10.0.0.1" ` + string(marshal(k1)) + "\n", "bad:1: key options (from=\"10.0.0.1\") are not supported"},
		"agent and":   {`agent=a1,command="sh" ` + string(marshal(k1)) + "\n", `bad:1: key options (command="sh") are not supported`},
		"empty agent": {`agent= ` + string(marshal(k1)) + "\n", "bad:1: agent= needs the agent's id"},
		"two agents":  {`agent=a1,agent=a2 ` + string(marshal(k1)) + "\n", "bad:1: two agent= options"},
		"no keys":     {"# nobody yet\n", "no keys"},
		"truncated":   {string(marshal(k1))[:30] + "\n", "bad:1:"},
	} {
		_, err := LoadAuthorizedKeys(writeFile(t, "bad", tc.content, 0o644))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	if _, err := LoadAuthorizedKeys(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file was accepted")
	}
}

func TestRoles(t *testing.T) {
	sup, ana, ben := newSigner(t), newSigner(t), newSigner(t)
	fp := func(s gossh.Signer) string { return Fingerprint(s.PublicKey()) }
	keys := []AuthorizedKey{{Key: sup.PublicKey()}, {Key: ana.PublicKey(), Agent: "a017"}, {Key: ben.PublicKey()}}

	roles, err := LoadRoles(writeFile(t, "roles.yaml", fmt.Sprintf("# who is who\n%s: supervisor\n%s: agent:a017\n%s: agent:a002\n",
		fp(sup), fp(ana), fp(ben)), 0o644))
	if err != nil {
		t.Fatal(err)
	}
	agents, err := BindRoles(keys, roles)
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 || agents[fp(ana)] != "a017" || agents[fp(ben)] != "a002" {
		t.Errorf("agents %v", agents)
	}
	if agents, err := BindRoles(keys, nil); err != nil || len(agents) != 1 || agents[fp(ana)] != "a017" {
		t.Errorf("without a roles file: %v, %v", agents, err)
	}
	for name, tc := range map[string]struct{ content, want string }{
		"not a fingerprint": {"ana: agent:a1\n", `roles:1: "ana" is not a key fingerprint`},
		"no such role":      {fp(sup) + ": admin\n", `roles:1: role "admin": want supervisor or agent:ID`},
		"empty agent":       {fp(sup) + ": 'agent:'\n", "roles:1: agent= needs the agent's id"},
		"a list":            {"- " + fp(sup) + "\n", "roles:1: want lines of"},
		"twice":             {fp(sup) + ": supervisor\n" + fp(sup) + ": agent:a1\n", "is listed twice"},
	} {
		_, err := LoadRoles(writeFile(t, "roles", tc.content, 0o644))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
	// A fingerprint that is not authorized is a typo, not a no-op: the key
	// meant would otherwise see the whole floor.
	stranger := newSigner(t)
	if _, err := BindRoles(keys, map[string]string{fp(stranger): "a1"}); err == nil || !strings.Contains(err.Error(), "is not among the authorized keys") {
		t.Errorf("an unknown fingerprint: %v", err)
	}
	if _, err := BindRoles(keys, map[string]string{fp(ana): ""}); err == nil || !strings.Contains(err.Error(), "agent=a017 option and the roles file (supervisor) disagree") {
		t.Errorf("a contradiction: %v", err)
	}
}

// viewerDashboard is a dashboard that shows who it was made for.
func viewerDashboard(r *lipgloss.Renderer, v Viewer) (tea.Model, func()) { return viewerModel{v}, nil }

type viewerModel struct{ v Viewer }

func (m viewerModel) Init() tea.Cmd { return nil }
func (m viewerModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.String() == "q" {
		return m, tea.Quit
	}
	return m, nil
}
func (m viewerModel) View() string { return fmt.Sprintf("agent=%q user=%s", m.v.Agent, m.v.User) }

// A key bound to an agent opens that agent's session: the dashboard and
// status are told whose it is. A supervisor's key is told no agent. A key
// bound to an agent the floor does not know is refused with its reason,
// and the refusal logged with the key's fingerprint.
func TestAgentSessions(t *testing.T) {
	ana, ghost := newSigner(t), newSigner(t)
	checked := make(chan string, 4)
	ts := startServer(t, func(c *Config) {
		c.AuthorizedKeys = append(c.AuthorizedKeys, ana.PublicKey(), ghost.PublicKey())
		c.Agents = map[string]string{Fingerprint(ana.PublicKey()): "a017", Fingerprint(ghost.PublicKey()): "a999"}
		c.CheckAgent = func(_ context.Context, agent string) error {
			checked <- agent
			if agent != "a017" {
				return errors.New("your key belongs to agent \"a999\", and this floor has no such agent")
			}
			return nil
		}
		c.Dashboard = viewerDashboard
		c.Status = func(w io.Writer, req StatusRequest) error {
			_, err := fmt.Fprintf(w, "status agent=%q json=%v\n", req.Agent, req.JSON)
			return err
		}
	})
	as := func(s gossh.Signer) *gossh.Client {
		c, err := dial(ts.addr, nil, gossh.PublicKeys(s))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	status := func(c *gossh.Client, cmd string) (string, error) {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		var out, errOut bytes.Buffer
		sess.Stdout, sess.Stderr = &out, &errOut
		err = sess.Run(cmd)
		return out.String() + errOut.String(), err
	}

	if out, err := status(as(ana), "status --json"); err != nil || out != "status agent=\"a017\" json=true\n" {
		t.Errorf("ana's status: %q, %v", out, err)
	}
	if out, err := status(ts.client(t), "status"); err != nil || out != "status agent=\"\" json=false\n" {
		t.Errorf("the supervisor's status: %q, %v", out, err)
	}
	tm := openTerminal(t, as(ana), 80, 24, "")
	tm.waitFor(`agent="a017" user=supervisor`, 5*time.Second)
	tm.stdin.Write([]byte("q"))
	tm.exit(5 * time.Second)
	sup := openTerminal(t, ts.client(t), 80, 24, "")
	sup.waitFor(`agent="" user=supervisor`, 5*time.Second)
	sup.stdin.Write([]byte("q"))
	sup.exit(5 * time.Second)

	out, err := status(as(ghost), "status")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(out, "floorwatch: your key belongs to agent \"a999\", and this floor has no such agent") {
		t.Errorf("a key bound to an unknown agent: %q, %v", out, err)
	}
	tm = openTerminal(t, as(ghost), 80, 24, "")
	if code := tm.exit(5 * time.Second); code != 1 || !strings.Contains(tm.out.String(), "no such agent") {
		t.Errorf("its dashboard: exit %d, %q", code, tm.out.String())
	}
	log := ts.log.String()
	if !strings.Contains(log, "session refused") || !strings.Contains(log, Fingerprint(ghost.PublicKey())) || !strings.Contains(log, "agent=a999") {
		t.Errorf("the refusal is not logged with the key:\n%s", log)
	}
	if len(checked) == 0 {
		t.Error("agents were never checked")
	}
	waitSessions(t, ts.Server, 0)
}
