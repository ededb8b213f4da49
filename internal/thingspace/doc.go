// Package thingspace owns everything the operator says to Verizon ThingSpace: the HTTP client for
// the FOTA v2 campaign endpoints, the credentials read from a Secret, the cache of the access and
// session tokens minted from them and the memory of the credentials ThingSpace rejected (with the
// fingerprints that carry it across restarts), the per-account outbound rate limit, the typed
// errors the controller maps to condition reasons, and the client's Prometheus metrics.
//
// No token, password or client secret ever leaves this package in an error, a log line or a
// metric label.
package thingspace
