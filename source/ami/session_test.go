package ami

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/ami/amitest"
)

// TestLoginRefused: a wrong secret is one clear line, at Open, before
// anything is served.
func TestLoginRefused(t *testing.T) {
	m := amitest.Start(t, "", testUser, testSecret, ami20, nil)
	t.Setenv(SecretEnv, "wrong")
	_, err := source.Open("ami://"+testUser+"@"+m.Addr, source.Options{})
	want := "ami://" + testUser + "@" + m.Addr + ": login refused: Authentication failed"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestSecretAndAddress: the secret comes from --secret-file (its line
// break dropped) or the environment, never the address; a wrong address
// is said plainly.
func TestSecretAndAddress(t *testing.T) {
	m := amitest.Start(t, "!at 1700000000\nEvent: QueueStatusComplete\n", testUser, testSecret, ami20, nil)
	file := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(file, []byte(testSecret+"\n"), 0o600)
	t.Setenv(SecretEnv, "")
	if s, err := source.Open("ami://"+testUser+"@"+m.Addr, source.Options{SecretFile: file}); err != nil {
		t.Errorf("--secret-file: %v", err)
	} else {
		s.(*Source).first.conn.Close()
	}
	for spec, want := range map[string]string{
		"ami://" + testUser + "@" + m.Addr:              "no secret: give the manager user's secret with --secret-file FILE or FLOORWATCH_AMI_SECRET",
		"ami://" + testUser + ":" + testSecret + "@h:1": "a secret in the address shows in ps",
		"ami://127.0.0.1:5038":                          "give the manager user",
		"ami:" + testUser + "@h":                        "want ami://USER@HOST:PORT",
		"ami://" + testUser + "@h:1/x":                  "want ami://USER@HOST:PORT",
	} {
		if _, err := source.Open(spec, source.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
	// Not a manager at all: says so rather than waiting.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			time.Sleep(time.Second)
			c.Close()
		}
	}()
	t.Setenv(SecretEnv, testSecret)
	if _, err := source.Open("ami://"+testUser+"@"+ln.Addr().String(), source.Options{}); err == nil || !strings.Contains(err.Error(), `not an Asterisk manager (it says "SSH-2.0-OpenSSH_9.6")`) {
		t.Errorf("an SSH server: %v", err)
	}
}

// TestTLS: amis:// logs in over TLS with the secret itself, checking the
// manager's certificate.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	m := amitest.Start(t, fixture(t, "asterisk11.ami"), testUser, testSecret, "1.3", &tls.Config{Certificates: []tls.Certificate{cert}})
	r := playOn(t, m, "amis://"+testUser+"@"+m.Addr, source.Options{}, &tls.Config{RootCAs: pool})
	if r.report.Floor.Offered != 2 {
		t.Errorf("offered %d over TLS, want 2", r.report.Floor.Offered)
	}
	// Without the certificate's authority: refused by this side.
	t.Setenv(SecretEnv, testSecret)
	if _, err := source.Open("amis://"+testUser+"@"+m.Addr, source.Options{}); err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("an unknown certificate: %v", err)
	}
}

// TestQueueStatusRefused: a manager without app_queue ends the bridge
// with the reason rather than reconnecting for ever.
func TestQueueStatusRefused(t *testing.T) {
	m := amitest.Start(t, "", testUser, testSecret, ami20, nil)
	t.Setenv(SecretEnv, testSecret)
	s, err := openTest("ami://"+testUser+"@"+m.Addr, source.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The fake has no segment for this connection: it refuses QueueStatus.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Run(ctx, func(*feed.Event) {}); err == nil || !strings.Contains(err.Error(), "QueueStatus refused (is app_queue loaded?): Permission denied") {
		t.Errorf("Run: %v", err)
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pbx"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
