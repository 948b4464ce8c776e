package adlaw

import "testing"

func TestPatternsAndDictionary(t *testing.T) {
	s := New()
	for text, want := range map[string]string{
		"【淘宝最低价】包身蓬蓬裙": "淘宝最低价",
		"國家級產品":        "國家級",
		"ＮＯ．１销量":       "ＮＯ．１",
		"本店最便宜":        "最便宜",
		"全网首发 爆款":      "全网首发",
	} {
		fs := s.Scan(text, Listing)
		if len(fs) == 0 || fs[0].Text != want {
			t.Errorf("%q: want %q, got %+v", text, want, fs)
		}
	}
}

func TestContextRules(t *testing.T) {
	s := New()
	for _, text := range []string{"汽车安全带", "半永久纹眉", "万能表 数字", "2017最新款连衣裙", "最近很火", "第一次购买", "no.10 号色"} {
		if fs := s.Scan(text, Listing); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", text, fs)
		}
	}
	for _, text := range []string{"您最好先拍照", "最晚明天发货", "我是公司力气最小的"} {
		if fs := s.Scan(text, Reply); len(fs) != 0 {
			t.Errorf("reply %q flagged: %+v", text, fs)
		}
	}
}
