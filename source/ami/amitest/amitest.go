// Package amitest is a fake Asterisk manager on 127.0.0.1 for tests of
// the ami source and of `floorwatch bridge ami://…`: it speaks the wire
// format as manager.c writes it (the greeting line, Challenge and Login
// with ActionID, CRLF packets, Response: Success or Error with Message,
// the QueueStatus list ending in QueueStatusComplete) and plays a script.
//
// A script is packets as a manager sends them, one "Key: Value" a line and
// a blank line after each, with "#" lines for comments and these
// directives:
//
//	!at UNIX     the PBX's clock from here: the Timestamp of Ping responses
//	!drop        the connection drops here; the next one plays on after it
//	!uptime N    after the next login, FullyBooted with Uptime N
//
// Each connection plays one segment (up to a !drop): its QueueParams,
// QueueMember, QueueEntry and QueueStatusComplete packets are the answer
// to QueueStatus (given its ActionID); the packets after them follow as
// events.
package amitest

import (
	"bufio"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// Challenge is the nonce the fake gives for an MD5 login.
const Challenge = "840415273"

// Manager is a fake manager serving a script.
type Manager struct {
	Addr   string
	User   string
	Secret string
	// Version is the greeting's AMI version: "1.3" is Asterisk 11, whose
	// QueueStatus answer has no EventList header; 12 and later add it.
	Version string

	ln       net.Listener
	segments []segment
	mu       sync.Mutex
	next     int // the segment the next connection plays
	sent     int // packets written, responses included
	conns    map[net.Conn]bool
	played   chan struct{}
	wg       sync.WaitGroup
}

type segment struct {
	at       string // the Ping Timestamp
	uptime   string // FullyBooted's Uptime, "" for none
	list     []string
	events   []string
	dropHere bool
}

// Start serves script on 127.0.0.1 until the test ends; tlsConf, when
// given, makes it a TLS listener (amis://).
func Start(t testing.TB, script, user, secret, version string, tlsConf *tls.Config) *Manager {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	m := &Manager{Addr: ln.Addr().String(), User: user, Secret: secret, Version: version, ln: ln,
		played: make(chan struct{}), conns: map[net.Conn]bool{}}
	if strings.TrimSpace(script) != "" {
		m.segments = parse(script)
	}
	m.wg.Add(1)
	go m.serve()
	t.Cleanup(m.Stop)
	return m
}

// Stop takes the manager away, as a PBX that goes down: its listener and
// every connection close, and nothing answers at its address again.
func (m *Manager) Stop() {
	m.ln.Close()
	m.mu.Lock()
	for c := range m.conns {
		c.Close()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// Played is closed once the last segment has been written whole.
func (m *Manager) Played() <-chan struct{} { return m.played }

// Sent is how many packets the fake has written.
func (m *Manager) Sent() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent
}

func parse(script string) []segment {
	segs := []segment{{}}
	cur := &segs[0]
	var pkt strings.Builder
	flush := func() {
		if pkt.Len() == 0 {
			return
		}
		p := pkt.String() + "\r\n"
		pkt.Reset()
		switch ev := header(p, "Event"); {
		case len(cur.events) == 0 && (ev == "QueueParams" || ev == "QueueMember" || ev == "QueueEntry" || ev == "QueueStatusComplete"):
			cur.list = append(cur.list, p)
		default:
			cur.events = append(cur.events, p)
		}
	}
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "#"):
		case l == "":
			flush()
		case strings.HasPrefix(l, "!at "):
			flush()
			cur.at = strings.TrimPrefix(l, "!at ")
		case strings.HasPrefix(l, "!uptime "):
			flush()
			cur.uptime = strings.TrimPrefix(l, "!uptime ")
		case l == "!drop":
			flush()
			cur.dropHere = true
			at := cur.at
			segs = append(segs, segment{at: at})
			cur = &segs[len(segs)-1]
		default:
			pkt.WriteString(l + "\r\n")
		}
	}
	flush()
	return segs
}

