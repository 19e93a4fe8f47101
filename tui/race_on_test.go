//go:build race

package tui

// raceEnabled: timings under the race detector mean nothing.
const raceEnabled = true
