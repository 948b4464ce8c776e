package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/weiquan/weiquan/internal/server"
)

// buildTime is set by release builds: -ldflags "-X main.buildTime=2026-12-07T01:00:00Z"
// (the Dockerfile does). Go's build info records the commit's time, not the
// build's.
var buildTime string

// revision is set by builds without VCS information in their build info
// (a source tarball, a Docker context without .git, a git worktree, which
// Go does not stamp): -ldflags "-X main.revision=$(git rev-parse HEAD)".
var revision string

// BuildInfo is what `weiquan version` reports.
type BuildInfo struct {
	Version   string // module version (v1.2.3 from go install …@v1.2.3), else server.Version
	Revision  string // VCS revision the binary was built from
	Modified  bool   // built from a working tree with uncommitted changes
	VCSTime   string // the revision's commit time
	BuildTime string // -X main.buildTime, else the executable file's time
	Go        string
}

func readBuildInfo() BuildInfo {
	b := BuildInfo{Version: server.Version, Go: runtime.Version(), BuildTime: buildTime, Revision: revision}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.VCSTime = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.BuildTime == "" {
		if exe, err := os.Executable(); err == nil {
			if fi, err := os.Stat(exe); err == nil {
				b.BuildTime = fi.ModTime().UTC().Format(time.RFC3339) + " (file time)"
			}
		}
	}
	return b
}

// versionCmd is `weiquan version`: module version, VCS revision, commit
// and build time, Go version.
func versionCmd(_ context.Context, _ []string, stdout, _ io.Writer) error {
	b := readBuildInfo()
	dirty := ""
	if b.Modified {
		dirty = " (modified)"
	}
	fmt.Fprintf(stdout, "weiquan %s\nrevision %s%s\ncommitted %s\nbuilt %s\ngo %s\n", b.Version, cmp.Or(b.Revision, "unknown (built without VCS information)"), dirty,
		cmp.Or(b.VCSTime, "unknown"), cmp.Or(b.BuildTime, "unknown"), b.Go)
	return nil
}
