// Package exitcode carries the exit code a kubectl fota command chose to the plugin's main, which
// is the only place that exits: a command returns an *Error instead of calling os.Exit, so that
// tests run commands in-process.
package exitcode

import (
	"errors"
	"fmt"
)

// Codes of the plugin, as design §15 names them for check.
const (
	// Refused: a check found something the API server or the webhook would refuse.
	Refused = 1
	// Usage: a usage error or a file that cannot be read.
	Usage = 2
)

// Error ends a command with Code. Err, when set, is printed to the error stream first; a nil Err
// ends it silently (the command has already said why).
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// UsageError ends a command with Usage, printing err.
func UsageError(err error) error {
	return &Error{Code: Usage, Err: err}
}

// Of is the exit code of a command's error: 0 for nil, the Code of an *Error, Refused otherwise
// (kubectl exits 1 on an error).
func Of(err error) int {
	if err == nil {
		return 0
	}
	var exitErr *Error
	if errors.As(err, &exitErr) {
		return exitErr.Code
	}
	return Refused
}
