package thingspace

import (
	"context"
	"fmt"
	"time"
)

// MintPendingError: tokens for the same credential values are being minted by another request;
// nothing was sent.
type MintPendingError struct {
	RetryAfter time.Duration
}

func (e *MintPendingError) Error() string {
	return fmt.Sprintf("tokens for these credentials are being minted by another request; nothing was sent, retry after %s", e.RetryAfter)
}

// RejectionRecordsUser is implemented by clients that honour rejections recorded before this
// process started.
type RejectionRecordsUser interface {
	UseRejectionRecords(records func(ctx context.Context) ([]string, error))
}
