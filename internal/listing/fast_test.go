package listing

import (
	"testing"
)

// TestVariantBaseBytes checks that the byte form used by the scan gives
// variantBase's answer on the same keys.
func TestVariantBaseBytes(t *testing.T) {
	parts := []string{"专用", "适用", "适用于", "通用", "于", "用", "色", "红", "咖啡", "卡其", "酒红", "藏青", "米", "黑", "白", "手机壳", "宝马", "奥迪a4", "座套", "汽车", "a", "1", "车", "脚垫", "é", "😀", "·"}
	keys := []string{"", "用", "色", "红色", "咖啡色", "宝马专用座套", "适用于奥迪汽车脚垫", "黑白色手机壳", "通用"}
	x := uint32(1)
	for range 5000 {
		k := ""
		for range 1 + x%9 {
			x = x*1664525 + 1013904223
			k += parts[(x>>8)%uint32(len(parts))]
		}
		keys = append(keys, k)
	}
	var rs []variantRune
	var buf []byte
	for _, k := range keys {
		want, wantOK := variantBase(k)
		var ok bool
		buf, ok = appendVariantBase(buf[:0], []byte(k), &rs)
		if ok != wantOK || ok && string(buf) != want {
			t.Fatalf("%q: got %q %v, want %q %v", k, buf, ok, want, wantOK)
		}
	}
}
