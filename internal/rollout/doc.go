// Package rollout owns the rules of a FotaRollout: reading a fleet's device ids, ordering the
// fleet and cutting it into waves and campaigns, when a release window opens, how a wave's
// campaigns are counted, when a wave has passed its gate or halts the rollout, which phase the
// rollout is in and whether its next wave starts, and which spec changes the admission webhook
// refuses. It is pure: no Kubernetes client,
// no ThingSpace, no clock of its own (every time-dependent rule takes "now"), so the webhook and
// the rollout controller apply exactly the same rules and a test needs nothing but values.
package rollout
