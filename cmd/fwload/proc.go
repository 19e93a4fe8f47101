package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/floorwatch/floorwatch/internal/bigfloor"
)

// setupLimit bounds everything but the measurement itself: building,
// starting, opening the sessions, stopping.
const setupLimit = 3 * time.Minute

// binary is the floorwatch binary to run: bin, or one built into dir.
func binary(ctx context.Context, bin, dir string, log io.Writer) (string, error) {
	if bin != "" {
		return bin, nil
	}
	out := filepath.Join(dir, "floorwatch")
	fmt.Fprintln(log, "fwload: building ./cmd/floorwatch")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "github.com/floorwatch/floorwatch/cmd/floorwatch")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/floorwatch (run fwload from the repository, or give --bin): %w", err)
	}
	return out, nil
}

// proc is a floorwatch process this tool started.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs bin with args and waits for a line of its standard output
// matching re, whose first group it returns (the address it listens on).
// The process is killed when ctx ends.
func start(ctx context.Context, bin string, args []string, re *regexp.Regexp, logPath string) (*proc, string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	// Both outputs, as one: a command may say where it listens on either.
	stdout, pw, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		stdout.Close()
		return nil, "", err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		stdout.Close()
		logf.Close()
		close(p.done)
	}()
	select {
	case addr := <-found:
		return p, addr, nil
	case <-p.done:
		return nil, "", fmt.Errorf("%s %s exited before it listened; see %s", filepath.Base(bin), args[0], logPath)
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, "", fmt.Errorf("%s %s did not say where it listens within 30 s; see %s", filepath.Base(bin), args[0], logPath)
	}
}

// stop asks the process to end, then kills it.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// procUsage is what the process has used so far: CPU time (user and system)
// and resident memory, read from /proc.
type procUsage struct {
	cpu time.Duration
	rss int64 // bytes
}

func (p *proc) usage() (procUsage, error) {
	pid := p.cmd.Process.Pid
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procUsage{}, err
	}
	// The fields after the command's name, which is in parentheses.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 22 {
		return procUsage{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	rssPages, _ := strconv.ParseInt(f[21], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return procUsage{
		cpu: time.Duration(utime+stime) * time.Second / ticks,
		rss: rssPages * int64(os.Getpagesize()),
	}, nil
}

// selfCPU is this process's CPU time (the clients').
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var simListening = regexp.MustCompile(`serving (ws://\S+)`)

// bench is what every measurement stands on: a scratch directory, the
// floorwatch binary, and the floor served in real time on loopback for up
// to maxConns readers. close stops the sim and removes the directory.
type bench struct {
	dir, bin, url string
	sim           *proc
}

func openBench(ctx context.Context, bin string, maxConns int, log io.Writer) (*bench, error) {
	dir, err := os.MkdirTemp("", "fwload")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir}
	if b.bin, err = binary(ctx, bin, dir, log); err == nil {
		b.sim, b.url, err = startSim(ctx, b.bin, dir, maxConns)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return b, nil
}

func (b *bench) close() {
	b.sim.stop()
	os.RemoveAll(b.dir)
}

// startSim writes the floor and serves it in real time on loopback.
func startSim(ctx context.Context, bin, dir string, maxConns int) (*proc, string, error) {
	scenario := filepath.Join(dir, "floor.yaml")
	if err := os.WriteFile(scenario, []byte(bigfloor.Scenario), 0o600); err != nil {
		return nil, "", err
	}
	n := strconv.Itoa(maxConns + 16)
	return start(ctx, bin, []string{"sim", "--scenario", scenario, "--listen", "127.0.0.1:0", "--speed", "1",
		"--max-conns", n, "--max-conns-per-addr", n}, simListening, filepath.Join(dir, "sim.log"))
}

// machineBusy is the CPU time all the machine's cores have spent busy
// (everything but idle and I/O wait), from /proc/stat: with the server's
// and this tool's own, it says how much of the machine other work took.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / 100
}
