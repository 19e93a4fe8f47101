// Package natstest runs a NATS server with JetStream inside a test: on the
// loopback interface, at a port of its own, storing in the test's
// temporary directory, so that `go test` needs nothing installed.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an in-process nats-server that a test can stop and start
// again on the same port and store, as an operator restarts one.
type Server struct {
	t    testing.TB
	dir  string
	port int
	srv  *server.Server
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir(), port: -1}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// URL is where clients reach the server.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

// Stop shuts the server down; its store stays.
func (s *Server) Stop() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
		s.srv = nil
	}
}

// Restart starts the server (again) on its port and store.
func (s *Server) Restart() {
	s.t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: s.port, JetStream: true, StoreDir: s.dir,
		NoLog: true, NoSigs: true})
	if err != nil {
		s.t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		s.t.Fatal("nats-server did not start within 10 s")
	}
	s.srv = srv
	s.port = srv.Addr().(*net.TCPAddr).Port
}
