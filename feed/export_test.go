package feed

// RefEncode is the reflective encoder Encoder replaced, for the tests of
// package feed_test that compare the two on whole simulated days.
var RefEncode = refEncode