func header(p, key string) string {
	for _, l := range strings.Split(p, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (m *Manager) serve() {
	defer m.wg.Done()
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.mu.Lock()
		m.conns[conn] = true
		m.mu.Unlock()
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer func() {
				m.mu.Lock()
				delete(m.conns, conn)
				m.mu.Unlock()
				conn.Close()
			}()
			m.session(conn)
		}()
	}
}

func (m *Manager) write(w *bufio.Writer, p string) error {
	m.mu.Lock()
	m.sent++
	m.mu.Unlock()
	if _, err := w.WriteString(p); err != nil {
		return err
	}
	return w.Flush()
}

// session plays one connection as manager.c does.
func (m *Manager) session(conn net.Conn) {
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "Asterisk Call Manager/%s\r\n", m.Version)
	w.Flush()
	var seg *segment
	authed := false
	for {
		action, err := readAction(r)
		if err != nil {
			return
		}
		id := action["actionid"]
		idLine := ""
		if id != "" {
			idLine = "ActionID: " + id + "\r\n"
		}
		switch strings.ToLower(action["action"]) {
		case "challenge":
			m.write(w, "Response: Success\r\n"+idLine+"Challenge: "+Challenge+"\r\n\r\n")
		case "login":
			sum := md5.Sum([]byte(Challenge + m.Secret))
			ok := action["username"] == m.User &&
				(action["secret"] == m.Secret && action["secret"] != "" || action["key"] == hex.EncodeToString(sum[:]))
			if !ok {
				m.write(w, "Response: Error\r\n"+idLine+"Message: Authentication failed\r\n\r\n")
				return
			}
			authed = true
			m.mu.Lock()
			if m.next < len(m.segments) {
				seg = &m.segments[m.next]
				m.next++
			}
			m.mu.Unlock()
			m.write(w, "Response: Success\r\n"+idLine+"Message: Authentication accepted\r\n\r\n")
			if seg != nil && seg.uptime != "" {
				m.write(w, "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: "+seg.uptime+"\r\nLastReload: "+seg.uptime+"\r\nStatus: Fully Booted\r\n\r\n")
			}
		case "ping":
			at := "0"
			if seg != nil && seg.at != "" {
				at = seg.at
			}
			m.write(w, "Response: Success\r\n"+idLine+"Ping: Pong\r\nTimestamp: "+at+".000000\r\n\r\n")
		case "queuestatus":
			if !authed || seg == nil {
				m.write(w, "Response: Error\r\n"+idLine+"Message: Permission denied\r\n\r\n")
				continue
			}
			list := "EventList: start\r\n"
			if m.Version == "1.3" {
				list = ""
			}
			m.write(w, "Response: Success\r\n"+idLine+list+"Message: Queue status will follow\r\n\r\n")
			for _, p := range seg.list {
				m.write(w, strings.TrimSuffix(p, "\r\n")+idLine+"\r\n")
			}
			for _, p := range seg.events {
				if m.write(w, p) != nil {
					return
				}
			}
			if seg.dropHere {
				return
			}
			m.mu.Lock()
			if m.next == len(m.segments) {
				select {
				case <-m.played:
				default:
					close(m.played)
				}
			}
			m.mu.Unlock()
		case "logoff":
			m.write(w, "Response: Goodbye\r\n"+idLine+"Message: Thanks for all the fish.\r\n\r\n")
			return
		default:
			m.write(w, "Response: Error\r\n"+idLine+"Message: Invalid/unknown command\r\n\r\n")
		}
	}
}

// readAction reads one action packet; header names in lower case.
func readAction(r *bufio.Reader) (map[string]string, error) {
	a := map[string]string{}
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			if len(a) == 0 {
				continue
			}
			return a, nil
		}
		k, v, _ := strings.Cut(l, ":")
		a[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
}
