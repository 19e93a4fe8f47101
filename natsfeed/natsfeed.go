// Package natsfeed carries floorwatch feeds over NATS JetStream, for floors
// that outgrow one machine: several sites, many viewers, no single box whose
// loss darkens the floor. A Publisher puts one site's events, unchanged, on
// the subject floorwatch.SITE.events of a file-backed stream; a Client folds
// one or several sites from it, keeping its place by stream sequence, and
// feeds the same live.Hub and reports the same feed.ConnStatus as a
// websocket feed.Client, so the views cannot tell them apart.
package natsfeed

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

const (
	// StreamName is the JetStream stream every site publishes to.
	StreamName = "FLOORWATCH"
	// streamSubjects are the subjects it holds: one per site.
	streamSubjects = "floorwatch.*.events"
	// reconnectWait is the pause between two attempts to reach a server
	// that went away; nats.go adds jitter.
	reconnectWait = time.Second
)

// Subject is where a site's events go.
func Subject(site string) string { return "floorwatch." + site + ".events" }

// siteName is what a site may be called: one subject token, and a prefix
// ("paris/") no id would confuse.
var siteName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CheckSite says what is wrong with a site name, nil when nothing is.
func CheckSite(site string) error {
	if !siteName.MatchString(site) {
		return fmt.Errorf("site %q: want 1 to 64 letters, digits, - or _ (it names a NATS subject and prefixes ids)", site)
	}
	return nil
}

// IsURL reports whether a feed URL is for NATS (nats:// or tls://) rather
// than a websocket.
func IsURL(raw string) bool {
	return strings.HasPrefix(raw, "nats://") || strings.HasPrefix(raw, "tls://")
}

// ParseURL splits a subscription URL, nats://HOST:PORT/SITE[,SITE…] (tls://
// for TLS), into the server to dial and the sites to fold. Credentials do
// not belong in a URL, which any user can read in ps: they come from a
// credentials file.
func ParseURL(raw string) (server string, sites []string, err error) {
	server, path, err := splitURL(raw)
	if err != nil {
		return "", nil, err
	}
	if path == "" {
		return "", nil, fmt.Errorf("feed URL %q: name the sites after the server, e.g. %s/paris,lisbon", raw, server)
	}
	seen := map[string]bool{}
	for _, s := range strings.Split(path, ",") {
		if err := CheckSite(s); err != nil {
			return "", nil, fmt.Errorf("feed URL %q: %w", raw, err)
		}
		if seen[s] {
			return "", nil, fmt.Errorf("feed URL %q: site %s named twice", raw, s)
		}
		seen[s] = true
		sites = append(sites, s)
	}
	return server, sites, nil
}

// ServerURL checks a publisher's --nats URL: a server and nothing else.
func ServerURL(raw string) (string, error) {
	server, path, err := splitURL(raw)
	if err == nil && path != "" {
		err = fmt.Errorf("--nats %q: give the server only; the site goes in --site", raw)
	}
	return server, err
}

func splitURL(raw string) (server, path string, err error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("NATS URL %q: %v", raw, err)
	case u.Scheme != "nats" && u.Scheme != "tls":
		return "", "", fmt.Errorf("NATS URL %q: want nats:// or tls://", raw)
	case u.Host == "":
		return "", "", fmt.Errorf("NATS URL %q: no host", raw)
	case u.User != nil:
		return "", "", fmt.Errorf("NATS URL %s: no credentials in the URL, where ps shows them: use --nats-creds FILE or NATS_CREDS", u.Redacted())
	case u.RawQuery != "":
		return "", "", fmt.Errorf("NATS URL %q: unexpected query", raw)
	}
	return u.Scheme + "://" + u.Host, strings.Trim(u.Path, "/"), nil
}

// Auth is how a connection proves who it is and whom it trusts.
type Auth struct {
	// Creds is a NATS credentials file (a user JWT and its nkey seed).
	Creds string
	// TLSConfig, when set, is used for tls:// (nil: the system's roots).
	TLSConfig *tls.Config
}

// connect dials server with auth, retrying for ever: a floor outlives any
// one outage. Publishes fail at once while the connection is down (no
// reconnect buffer), so a Publisher always knows what reached the stream.
func connect(server, name string, auth Auth, extra ...nats.Option) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(reconnectWait),
		nats.ReconnectBufSize(-1)}
	if auth.Creds != "" {
		opts = append(opts, nats.UserCredentials(auth.Creds))
	}
	if auth.TLSConfig != nil && strings.HasPrefix(server, "tls://") {
		opts = append(opts, nats.Secure(auth.TLSConfig))
	}
	return nats.Connect(server, append(opts, extra...)...)
}

// NewStreamID is a feed stream id for a publisher that has no feed server
// to take one from: new at every start, as the protocol's hello says.
func NewStreamID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
