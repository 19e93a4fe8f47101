package sshserve

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/floorwatch/floorwatch/safetext"
)

// AuthorizedKey is one key of the authorized-keys file.
type AuthorizedKey struct {
	Key gossh.PublicKey
	// Agent is the agent the key belongs to (its agent=ID option): such a
	// key sees only that agent's own card. "" is a supervisor's key.
	Agent string
	// Comment is the text after the key (cleaned), usually whose it is:
	// a drill names who acted by it.
	Comment string
}

// LoadAuthorizedKeys reads an OpenSSH authorized_keys file. Blank lines and
// comments are skipped; anything else must be exactly one public key. A line
// that is not is an error naming the file and line, so a typo is found at
// start rather than by a supervisor who cannot get in. The one option
// accepted is agent=ID, which binds the key to an agent; others such as
// from="..." or command="..." are refused because floorwatch would not
// enforce them, and a restriction that silently does nothing is worse than
// none. A file with no key at all is an error too: it would admit no one.
func LoadAuthorizedKeys(path string) ([]AuthorizedKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	var keys []AuthorizedKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not a public key (%v): %q", path, n, err, clip(line))
		}
		agent, err := agentOption(options)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		keys = append(keys, AuthorizedKey{Key: key, Agent: agent, Comment: safetext.Clean(comment)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("authorized keys %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no keys: nobody could log in", path)
	}
	return keys, nil
}

// agentOption reads a key's options: at most one agent=ID (quoted or not),
// and nothing else.
func agentOption(options []string) (string, error) {
	var agent string
	var others []string
	for _, o := range options {
		name, value, _ := strings.Cut(o, "=")
		if !strings.EqualFold(name, "agent") {
			others = append(others, o)
			continue
		}
		if agent != "" {
			return "", fmt.Errorf("two agent= options: a key belongs to one agent")
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		id, err := agentID(value)
		if err != nil {
			return "", err
		}
		agent = id
	}
	if len(others) > 0 {
		return "", fmt.Errorf("key options (%s) are not supported: floorwatch would not enforce them (agent=ID is the one it takes)", strings.Join(others, ","))
	}
	return agent, nil
}

// agentID checks an agent id as a key's role names it: the fold keeps ids
// cleaned, so one that cleaning would change could never match an agent.
func agentID(id string) (string, error) {
	switch {
	case id == "":
		return "", fmt.Errorf("agent= needs the agent's id, as the feed names them (agent=a017)")
	case !safetext.Is(id):
		return "", fmt.Errorf("agent id %q has control characters, which no agent id of a feed keeps", id)
	}
	return id, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// LoadHostKey reads the server's private host key from path, creating an
// Ed25519 key there (mode 0600) when the file does not exist, so the server
// keeps one identity across restarts and clients' known_hosts stay valid.
// It returns the key's PEM (for wish) and its signer. A key file that others
// may read is refused: anyone who copies it can impersonate the server.
func LoadHostKey(path string) (pemBytes []byte, signer gossh.Signer, created bool, err error) {
	pemBytes, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		pemBytes, err = createHostKey(path)
		created = true
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("host key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, false, fmt.Errorf("host key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, nil, false, fmt.Errorf("host key %s has mode %#o: others may read it; run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	signer, err = gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, nil, false, fmt.Errorf("host key %s: %w", path, err)
	}
	return pemBytes, signer, created, nil
}

func createHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "floorwatch host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	// O_EXCL: two servers started at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	return data, f.Close()
}

// Fingerprint is the SHA256 fingerprint OpenSSH prints for a key.
func Fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }
