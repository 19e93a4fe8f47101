package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/floorwatch/floorwatch/feed"
)

// feedServerFlags are the flags of every command that serves a feed (sim,
// bridge): where it listens, who may connect, and how many at once.
type feedServerFlags struct {
	listen          string
	token           string
	tlsCert, tlsKey string
	name            string
	allowOrigins    []string
	maxConns        int
	maxConnsPerAddr int
}

// register adds the flags to fs; listenUsage and nameUsage say what
// --listen and --name mean for this command.
func (f *feedServerFlags) register(fs *flag.FlagSet, listenUsage, nameUsage string) {
	fs.StringVar(&f.listen, "listen", "", listenUsage)
	fs.StringVar(&f.token, "token", os.Getenv("FLOORWATCH_TOKEN"), "with --listen: require bearer `TOKEN` (default $FLOORWATCH_TOKEN)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "with --listen: serve wss:// with this certificate `FILE`")
	fs.StringVar(&f.tlsKey, "tls-key", "", "with --listen: the certificate's key `FILE`")
	fs.StringVar(&f.name, "name", "", nameUsage)
	fs.Func("allow-origin", "with --listen: let web pages from `ORIGIN` (https://host[:port], as browsers send it) open the feed; "+
		"repeat or separate with commas. Any other Origin gets 403; clients that send none, like floorwatch's own, need nothing",
		f.addOrigins)
	fs.IntVar(&f.maxConns, "max-conns", feed.DefaultMaxConns, "with --listen: at most `N` feed connections at once")
	fs.IntVar(&f.maxConnsPerAddr, "max-conns-per-addr", feed.DefaultMaxConnsPerAddr, "with --listen: at most `N` feed connections at once from one IP address")
}

func (f *feedServerFlags) addOrigins(v string) error {
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" {
			return fmt.Errorf("%q: want scheme://host[:port] as a browser sends it, e.g. https://wall.example.com", o)
		}
		f.allowOrigins = append(f.allowOrigins, o)
	}
	return nil
}

// options are the feed server's options the flags decide; the feed is
// named defaultName unless --name says otherwise. The caller adds the
// Tracker, Base and clock.
func (f *feedServerFlags) options(defaultName string) feed.ServerOptions {
	name := f.name
	if name == "" {
		name = defaultName
	}
	return feed.ServerOptions{Feed: name, Token: f.token, AllowOrigins: f.allowOrigins,
		MaxConns: f.maxConns, MaxConnsPerAddr: f.maxConnsPerAddr}
}

// serve listens on --listen and serves srv there, over TLS with a
// certificate, until ctx ends. It returns the URL clients reach the feed
// at, and where Serve's result arrives.
func (f *feedServerFlags) serve(ctx context.Context, srv *feed.Server) (feedURL string, served <-chan error, err error) {
	switch {
	case (f.tlsCert == "") != (f.tlsKey == ""):
		return "", nil, usageError("give both --tls-cert and --tls-key, or neither")
	case f.maxConns < 1 || f.maxConnsPerAddr < 1:
		return "", nil, usageError("--max-conns and --max-conns-per-addr must be at least 1")
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return "", nil, err
	}
	scheme := "ws"
	if f.tlsCert != "" {
		scheme = "wss"
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, f.tlsCert, f.tlsKey) }()
	return scheme + "://" + ln.Addr().String(), done, nil
}
