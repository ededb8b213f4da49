// Package campaign owns the rules of a ThingSpace FOTA campaign's schedule: which phase a campaign
// is in at a given time, which schedule changes ThingSpace allows in that phase, how a schedule
// compares with what ThingSpace holds, and the payload that carries it there. It is pure: no
// Kubernetes client, no HTTP, no clock of its own (every time-dependent rule takes "now"), so the
// admission webhook and the controller apply exactly the same rules.
package campaign
