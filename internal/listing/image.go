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
// and description" of the seed. The hashes were taken with the digests.
func imageDuplicates(ds []digest) []Finding {
	type shopPrice struct {
		shop  uint64
		price int64
	}
	order, byKey := groupsInOrder(ds, func(d *digest, emit func(shopPrice)) {
		if d.hasImg {
			emit(shopPrice{d.shopH, d.price})
		}
	})
	var out []Finding
	// pHash within 4 bits: four 16-bit bands catch only ≤ 3, so compare all
	// pairs sharing a (shop, price) bucket instead.
	for _, k := range order {
		is := byKey[k]
		for a := 1; a < len(is); a++ {
			for b := 0; b < a; b++ {
				if Hamming(ds[is[a]].img, ds[is[b]].img) <= 4 {
					o := ds[is[b]].id
					out = append(out, Finding{ListingID: ds[is[a]].id, RuleID: RuleImageDup, Kind: "image_duplicate", Severity: "medium", Action: "delete",
						Related: o, Reason: fmt.Sprintf("主图与 %s 相同且价格一致 / same image and price as %s", o, o)})
					break
				}
			}
		}
	}
	return out
}
