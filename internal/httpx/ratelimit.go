package httpx

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// Limiter is a set of token buckets, one per key (an API key, a client
// address): each holds up to Burst tokens, refilled at Rate a second; a
// request takes one. Buckets that have refilled completely are forgotten,
// so memory follows the keys active in the last Burst/Rate seconds. The
// limits are per process (each replica counts its own requests).
type Limiter struct {
	Rate  float64 // tokens a second; 0 or less: no limit
	Burst int
	Now   func() time.Time // nil: time.Now

	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter of rate a second with that burst; nil when
// rate is 0 (no limit).
func NewLimiter(rate float64, burst int) *Limiter {
	if rate <= 0 {
		return nil
	}
	return &Limiter{Rate: rate, Burst: max(burst, 1)}
}

// Allow takes a token of key's bucket. When there is none it reports
// false and how long until there is one.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.Rate <= 0 {
		return true, 0
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	if l.calls++; l.calls%4096 == 0 {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.Burst), at: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = math.Min(float64(l.Burst), b.tokens+el*l.Rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
}

// sweep forgets the buckets that are full again.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.Rate >= float64(l.Burst) {
			delete(l.buckets, k)
		}
	}
}

// Size is the number of buckets held (tests).
func (l *Limiter) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// TooMany writes the 429 problem of a rate limit with its Retry-After
// (whole seconds, at least 1).
func TooMany(w http.ResponseWriter, r *http.Request, what string, wait time.Duration) {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	WriteProblem(w, r, &fault.Error{Code: fault.TooMany, Message: "请求过于频繁，请 " + strconv.Itoa(secs) + " 秒后重试（" + what + "） / too many requests: retry in " + strconv.Itoa(secs) + " s (" + what + ")"})
}

// RemoteHost is the address of the connection's peer, without the port.
// (Behind a proxy, the proxy's: see ClientAddr.)
func RemoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// LimitAddr limits the requests of each client address (addrOf; nil:
// RemoteHost) across every route but the probes (/healthz, /readyz,
// /metrics), answering 429 with Retry-After and a problem document.
func LimitAddr(l *Limiter, addrOf func(*http.Request) string, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	if addrOf == nil {
		addrOf = RemoteHost
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
		default:
			if ok, wait := l.Allow(addrOf(r)); !ok {
				TooMany(w, r, "每个地址 / per address", wait)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// LimitBodies caps every request body at max bytes: a declared length over
// it is refused at once with 413, and a body that runs over it fails the
// handler's read (http.MaxBytesReader). Routes keep their own, smaller
// limits (httpx.MaxBody for JSON, the evidence upload's).
func LimitBodies(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			WriteProblem(w, r, fault.New(fault.PayloadTooBig, "请求体超过 %d 字节 / the body exceeds %d bytes", max, max))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}
