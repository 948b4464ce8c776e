package evidence

import (
	"bytes"
	"encoding/binary"
	"mime"
	"net/http"
	"strings"
)

// Kind is what a piece of evidence is, as sniffed from its content.
type Kind string

// The kinds of evidence accepted.
const (
	KindImage    Kind = "image"    // JPEG, PNG, WebP, GIF
	KindVideo    Kind = "video"    // MP4 (ISO base media), QuickTime
	KindPDF      Kind = "pdf"      // e.g. an inspection report (质检报告), an invoice
	KindChatLog  Kind = "chat_log" // ChatLog JSON
	KindTracking Kind = "tracking" // TrackingRecord JSON
)

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool {
	switch k {
	case KindImage, KindVideo, KindPDF, KindChatLog, KindTracking:
		return true
	}
	return false
}

// Media types of accepted content.
const (
	TypeJPEG      = "image/jpeg"
	TypePNG       = "image/png"
	TypeWebP      = "image/webp"
	TypeGIF       = "image/gif"
	TypeMP4       = "video/mp4"
	TypeQuickTime = "video/quicktime"
	TypePDF       = "application/pdf"
	TypeJSON      = "application/json" // chat logs and tracking records
)

// sniffLen is how much of the content sniff looks at (as DetectContentType).
const sniffLen = 512

// mp4Brands are ISO base-media brands of MP4 video.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
	"mp41": true, "mp42": true, "avc1": true, "M4V ": true, "M4VP": true, "dash": true,
	"mmp4": true, "msnv": true, "f4v ": true,
}

// heifBrands are still-image brands in an ftyp box; named so the refusal can
// say "image/heic" rather than "application/octet-stream".
var heifBrands = map[string]string{
	"heic": "image/heic", "heix": "image/heic", "heim": "image/heic", "heis": "image/heic",
	"hevc": "image/heic-sequence", "mif1": "image/heif", "msf1": "image/heif-sequence",
	"avif": "image/avif", "avis": "image/avif",
}

// sniff names the media type of content from its first bytes and says
// whether it is accepted. JSON comes back as TypeJSON with an empty kind:
// only the whole document tells a chat log from a tracking record.
func sniff(head []byte) (mediaType string, kind Kind, ok bool) {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	if len(head) == 0 {
		return "empty", "", false
	}
	// WebP: RIFF <size> WEBP, then a VP8 / VP8L / VP8X chunk.
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		if len(head) >= 16 {
			switch string(head[12:16]) {
			case "VP8 ", "VP8L", "VP8X":
			default:
				return "application/x-riff", "", false
			}
		}
		return TypeWebP, KindImage, true
	}
	// ISO base media: a first box of type ftyp, its major brand, then the
	// compatible brands.
	if mt, ok := sniffFtyp(head); ok {
		switch mt {
		case TypeMP4, TypeQuickTime:
			return mt, KindVideo, true
		}
		return mt, "", false
	}
	// Executables DetectContentType does not name.
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "application/x-elf", "", false
	case bytes.HasPrefix(head, []byte("MZ")):
		return "application/x-msdownload", "", false
	case bytes.HasPrefix(head, []byte("\xCA\xFE\xBA\xBE")), bytes.HasPrefix(head, []byte("\xCF\xFA\xED\xFE")), bytes.HasPrefix(head, []byte("\xCE\xFA\xED\xFE")):
		return "application/x-mach-binary", "", false
	}
	if j := trimJSON(head); len(j) > 0 && (j[0] == '{' || j[0] == '[') {
		return TypeJSON, "", true
	}
	mt := http.DetectContentType(head)
	if base, _, err := mime.ParseMediaType(mt); err == nil {
		mt = base
	}
	switch mt {
	case TypeJPEG, TypePNG, TypeGIF:
		return mt, KindImage, true
	case TypePDF:
		return mt, KindPDF, true
	}
	return mt, "", false
}

// sniffFtyp recognises an ISO base-media file by its leading ftyp box and
// names its type from the brands.
func sniffFtyp(head []byte) (string, bool) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return "", false
	}
	size := int(binary.BigEndian.Uint32(head[:4]))
	if size < 16 || size%4 != 0 {
		return "", false
	}
	major := string(head[8:12])
	switch {
	case mp4Brands[major]:
		return TypeMP4, true
	case major == "qt  ":
		return TypeQuickTime, true
	case heifBrands[major] != "":
		return heifBrands[major], true
	}
	// Compatible brands follow the minor version, up to the box's end.
	end := min(size, len(head))
	for i := 16; i+4 <= end; i += 4 {
		if mp4Brands[string(head[i:i+4])] {
			return TypeMP4, true
		}
	}
	if strings.HasPrefix(major, "3g2") {
		return "video/3gpp2", true
	}
	if strings.HasPrefix(major, "3g") {
		return "video/3gpp", true
	}
	return "application/mp4", true // some other ISO base-media brand

}
