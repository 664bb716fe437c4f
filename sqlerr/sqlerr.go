// Package sqlerr carries SQL errors with their SQLSTATE code through every
// layer of lakesql, so that the CLI and the wire server can report the code a
// PostgreSQL client expects without knowing where the error came from.
package sqlerr

import (
	"errors"
	"fmt"
	"strings"
)

// SQLSTATE codes used by lakesql. The names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion         = "00000"
	FeatureNotSupported          = "0A000"
	CardinalityViolation         = "21000"
	DataException                = "22000"
	StringDataRightTrunc         = "22001"
	NumericValueOutOfRange       = "22003"
	InvalidDatetimeFormat        = "22007"
	DatetimeFieldOverflow        = "22008"
	InvalidParameterValue        = "22023"
	DivisionByZero               = "22012"
	InvalidTextRepresentation    = "22P02"
	InvalidRegularExpression     = "2201B"
	InvalidEscapeSequence        = "22025"
	CharacterNotInRepertoire     = "22021"
	InvalidRowCountInLimit       = "2201W"
	InvalidRowCountInOffset      = "2201X"
	ArraySubscriptError          = "2202E"
	NullValueNotAllowed          = "22004"
	NotNullViolation             = "23502"
	InvalidCursorName            = "34000"
	InvalidTransactionState      = "25000"
	InFailedTransaction          = "25P02"
	InvalidSQLStatementName      = "26000"
	InvalidAuthorization         = "28000"
	SyntaxError                  = "42601"
	InsufficientPrivilege        = "42501"
	UndefinedColumn              = "42703"
	UndefinedFunction            = "42883"
	UndefinedTable               = "42P01"
	UndefinedObject              = "42704"
	UndefinedSchema              = "3F000"
	UndefinedParameter           = "42P02"
	AmbiguousColumn              = "42702"
	AmbiguousFunction            = "42725"
	AmbiguousAlias               = "42P09"
	DuplicateTable               = "42P07"
	DuplicateColumn              = "42701"
	DuplicateObject              = "42710"
	DuplicateAlias               = "42712"
	DatatypeMismatch             = "42804"
	CannotCoerce                 = "42846"
	GroupingError                = "42803"
	WindowingError               = "42P20"
	InvalidRecursion             = "42P19"
	InvalidColumnReference       = "42P10"
	WrongObjectType              = "42809"
	InvalidTableDefinition       = "42P16"
	UndefinedFile                = "58P01"
	IOError                      = "58030"
	QueryCanceled                = "57014"
	AdminShutdown                = "57P01"
	ProtocolViolation            = "08P01"
	InternalError                = "XX000"
	DataCorrupted                = "XX001"
	ConfigFileError              = "F0000"
	ProgramLimitExceeded         = "54000"
	TooManyColumns               = "54011"
	ObjectNotInPrerequisiteState = "55000"
	OutOfMemory                  = "53200"
	StatementTooComplex          = "54001"
	TooManyConnections           = "53300"
	ConfigurationLimit           = "53400"
	InvalidPassword              = "28P01"
	UntranslatableCharacter      = "22P05"
	IdleSessionTimeout           = "57P05"
	IdleInTransactionTimeout     = "25P03"
	CannotConnectNow             = "57P03"
)

// Error is an error with a SQLSTATE code. Position, when non-zero, is the
// 1-based character offset in the statement text that the error refers to
// (PostgreSQL's ErrorResponse 'P' field).
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int
	// Err is the underlying cause, if any; it is not shown in Message.
	Err error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause, so errors.Is/As see through an Error.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with code and a formatted message.
func New(code, format string, args ...any) *Error {
	// A NUL would end the message on the wire (the parser's own names
	// carry one; none may reach a client).
	return &Error{Code: code, Message: strings.ReplaceAll(fmt.Sprintf(format, args...), "\x00", "")}
}

// Wrap returns an Error with code whose message is the formatted text
// followed by ": " and err's message. If err already carries a SQLSTATE, that
// code wins, so the most specific classification survives wrapping.
func Wrap(err error, code, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if err == nil {
		return &Error{Code: code, Message: msg}
	}
	var inner *Error
	if errors.As(err, &inner) {
		code = inner.Code
	} else if isCanceled(err) {
		// A canceled context surfacing through a library call (arrow's
		// compute functions, a reader) is a cancellation, not an
		// internal error, whatever the caller would have called it.
		return Canceled(err)
	}
	return &Error{Code: code, Message: msg + ": " + err.Error(), Err: err}
}

// WithPosition returns a copy of e with Position set.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// Code returns the SQLSTATE of err: its own if it is (or wraps) an *Error,
// QueryCanceled for context cancellation, else InternalError.
func Code(err error) string {
	if err == nil {
		return SuccessfulCompletion
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if isCanceled(err) {
		return QueryCanceled
	}
	return InternalError
}

// As returns err as an *Error, classifying plain errors with Code.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if isCanceled(err) {
		return Canceled(err)
	}
	return &Error{Code: Code(err), Message: err.Error(), Err: err}
}
