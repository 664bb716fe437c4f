package main

import (
	"flag"
)

// shellCommand is what `lakesql [DIR]` runs: the interactive shell on a
// terminal, else the SQL on standard input.
var shellCommand = &command{
	name:     "",
	synopsis: "[flags] [DIR]",
	summary:  "an interactive SQL shell on DIR (default: the bundled demo data)",
	setup: func(fs *flag.FlagSet) func(stdio, []string) int {
		var o scriptOptions
		o.define(fs)
		return func(std stdio, args []string) int {
			switch {
			case len(args) > 1:
				return usageError(std, "", "one data folder at most, got %q", args)
			case len(args) == 1 && !isDir(args[0]) && lookupCommand(args[0]) == nil && !looksLikePath(args[0]):
				return usageError(std, "", "%q is neither a command nor a folder", args[0])
			case len(args) == 1:
				if err := o.takeFolder(args[0]); err != nil {
					return fail(std, err)
				}
			}
			if o.command != "" && o.file != "" {
				return usageError(std, "", "give -c or -f, not both")
			}
			return runSQL(std, &o, scriptFromFlags(&o))
		}
	},
}
