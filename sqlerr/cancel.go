package sqlerr

import (
	"context"
	"errors"
)

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Canceled is the error a query returns when its context is canceled.
func Canceled(cause error) *Error {
	if errors.Is(cause, context.DeadlineExceeded) {
		return &Error{Code: QueryCanceled, Message: "canceling statement due to statement timeout", Err: cause}
	}
	return &Error{Code: QueryCanceled, Message: "canceling statement due to user request", Err: cause}
}
