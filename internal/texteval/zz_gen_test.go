package texteval

import (
	"os"
	"testing"
)

func TestTmpGen(t *testing.T) {
	ts, _ := LoadTitles(dataDir)
	f, _ := os.Create("/tmp/bench1m.jsonl")
	WriteSyntheticTitles(f, ts, 1000000, 20261201)
	f.Close()
}
