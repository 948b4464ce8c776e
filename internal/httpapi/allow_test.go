package httpapi_test

import "github.com/weiquan/weiquan/internal/netguard"

// loopbackAllowed is the operator allow-list the tests that deliver to
// httptest servers (on 127.0.0.1) need: loopback is refused by default.
var loopbackAllowed = netguard.MustParse("127.0.0.0/8")
