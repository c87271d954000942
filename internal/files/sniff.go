package files

import "net/http"

// httpDetect is the WHATWG sniffing algorithm of the standard library.
func httpDetect(b []byte) string { return http.DetectContentType(b) }
