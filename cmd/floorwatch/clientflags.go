package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"github.com/floorwatch/floorwatch/feed"
)

// clientFlags are the flags of every command that reads a feed as a
// client (watch, status --feed, record, serve --feed): who it is and whom
// it trusts.
type clientFlags struct {
	token string
	tlsCA string
}

func (c *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.token, "token", os.Getenv("FLOORWATCH_TOKEN"), "bearer `TOKEN` for the feed (default $FLOORWATCH_TOKEN)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "trust the certificate authority in `FILE` (PEM) for wss://, besides the system's")
}

// options are the client options the flags decide.
func (c *clientFlags) options() (feed.ClientOptions, error) {
	opt := feed.ClientOptions{Token: c.token}
	if c.tlsCA == "" {
		return opt, nil
	}
	cfg, err := trustCA(c.tlsCA)
	opt.TLSConfig = cfg
	return opt, err
}

// trustCA is a TLS configuration that trusts the system's roots and the
// certificate authority in the PEM file path.
func trustCA(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--tls-ca: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--tls-ca %s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: roots}, nil
}

// isTerminal reports whether w is a terminal: progress lines that rewrite
// themselves are for people, not for log files.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
