package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"net"
	"sync"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/natsfeed"
	"github.com/floorwatch/floorwatch/simulator"
)

// simFeed is a scenario served as a live feed on the loopback interface,
// so that what `demo` and `serve --scenario` show comes the same way a real
// feed's figures do: through a feed server and a feed client.
type simFeed struct {
	sim   *simulator.Sim
	sc    *simulator.Scenario // what sim plays
	srv   *feed.Server
	nats  *natsfeed.Publisher // serve --scenario --nats: the drill also goes to NATS
	ln    net.Listener
	name  string
	speed float64
}

// startSimFeed loads a bundled scenario or file and starts listening; the
// simulation starts with run. The feed is named label and the scenario. A
// drill opens with drill.started and takes commands through act; its feed
// takes none (4403): whoever acts does it through this process, which
// knows who they are.
func startSimFeed(label, scenario string, speed float64, drill bool) (*simFeed, error) {
	if speed <= 0 || math.IsNaN(speed) || math.IsInf(speed, 0) {
		return nil, usageError("--speed %v: want a positive factor such as 30", speed)
	}
	// An unknown scenario is a failure to load it, exit 1, as in sim.
	sc, err := simulator.Load(scenario)
	if err != nil {
		return nil, fmt.Errorf("--scenario: %w", err)
	}
	sim := simulator.New(sc, simulator.Options{Drill: drill})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := newSimServer(sim, feed.ServerOptions{Feed: label + " " + sc.Name})
	return &simFeed{sim: sim, sc: sc, srv: srv, ln: ln, name: sc.Name, speed: speed}, nil
}

// newSimServer is the feed server for a simulation, with opt's name and
// bounds: its hello and heartbeats carry the simulated clock, and it keeps
// a base fold so that ?since=0 starts from a true snapshot however long the
// run.
func newSimServer(sim *simulator.Sim, opt feed.ServerOptions) *feed.Server {
	opt.Now, opt.Tracker, opt.Base = sim.Clock, floor.New(floor.Options{}), floor.New(floor.Options{})
	return feed.NewServer(opt)
}

// act is how by acts in the drill: for a dashboard's Options.Act.
func (s *simFeed) act(by string) func(frame []byte) error {
	return func(frame []byte) error { return drillCommand(s.sim, s.srv, frame, by) }
}

// drillCommand hands a drill.command frame to sim as by's. The drill
// answers it with a drill.action among the run's events; once the run is
// over it refuses it, and that refusal is published on srv (which takes
// it only until the feed has ended) and returned.
func drillCommand(sim *simulator.Sim, srv *feed.Server, frame []byte, by string) error {
	// A frame that is not a command is refused on the feed, with why.
	c, _ := simulator.ParseCommand(frame)
	c.By = by
	ev := sim.Submit(c)
	if ev == nil {
		return nil
	}
	srv.Publish(ev)
	return errors.New(ev.Drill.Result)
}

// url is where a feed client reaches the simulation.
func (s *simFeed) url() string { return "ws://" + s.ln.Addr().String() + "/" }

// run serves the feed and plays the scenario until ctx is done. When the
// scenario ends the feed stays up for late clients, each of which gets the
// whole run and then the close that says it has ended.
func (s *simFeed) run(ctx context.Context, logger *log.Logger) {
	logger.Printf("scenario %s at %gx on %s", s.name, s.speed, s.ln.Addr())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.srv.Serve(ctx, s.ln, "", ""); err != nil {
			logger.Printf("simulated feed server: %v", err)
		}
	}()
	err := simulator.Run(ctx, s.sim, s.speed, func(batch []*feed.Event) {
		s.srv.Publish(batch...)
		if s.nats != nil {
			s.nats.Publish(batch...)
		}
	})
	switch {
	case err == nil:
		// The run is over: clients get everything, then the close that says
		// so (1000), and show the day's final figures as final.
		s.srv.End()
		logger.Printf("scenario %s played to its end", s.name)
	case !errors.Is(err, context.Canceled):
		logger.Printf("simulator: %v", err)
	}
	wg.Wait()
}
