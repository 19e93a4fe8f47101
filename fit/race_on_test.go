//go:build race

package fit

// raceDetector: the test binary runs under -race, ten times slower.
const raceDetector = true
