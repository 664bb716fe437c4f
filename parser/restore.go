package parser

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// restoreTo writes n back as SQL text (used to compare expressions).
func restoreTo(sb *strings.Builder, n ast.Node) {
	ctx := format.NewRestoreCtx(format.DefaultRestoreFlags, sb)
	if err := n.Restore(ctx); err != nil {
		sb.WriteString("?")
	}
}
