package thingspace

// MaxMessageLength lets the external tests place text around the limit to which ThingSpace's
// codes and messages are cut.
const MaxMessageLength = maxMessageLength

// ScryptRuns lets the external tests check that no scrypt derivation is repeated.
func ScryptRuns() int64 { return scryptRuns.Load() }
