// Package evidence keeps the files that parties upload to a case (SPEC §4:
// "both parties are prompted" for evidence; §1: buyers and sellers upload
// evidence, agents review it) in a content-addressed blob store on the
// filesystem.
//
// Rules it implements:
//
//   - Every path goes through an os.Root opened on the store's directory, so
//     no name — not even one derived from client input — can reach outside it.
//   - An upload is streamed to a temporary file inside the root while it is
//     hashed (SHA-256) and counted; it is refused, and the temporary file
//     removed, as soon as it passes the per-file limit (Limits.MaxFileBytes,
//     10 MiB by default).
//   - The type is sniffed from the content, never from the declared name:
//     JPEG, PNG, WebP, GIF, MP4 (and QuickTime), PDF, and two JSON documents
//     whose schemas this package defines — a chat log (ChatLog) and a
//     carrier tracking record (TrackingRecord) — which are validated field
//     by field. Anything else is refused with an error that names the type
//     that was detected.
//   - An accepted file is hard-linked (or, where links are unsupported,
//     renamed) into place at sha256/ab/cd/abcd…, the path derived from its
//     digest. A blob that already exists is never rewritten: the same bytes
//     uploaded twice are stored once, and stored bytes never change.
//     Verify re-hashes a blob to prove it.
//   - The per-case total (Limits.MaxCaseBytes, 50 MiB by default) needs
//     the metadata store: the caller sums the case's evidence
//     (store.CaseEvidenceBytes), passes the remaining budget to PutWithin and
//     checks again with Limits.CheckCase in the transaction that records the
//     evidence row.
//
// Errors are *fault.Error values: Invalid (field "file" or "digest", or the
// JSON path of a bad field such as "messages[2].sender_role"),
// PayloadTooBig, NotFound, and Internal for a corrupt blob; the sentinels
// ErrUnsupportedType, ErrTooLarge, ErrBadDigest and ErrCorrupt are wrapped as
// their causes for errors.Is.
package evidence
