package listing

import (
	"fmt"
	"testing"
)

func synthetic(n int) []Listing {
	words := []string{"夏季", "新款", "韩版", "宽松", "纯棉", "短袖", "t恤", "女", "学生", "百搭", "上衣", "不锈钢", "保温杯", "男", "便携", "水杯", "大容量", "蓝牙", "耳机", "无线"}
	ls := make([]Listing, n)
	x := uint32(7)
	for i := range ls {
		t := ""
		for k := 0; k < 8; k++ {
			x = x*1664525 + 1013904223
			t += words[x%uint32(len(words))]
		}
		ls[i] = Listing{ID: fmt.Sprint(i), ShopID: fmt.Sprint(i / 200), Title: t}
	}
	return ls
}

// BenchmarkScanTitle measures the per-title rules (figures are printed by
// `go test -bench`, never asserted).
func BenchmarkScanTitle(b *testing.B) {
	s := NewScanner(nil)
	ls := synthetic(1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.ScanTitle(ls[i%len(ls)])
	}
}

// BenchmarkBatch measures duplicate detection over 10,000 listings.
func BenchmarkBatch(b *testing.B) {
	s := NewScanner(nil)
	ls := synthetic(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Batch(ls)
	}
}
