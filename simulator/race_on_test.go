//go:build race

package simulator

// raceDetector: the test binary runs under -race, ten times slower.
const raceDetector = true
