package rollout

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// MaxFleetSize is the largest fleet a rollout accepts.
const MaxFleetSize = 1_000_000

// maxDeviceIDLength is the longest device id, as v1alpha1.DeviceID's schema allows.
const maxDeviceIDLength = 32

// maxShownEntry is how much of a bad entry a message quotes: a whole line of garbage would make
// the condition unreadable.
const maxShownEntry = 64

// BadEntry is the first entry of a device list that is not a device id.
type BadEntry struct {
	// Line is the entry's line, from 1.
	Line int
	// Entry is the entry as written, cut to 64 bytes.
	Entry string
}

// String says where the entry is and why it is refused, e.g.
// `line 3: "99-1" is not a device id (1 to 32 letters and digits)`.
func (b BadEntry) String() string {
	return fmt.Sprintf("line %d: %q is not a device id (1 to 32 letters and digits)", b.Line, b.Entry)
}

// Byte classes of a device list; the classes that end an entry come last.
const (
	classOther     = iota // a byte no device id holds and no separator is
	classID               // a letter or a digit
	classSeparator        // a blank or a comma
	classNewline
)

var byteClass = func() (classes [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		classes[c] = classID
	}
	for c := 'a'; c <= 'z'; c++ {
		classes[c] = classID
		classes[c-'a'+'A'] = classID
	}
	for _, c := range " \t\r\v\f," {
		classes[c] = classSeparator
	}
	classes['\n'] = classNewline
	return classes
}()

// ParseDevices reads a device list as a ConfigMap key holds it: device ids separated by
// whitespace or commas, where a line whose first non-blank character is '#' is a comment. A '#'
// elsewhere is part of an entry, which is then no device id. It returns the ids in the order
// written, duplicates included (Order removes them), or, when an entry is not a device id
// (1 to 32 ASCII letters and digits, the rule of v1alpha1.DeviceID), no ids and that first bad
// entry. The ids share the memory of text.
func ParseDevices(text string) (ids []string, bad *BadEntry) {
	// An IMEI of 15 digits and its separator take 16 bytes.
	ids = make([]string, 0, len(text)/16+1)
	line := 1
	lineStart := true // nothing but blanks since the line began
	for i := 0; i < len(text); {
		switch byteClass[text[i]] {
		case classNewline:
			line++
			lineStart = true
			i++
		case classSeparator:
			if text[i] == ',' {
				lineStart = false
			}
			i++
		default:
			if text[i] == '#' && lineStart {
				end := strings.IndexByte(text[i:], '\n')
				if end < 0 {
					return ids, nil
				}
				i += end
				continue
			}
			lineStart = false
			start, valid := i, true
			for ; i < len(text); i++ {
				class := byteClass[text[i]]
				if class >= classSeparator {
					break
				}
				valid = valid && class == classID
			}
			entry := text[start:i]
			if !valid || len(entry) > maxDeviceIDLength {
				return nil, &BadEntry{Line: line, Entry: shown(entry)}
			}
			ids = append(ids, entry)
		}
	}
	return ids, nil
}

// shown is entry cut for a message, on a whole character.
func shown(entry string) string {
	if len(entry) <= maxShownEntry {
		return entry
	}
	cut := maxShownEntry
	for cut > 0 && !utf8.RuneStart(entry[cut]) {
		cut--
	}
	return entry[:cut] + "..."
}

// FleetProblem is why the fleet cannot be read: the Ready reason (v1alpha1.ReasonDevicesNotFound
// or v1alpha1.ReasonInvalidDevices) and a message that names the source. With a problem no new
// wave starts and the waves that run go on.
type FleetProblem struct {
	// Reason is v1alpha1.ReasonDevicesNotFound or v1alpha1.ReasonInvalidDevices.
	Reason string
	// Message names the source of the problem and what to fix.
	Message string
}

// MissingConfigMap is the problem of spec.devicesFrom[index] naming a ConfigMap that does not
// exist.
func MissingConfigMap(index int, ref v1alpha1.ConfigMapKeyReference) *FleetProblem {
	return &FleetProblem{
		Reason: v1alpha1.ReasonDevicesNotFound,
		Message: fmt.Sprintf("spec.devicesFrom[%d]: ConfigMap %s not found; no new wave starts until it exists",
			index, ref.Name),
	}
}

// MissingKey is the problem of spec.devicesFrom[index] naming a key its ConfigMap lacks.
func MissingKey(index int, ref v1alpha1.ConfigMapKeyReference) *FleetProblem {
	return &FleetProblem{
		Reason: v1alpha1.ReasonDevicesNotFound,
		Message: fmt.Sprintf("spec.devicesFrom[%d]: ConfigMap %s has no key %s; no new wave starts until it does",
			index, ref.Name, ref.Key),
	}
}

// BadDevice is the problem of an entry of spec.devicesFrom[index] that is no device id.
func BadDevice(index int, ref v1alpha1.ConfigMapKeyReference, bad BadEntry) *FleetProblem {
	return &FleetProblem{
		Reason: v1alpha1.ReasonInvalidDevices,
		Message: fmt.Sprintf("spec.devicesFrom[%d]: ConfigMap %s, key %s, %s; no new wave starts until it is fixed",
			index, ref.Name, ref.Key, bad),
	}
}

// CheckFleetSize is the problem of a fleet of size distinct devices that is empty or larger than
// MaxFleetSize; nil for a fleet of 1 to MaxFleetSize devices.
func CheckFleetSize(size int) *FleetProblem {
	switch {
	case size == 0:
		return &FleetProblem{
			Reason:  v1alpha1.ReasonInvalidDevices,
			Message: "the fleet is empty: spec.devices and spec.devicesFrom list no device; no new wave starts until they do",
		}
	case size > MaxFleetSize:
		return &FleetProblem{
			Reason: v1alpha1.ReasonInvalidDevices,
			Message: fmt.Sprintf("the fleet has %d devices, more than %d; no new wave starts until it is split into several rollouts",
				size, MaxFleetSize),
		}
	}
	return nil
}
