package httpapi

import "github.com/weiquan/weiquan/internal/httpx"

func decode(body []byte, v any) error { return httpx.DecodeJSON(body, v) }
