//go:build !race

package live

// raceEnabled: timings under the race detector mean nothing.
const raceEnabled = false
