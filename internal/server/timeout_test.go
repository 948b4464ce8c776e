package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/server"
)

// TestSlowBodiesAreCut: a client that sends its headers and then trickles
// the body is cut off at the body read timeout instead of holding the
// connection open; /metrics is not public on the API listener.
func TestSlowBodiesAreCut(t *testing.T) {
	defer server.SetReadTimeouts(300*time.Millisecond, 600*time.Millisecond)()
	cfg := config.Default()
	cfg.DB = "sqlite:" + filepath.Join(t.TempDir(), "w.db")
	cfg.Addr = "127.0.0.1:0"
	s, err := server.Start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	io.WriteString(c, "PUT /v1/orders/X HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 1000\r\n\r\n")
	cut := false
	for time.Since(start) < 5*time.Second {
		if _, err := c.Write([]byte("{")); err != nil {
			cut = true
			break
		}
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := bufio.NewReader(c).ReadByte(); err != nil && !isTimeout(err) {
			cut = true // closed (an answer before, if any, was read)
			break
		}
	}
	if !cut {
		t.Errorf("a trickling body kept its connection for %v", time.Since(start))
	}

	res, err := http.Get("http://" + s.Addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without a key: %d", res.StatusCode)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
