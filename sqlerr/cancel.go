package sqlerr

import (
	"context"
	"errors"
)

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Canceled is the error a query returns when its context is canceled.
// cause is context.Cause of that context: an *Error given as the cause
// (a statement timeout, a server shutdown) is returned as it is; a bare
// deadline is a statement timeout, anything else a user's cancel.
func Canceled(cause error) *Error {
	var e *Error
	if errors.As(cause, &e) {
		return e
	}
	if errors.Is(cause, context.DeadlineExceeded) {
		return &Error{Code: QueryCanceled, Message: "canceling statement due to statement timeout", Err: cause}
	}
	return &Error{Code: QueryCanceled, Message: "canceling statement due to user request", Err: cause}
}

// Causes of cancellation front ends give to context.WithCancelCause and
// context.WithTimeoutCause, so the error a canceled query returns says why.
var (
	// CancelRequested is a client's CancelRequest.
	CancelRequested = &Error{Code: QueryCanceled, Message: "canceling statement due to user request"}
	// StatementTimeout is statement_timeout running out.
	StatementTimeout = &Error{Code: QueryCanceled, Message: "canceling statement due to statement timeout"}
	// Shutdown is the server stopping.
	Shutdown = &Error{Code: AdminShutdown, Message: "terminating connection due to administrator command"}
)

// FromContext classifies err, returned by work done under ctx: once ctx
// is done, an error that stems from the cancellation (a context error,
// wrapped or not, or an internal error raised while unwinding) becomes
// the cancellation's own error (57014, or the cause's code), never XX000.
// Other errors, and every error while ctx is live, are returned as they are.
func FromContext(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	switch Code(err) {
	case QueryCanceled, InternalError:
		return Canceled(context.Cause(ctx))
	}
	if isCanceled(err) {
		return Canceled(context.Cause(ctx))
	}
	return err
}
