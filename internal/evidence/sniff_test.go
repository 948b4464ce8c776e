package evidence

import (
	"bytes"
	"testing"
)

func TestSniff(t *testing.T) {
	ftyp := func(major string, compat ...string) []byte {
		b := []byte{0, 0, 0, byte(16 + 4*len(compat))}
		b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
		for _, c := range compat {
			b = append(b, c...)
		}
		return append(b, make([]byte, 16)...)
	}
	tests := []struct {
		name string
		head []byte
		mt   string
		kind Kind
		ok   bool
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), TypeJPEG, KindImage, true},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), TypePNG, KindImage, true},
		{"gif87", []byte("GIF87a\x01\x00\x01\x00"), TypeGIF, KindImage, true},
		{"gif89", []byte("GIF89a\x01\x00\x01\x00"), TypeGIF, KindImage, true},
		{"webp lossy", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), TypeWebP, KindImage, true},
		{"webp extended", []byte("RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"), TypeWebP, KindImage, true},
		{"riff but wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), "audio/wave", "", false},
		{"riff webp with a strange chunk", []byte("RIFF\x24\x00\x00\x00WEBPXXXX\x10\x00\x00\x00"), "application/x-riff", "", false},
		{"mp4 isom", ftyp("isom", "isom", "mp41"), TypeMP4, KindVideo, true},
		{"mp4 by compatible brand", ftyp("XYZW", "abcd", "mp42"), TypeMP4, KindVideo, true},
		{"quicktime", ftyp("qt  ", "qt  "), TypeQuickTime, KindVideo, true},
		{"heic", ftyp("heic", "mif1", "heic"), "image/heic", "", false},
		{"avif", ftyp("avif", "mif1", "miaf"), "image/avif", "", false},
		{"3gp", ftyp("3gp5", "3gp5"), "video/3gpp", "", false},
		{"ftyp with a bad box size", append([]byte("\x00\x00\x00\x03ftypisom"), make([]byte, 8)...), "application/octet-stream", "", false},
		{"pdf", []byte("%PDF-1.7\n"), TypePDF, KindPDF, true},
		{"json object", []byte("  \n{\"messages\":[]}"), TypeJSON, "", true},
		{"json array with BOM", []byte("\xEF\xBB\xBF[1]"), TypeJSON, "", true},
		{"elf", []byte("\x7fELF\x02\x01\x01"), "application/x-elf", "", false},
		{"exe", []byte("MZ\x90\x00"), "application/x-msdownload", "", false},
		{"mach-o", []byte("\xCF\xFA\xED\xFE\x07\x00\x00\x01"), "application/x-mach-binary", "", false},
		{"html", []byte("<!DOCTYPE HTML><title>x</title>"), "text/html", "", false},
		{"text", []byte("hello"), "text/plain", "", false},
		{"empty", nil, "empty", "", false},
		{"webm", []byte("\x1A\x45\xDF\xA3\x01\x00\x00\x00"), "video/webm", "", false},
		{"bmp", []byte("BM\x00\x00\x00\x00\x00\x00"), "image/bmp", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, kind, ok := sniff(tt.head)
			if mt != tt.mt || kind != tt.kind || ok != tt.ok {
				t.Fatalf("sniff = %q %q %v, want %q %q %v", mt, kind, ok, tt.mt, tt.kind, tt.ok)
			}
		})
	}
}

// FuzzSniff: any first bytes give a type name, and accepted content always
// has an accepted kind (or is JSON, decided later).
func FuzzSniff(f *testing.F) {
	for _, s := range []string{"\xFF\xD8\xFF", "\x89PNG\r\n\x1a\n", "GIF89a", "RIFF\x00\x00\x00\x00WEBPVP8L", "%PDF-",
		"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp41", "\x00\x00\x00\xf0ftypqt  ", "{}", "<html>", "\x7fELF"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		mt, kind, ok := sniff(head)
		if mt == "" {
			t.Fatal("no type named")
		}
		if ok && mt != TypeJSON && !kind.Valid() {
			t.Fatalf("accepted %q with kind %q", mt, kind)
		}
		if !ok && kind != "" {
			t.Fatalf("refused %q but gave kind %q", mt, kind)
		}
		if ok && mt == TypeJSON && !bytes.ContainsAny(head, "{[") {
			t.Fatal("JSON without a bracket")
		}
	})
}
