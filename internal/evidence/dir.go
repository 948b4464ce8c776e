package evidence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// Directory layout of the folder backend.
const (
	blobDir = "sha256"
	tmpDir  = "tmp"
	// staleTemp is the age after which a leftover temporary file (a crash
	// mid-upload) is removed when a store opens.
	staleTemp = 24 * time.Hour
)

// Dir is the folder backend, the default:
//
//	sha256/ab/cd/abcd…   the blobs, read-only once in place
//	tmp/                 uploads in progress
//
// Every path goes through an os.Root, so no name can reach outside the
// folder. Several processes may share the folder.
type Dir struct {
	root *os.Root
}

// OpenDir opens (creating it if needed) the folder backend in dir and
// removes temporary files older than a day. Errors: Invalid for an empty
// dir; otherwise the filesystem's.
func OpenDir(dir string) (*Dir, error) {
	if dir == "" {
		return nil, fault.Field("dir", "证据目录为空 / empty evidence directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence: open %s: %w", dir, err)
	}
	for _, d := range []string{blobDir, tmpDir} {
		if err := root.MkdirAll(d, 0o750); err != nil {
			root.Close()
			return nil, fmt.Errorf("evidence: create %s/%s: %w", dir, d, err)
		}
	}
	d := &Dir{root: root}
	d.sweepTemp(time.Now().Add(-staleTemp))
	return d, nil
}

// Close releases the folder.
func (d *Dir) Close() error { return d.root.Close() }

// CreateTemp makes a file in tmp/, so that Place can link it into place.
func (d *Dir) CreateTemp() (*os.File, func(), error) {
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	name := tmpDir + "/" + hex.EncodeToString(rnd[:]) + ".part"
	f, err := d.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence: create temporary file: %w", err)
	}
	return f, func() { _ = d.root.Remove(name) }, nil
}

// Place puts the finished temporary file at the digest's path unless a
// file is there. A hard link never replaces an existing file, so
// concurrent uploads of the same bytes cannot rewrite a blob; where links
// are unsupported a rename is used after a check (a lost race then
// replaces the blob with identical bytes).
func (d *Dir) Place(_ context.Context, f *os.File, digest string, _ int64) error {
	tmp := tmpDir + "/" + filepath.Base(f.Name())
	final := BlobPath(digest)
	if err := d.root.MkdirAll(path.Dir(final), 0o750); err != nil {
		return fmt.Errorf("evidence: create %s: %w", path.Dir(final), err)
	}
	if err := d.root.Chmod(tmp, 0o440); err != nil {
		return fmt.Errorf("evidence: chmod %s: %w", tmp, err)
	}
	err := d.root.Link(tmp, final)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	if _, serr := d.root.Stat(final); serr == nil {
		return nil
	}
	if err := d.root.Rename(tmp, final); err != nil {
		return fmt.Errorf("evidence: place %s: %w", final, err)
	}
	return nil
}

// Open returns the blob's file (an *os.File) and its size; a link or
// anything but a regular file is refused.
func (d *Dir) Open(_ context.Context, digest string) (io.ReadSeekCloser, int64, error) {
	f, err := d.root.Open(BlobPath(digest))
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("evidence: stat %s: %w", digest, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("evidence: %s is not a regular file", digest)
	}
	return f, info.Size(), nil
}

// Delete removes the blob's file.
func (d *Dir) Delete(_ context.Context, digest string) error {
	if err := d.root.Remove(BlobPath(digest)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// sweepTemp removes temporary files last written before cutoff.
func (d *Dir) sweepTemp(cutoff time.Time) {
	dir, err := d.root.Open(tmpDir)
	if err != nil {
		return
	}
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.ModTime().Before(cutoff) {
			_ = d.root.Remove(tmpDir + "/" + e.Name())
		}
	}
}
