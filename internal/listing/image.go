package listing

import (
	"fmt"
	"image"
	_ "image/gif"  // decoders for image_paths
	_ "image/jpeg" // decoders for image_paths
	_ "image/png"  // decoders for image_paths
	"os"

	"github.com/corona10/goimagehash"
)

// ImageHash returns the 64-bit perceptual hash (pHash) of an image file.
func ImageHash(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	h, err := goimagehash.PerceptionHash(img)
	if err != nil {
		return 0, err
	}
	return h.GetHash(), nil
}

// imageDuplicates: listings of one shop with the same price whose first
// images are perceptually equal (pHash within 4 bits) — "same image, price
// and description" of the seed.
func (s *Scanner) imageDuplicates(ls []Listing) []Finding {
	hs := make([]uint64, len(ls))
	ok := make([]bool, len(ls))
	any := false
	for i, l := range ls {
		if len(l.ImagePaths) == 0 {
			continue
		}
		h, err := ImageHash(l.ImagePaths[0])
		if err != nil {
			continue
		}
		hs[i], ok[i], any = h, true, true
	}
	if !any {
		return nil
	}
	var out []Finding
	// pHash within 4 bits: five 13-bit bands would be exact; four 16-bit
	// bands catch ≤ 3, so compare all pairs sharing a price bucket instead.
	byKey := map[string][]int{}
	var order []string
	for i, l := range ls {
		if !ok[i] {
			continue
		}
		k := fmt.Sprintf("%s\x00%d", l.ShopID, l.Price)
		if _, seen := byKey[k]; !seen {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	for _, k := range order {
		is := byKey[k]
		sortOldest(ls, is)
		for a := 1; a < len(is); a++ {
			for b := 0; b < a; b++ {
				if Hamming(hs[is[a]], hs[is[b]]) <= 4 {
					out = append(out, Finding{ListingID: ls[is[a]].ID, RuleID: RuleImageDup, Kind: "image_duplicate", Severity: "medium", Action: "delete",
						Related: ls[is[b]].ID, Reason: fmt.Sprintf("主图与 %s 相同且价格一致 / same image and price as %s", ls[is[b]].ID, ls[is[b]].ID)})
					break
				}
			}
		}
	}
	return out
}
