package server

import "time"

// SetReadTimeouts shortens the request read timeouts for a test; the
// returned function restores them.
func SetReadTimeouts(header, body time.Duration) (restore func()) {
	h, b := readHeaderTimeout, bodyReadTimeout
	readHeaderTimeout, bodyReadTimeout = header, body
	return func() { readHeaderTimeout, bodyReadTimeout = h, b }
}
