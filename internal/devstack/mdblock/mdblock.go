// Package mdblock rewrites the generated part of a Markdown document: the
// text between a begin and an end marker (HTML comments), so that the
// measuring tools (make bench, make reliability) keep their latest figures in
// docs/ beside the prose written by hand.
package mdblock

import (
	"fmt"
	"os"
	"strings"
)

// Replace sets the text between begin and end in file to md.
func Replace(file, begin, end, md string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q … %q block", file, begin, end)
	}
	s = s[:i+len(begin)] + "\n" + strings.TrimRight(md, "\n") + "\n" + s[j:]
	return os.WriteFile(file, []byte(s), 0o644)
}
