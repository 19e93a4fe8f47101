// Package bigfloor is the floor the speed and load measurements share
// (issue 16): 1,000 agents on one queue, 11,400 calls an hour for 24 h,
// exponential handling of 300 s, no wrap-up, patience 180 s, seed 3. In
// real time that is about 3 calls a second, so the floor changes several
// times a second; at full speed a day is 1.7M events.
package bigfloor

// Scenario is the floor as a scenario file.
const Scenario = `name: big-floor
seed: 3
start: 2026-11-23T00:00:00Z
duration: 24h
queues:
  - {queue: q, name: Q, sl_threshold_s: 20, sl_target: 0.8, calls_per_hour: 11400,
     aht_s: 300, handle: exponential, wrap_s: 0, patience_s: 180}
agents:
  - {count: 1000, queues: [q]}
`
