package thingspace

// MaxMessageLength lets the external tests place text around the limit to which ThingSpace's
// codes and messages are cut.
const MaxMessageLength = maxMessageLength
